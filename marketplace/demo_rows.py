"""The rows a sales history leaves: orders, their parcels and items, payments, refunds, the
sellers' ledger and payouts, as the services write them (orders/services.py, payments/), for the
demo's history (demo_sales.py) and bench/reports_bench.py.

Totals add up; states are reached along the state machines, with their times in order, in the
past, in UTC; each paid parcel has its sale and commission, each refund its lines and the entries
of payments/ledger.py, each payout its entry, so that `payments.reconcile` agrees. Rows are built
in memory with their ids (after the tables' current ones) and written with one executemany per
table and chunk: through the services a history would take minutes. Stock is left alone: it is
what is on the shelf now. Card payments carry made-up PaymentIntent ids (`pi_…`) that no Stripe
account knows: reconciling with a Stripe configured lists them.
"""
from __future__ import annotations

import random
import string
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from types import SimpleNamespace

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from marketplace.catalog.models import Product, ProductViewDay, Variant
from marketplace.demo_buyers import Buyer
from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.orders import shipping
from marketplace.orders.models import Order, OrderItem, OrderStatus, ShopOrder, ShopOrderStatus, Zone
from marketplace.payments.gateway import CURRENCY
from marketplace.payments.ledger import commission_on
from marketplace.payments.models import (
    LedgerEntry, LedgerKind, Payment, PaymentMethod, PaymentStatus, Payout, PayoutBatch, PayoutBatchStatus,
    Refund, RefundLine, RefundStatus,
)
from marketplace.payments.services import bank_transfer_window

TZ = orders.SHOP_TIMEZONE


def local_midnight(day: date) -> datetime:
    """The start of DAY in Jakarta, in UTC."""
    return datetime.combine(day, time.min, tzinfo=TZ).astimezone(timezone.utc)


def local_day(moment: datetime) -> date:
    return moment.astimezone(TZ).date()


def month_after(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


# --- who sells what ---------------------------------------------------------------------------------

# How often each category is in a basket (a listing's weight).
CATEGORY_WEIGHTS = {"cloth": 34, "clothing": 30, "accessory": 20, "home_decor": 16, "other": 5}


@dataclass(frozen=True)
class Listing:
    """A live variant, as an order item copies it."""
    product_id: int
    variant_id: int
    title: str
    variant_name: str
    unit_price: int
    weight_g: int
    category: str


@dataclass
class Seller:
    """A shop in the history (anything shipping.zone_for needs: city, province), what it lists and
    how much it sells in an ordinary month."""
    shop_id: int
    city: str
    province: str
    handling_days: int
    rates: dict  # Zone -> shipping.Rate
    listings: list[Listing]
    first_sale_at: datetime
    orders_per_month: float
    is_graduate: bool = True
    weights: list[float] = field(init=False, repr=False)

    def __post_init__(self):
        # A product's sizes share its weight: a shirt in four sizes sells no more than a cloth.
        variants = Counter(listing.product_id for listing in self.listings)
        self.weights = [CATEGORY_WEIGHTS.get(listing.category, 5) / variants[listing.product_id]
                        for listing in self.listings]

    @property
    def ships_abroad(self) -> bool:
        return self.rates[Zone.INTERNATIONAL].offered

    def basket(self, rng: random.Random) -> list[tuple[Listing, int]]:
        """One to three different variants and how many of each (cushion covers come in sets)."""
        lines: dict[int, tuple[Listing, int]] = {}
        for listing in rng.choices(self.listings, self.weights, k=rng.choices((1, 2, 3), (78, 18, 4))[0]):
            many = (1, 2, 3, 4) if listing.category == "home_decor" else (1, 2, 3)
            weights = (40, 35, 15, 10) if listing.category == "home_decor" else (85, 12, 3)
            lines.setdefault(listing.variant_id, (listing, rng.choices(many, weights)[0]))
        return list(lines.values())


def shop_listings(shop_ids) -> dict[int, list[Listing]]:
    """The live variants of SHOP_IDS' active products, per shop. Made-to-order pieces are left out:
    each holds a place under its cap until shipped, which the history does not keep."""
    found: dict[int, list[Listing]] = defaultdict(list)
    rows = db.session.execute(
        sa.select(Product.shop_id, Product.id, Variant.id, Product.title, Variant.name,
                  sa.func.coalesce(Variant.price, Product.price), Product.weight_g, Product.category)
        .join(Variant, Variant.product_id == Product.id)
        .where(Product.shop_id.in_(list(shop_ids)), Product.status == "active", Variant.archived_at.is_(None),
               Variant.made_to_order.is_(False))
        .order_by(Product.id, Variant.position, Variant.id))
    for shop_id, *listing in rows:
        found[shop_id].append(Listing(*listing))
    return found


# --- the rows -------------------------------------------------------------------------------------

EXPIRED_SHARE = 0.04          # checkouts never paid
TRANSFER_SHARE = 0.25         # paid by bank transfer (the rest by card)
CANCELLED_SHARE = 0.025       # parcels the seller cancels after payment
REFUNDED_SHARE = 0.008        # delivered parcels refunded in full
PARTLY_REFUNDED_SHARE = 0.02  # delivered parcels with one unit refunded
CONFIRMED_SHARE = 0.75        # buyers who confirm delivery (the others' parcels complete on their own)
TRANSIT_DAYS = {Zone.SAME_CITY: (1, 2), Zone.SAME_PROVINCE: (1, 3), Zone.SAME_ISLAND_GROUP: (2, 5),
                Zone.DOMESTIC: (3, 8), Zone.INTERNATIONAL: (7, 16)}
DOMESTIC_COURIERS = ("jne", "jnt", "sicepat", "pos", "anteraja")
BANKS = ("BCA", "BRI", "Mandiri", "BNI", "BSI")
# Written by the seller, or by the admin, in Indonesian: the buyer and the seller read them.
SELLER_CANCEL_REASONS = (
    "Stok kain habis; kain baru selesai dicanting bulan depan.",
    "Warna kain yang tersisa luntur saat dicuci uji; kami tidak mengirim kain yang kurang baik.",
    "Penjahit kami sakit sehingga pesanan tidak bisa selesai tepat waktu.",
    "Ukuran yang dipesan ternyata sudah terjual di pameran.",
)
REFUND_REASONS = {
    "full": ("Barang tidak sesuai deskripsi; pembeli mengembalikan paket.",
             "Paket basah terkena banjir di perjalanan; kain rusak."),
    "partial": ("Satu barang rusak dalam pengiriman; pembeli mengirim foto.",
                "Warna berbeda dari foto; pembeli mengembalikan satu barang."),
}


def _after(rng: random.Random, moment: datetime, low_hours: float, high_hours: float) -> datetime:
    return moment + timedelta(hours=rng.uniform(low_hours, high_hours))


def _reference(rng: random.Random, prefix: str) -> str:
    return prefix + "".join(rng.choices(string.ascii_letters + string.digits, k=24))


def _tracking_number(rng: random.Random, courier: str, zone: Zone) -> str:
    if zone is Zone.INTERNATIONAL:
        return f"EE{rng.randrange(10**8, 10**9)}ID"
    digits = {"jne": 16, "jnt": 12, "sicepat": 12, "pos": 13, "anteraja": 15}[courier]
    number = str(rng.randrange(10 ** (digits - 1), 10**digits))
    return "JP" + number[:10] if courier == "jnt" else number


class SalesHistory:
    """Rows of orders and of all that followed them, as the services write them, with ids after
    the tables' current ones. `rows` holds them per model until write_rows() takes them."""

    def __init__(self, rng: random.Random, *, now: datetime, admin_id: int, next_ids: dict,
                 numbers_taken=(), key_prefix: str | None = None):
        self.rng, self.now, self.admin_id = rng, now, admin_id
        self.next_ids = dict(next_ids)
        self.numbers = set(numbers_taken)
        self.key_prefix = key_prefix
        self.rows: dict[type, list[dict]] = defaultdict(list)
        self.settled_at: dict[int, datetime] = {}  # shop order id -> delivered or cancelled at
        self.orders = 0
        self.payment_window = orders.payment_window()
        self.transfer_window = bank_transfer_window()
        self.auto_complete = timedelta(days=int(current_app.config.get("ORDER_AUTO_COMPLETE_DAYS", 14)))
        self._expiry_reasons: dict[str, str] = {}

    def _id(self, model) -> int:
        value = self.next_ids[model]
        self.next_ids[model] = value + 1
        return value

    def _number(self, placed_at: datetime) -> str:
        prefix = "CNT-" + placed_at.astimezone(TZ).strftime("%y%m") + "-"
        while True:
            number = prefix + "".join(self.rng.choices(orders._NUMBER_ALPHABET, k=4))
            if number not in self.numbers:
                self.numbers.add(number)
                return number

    def _expiry_reason(self, locale: str) -> str:
        if locale not in self._expiry_reasons:
            with force_locale(locale):  # as expire_unpaid_orders writes it
                self._expiry_reasons[locale] = _("No payment was received within the payment window.")
        return self._expiry_reasons[locale]

    def _entry(self, parcel: dict, kind: LedgerKind, amount: int, at: datetime, refund_id: int | None = None):
        if amount:
            self.rows[LedgerEntry].append({
                "id": self._id(LedgerEntry), "shop_id": parcel["shop_id"], "kind": kind.value, "amount": amount,
                "shop_order_id": parcel["id"], "refund_id": refund_id, "payout_id": None, "created_at": at})

    def add_order(self, placed_at: datetime, parts, buyer: Buyer, *, ordinary: bool = False) -> bool:
        """A checkout at PLACED_AT by BUYER of PARTS ([(seller, [(listing, quantity)])]) and what
        became of it by now: expired unpaid, or paid (card or bank transfer) and each parcel
        prepared, shipped, delivered, cancelled by its seller and refunded, or refunded after
        delivery, as far as time has come. ORDINARY: paid and kept, no mishap. Returns False
        (writing nothing) when it could not have been paid or expired by now."""
        rng = self.rng
        if not ordinary and rng.random() < EXPIRED_SHARE:
            return self._expired(placed_at, parts, buyer)
        by_transfer = not ordinary and rng.random() < TRANSFER_SHARE
        started = _after(rng, placed_at, 0.01, 0.1)
        paid_at = _after(rng, started, 0.15, 20) if by_transfer else _after(rng, started, 0.01, 0.1)
        if by_transfer and paid_at >= self.now:  # too recent for the transfer to have come: a card
            by_transfer, paid_at = False, _after(rng, started, 0.01, 0.1)
        if paid_at >= self.now:  # placed minutes ago: paid just now
            if placed_at >= self.now:
                return False
            started, paid_at = placed_at + (self.now - placed_at) / 3, placed_at + (self.now - placed_at) * 2 / 3
        due = max(placed_at + self.payment_window, started + self.transfer_window if by_transfer else placed_at)
        order = self._order(placed_at, buyer, due, status=OrderStatus.PAID, paid_at=paid_at)
        payment_id = self._id(Payment)
        last_change = paid_at
        parcels = []
        for seller, lines in parts:
            parcel, items = self._parcel(order, seller, lines, buyer, paid_at)
            parcels.append(parcel)
            self._entry(parcel, LedgerKind.SALE, parcel["items_total"] + parcel["shipping_fee"], paid_at)
            self._entry(parcel, LedgerKind.COMMISSION, -commission_on(parcel["items_total"]), paid_at)
            refund = self._fulfil(parcel, paid_at, ordinary)
            if refund is not None:
                last_change = max(last_change, self._refund(order, payment_id, by_transfer, parcel, items, *refund))
        self._settle(order, parcels)
        code = rng.randint(1, 999) if by_transfer else None
        self.rows[Payment].append({
            "id": payment_id, "order_id": order["id"],
            "method": (PaymentMethod.BANK_TRANSFER if by_transfer else PaymentMethod.CARD).value,
            "status": PaymentStatus.SUCCEEDED.value,
            "provider_ref": None if by_transfer else _reference(rng, "pi_"),
            "amount": order["total"] + (code or 0), "currency": CURRENCY, "unique_code": code,
            "expires_at": started + self.transfer_window if by_transfer else None,
            "failure_code": None, "failure_message": None,
            "confirmed_by_id": self.admin_id if by_transfer else None,
            "bank_reference": f"{rng.choice(BANKS)} {rng.randrange(10**9, 10**10)}" if by_transfer else None,
            "created_at": started, "updated_at": last_change, "succeeded_at": paid_at})
        return True

    def _order(self, placed_at: datetime, buyer: Buyer, due: datetime, *, status: OrderStatus,
               paid_at: datetime | None) -> dict:
        number = self._number(placed_at)
        key = None
        if self.key_prefix is not None:  # scoped as orders._idempotency_scope scopes a checkout's key
            scope = f"u{buyer.user_id}" if buyer.user_id is not None else f"g{buyer.email}"
            key = f"{scope}:{self.key_prefix}{self.orders}"
        order = {"id": self._id(Order), "number": number, "buyer_id": buyer.user_id, "email": buyer.email,
                 "locale": buyer.locale, "idempotency_key": key, "status": status.value,
                 "guest_token_hash": (orders.guest_token_hash(SimpleNamespace(number=number))
                                      if buyer.user_id is None else None),
                 **buyer.address, "items_total": 0, "shipping_total": 0, "total": 0,
                 "created_at": placed_at, "payment_due_at": due, "paid_at": paid_at,
                 "completed_at": None, "cancelled_at": None, "cancel_reason": None}
        self.rows[Order].append(order)
        self.orders += 1
        return order

    def _parcel(self, order: dict, seller: Seller, lines, buyer: Buyer, counted_from: datetime):
        zone = shipping.zone_for(seller, buyer.address)
        weight = sum(listing.weight_g * quantity for listing, quantity in lines)
        parcel_id = self._id(ShopOrder)
        items = [{"id": self._id(OrderItem), "shop_order_id": parcel_id, "variant_id": listing.variant_id,
                  "product_id": listing.product_id, "title": listing.title, "variant_name": listing.variant_name,
                  "unit_price": listing.unit_price, "quantity": quantity, "weight_g": listing.weight_g,
                  "made_to_order": False, "lead_time_days": None} for listing, quantity in lines]
        parcel = {"id": parcel_id, "order_id": order["id"], "shop_id": seller.shop_id,
                  "status": ShopOrderStatus.PAID.value,
                  "items_total": sum(item["unit_price"] * item["quantity"] for item in items),
                  "shipping_fee": shipping.shipping_fee(seller.rates[zone], weight), "shipping_zone": zone.value,
                  "weight_g": weight, "lead_days": seller.handling_days,
                  "ship_by": local_day(counted_from) + timedelta(days=seller.handling_days),
                  "courier": None, "tracking_number": None, "shipped_at": None, "delivered_at": None,
                  "cancelled_at": None, "cancel_reason": None, "late_notified_at": None,
                  "created_at": order["created_at"], "updated_at": counted_from}
        order["items_total"] += parcel["items_total"]
        order["shipping_total"] += parcel["shipping_fee"]
        order["total"] = order["items_total"] + order["shipping_total"]
        self.rows[ShopOrder].append(parcel)
        self.rows[OrderItem].extend(items)
        return parcel, items

    def _expired(self, placed_at: datetime, parts, buyer: Buyer) -> bool:
        due = placed_at + self.payment_window
        cancelled_at = due + timedelta(minutes=self.rng.uniform(1, 10))  # the expiry job's next run
        if cancelled_at >= self.now:
            return False
        reason = self._expiry_reason(buyer.locale)
        order = self._order(placed_at, buyer, due, status=OrderStatus.CANCELLED, paid_at=None)
        order.update(cancelled_at=cancelled_at, cancel_reason=reason)
        for seller, lines in parts:
            parcel, _items = self._parcel(order, seller, lines, buyer, placed_at)
            parcel.update(status=ShopOrderStatus.CANCELLED.value, cancelled_at=cancelled_at, cancel_reason=reason,
                          updated_at=cancelled_at)
        return True

    def _fulfil(self, parcel: dict, paid_at: datetime, ordinary: bool):
        """Move PARCEL, paid at PAID_AT, on as far as now allows. Returns the refund that followed,
        if any, as (kind, when, reason, by the admin), else None."""
        rng, now = self.rng, self.now
        handling = 24 * parcel["lead_days"]
        if not ordinary and rng.random() < CANCELLED_SHARE:
            cancelled_at = _after(rng, paid_at, 2, handling)
            if cancelled_at < now:
                reason = rng.choice(SELLER_CANCEL_REASONS)
                parcel.update(status=ShopOrderStatus.CANCELLED.value, cancelled_at=cancelled_at, cancel_reason=reason,
                              updated_at=cancelled_at)
                self.settled_at[parcel["id"]] = cancelled_at
                # The platform refunds it at once (payments.refunds, on the orders' signal).
                return "cancelled", cancelled_at + timedelta(seconds=rng.uniform(1, 30)), reason, False
        shipped_at = _after(rng, paid_at, 3, handling)
        if shipped_at >= now:
            if now - paid_at > timedelta(hours=2) and rng.random() < 0.7:
                parcel.update(status=ShopOrderStatus.PROCESSING.value, updated_at=paid_at + (now - paid_at) / 2)
            return None
        zone = Zone(parcel["shipping_zone"])
        courier = "pos" if zone is Zone.INTERNATIONAL else rng.choice(DOMESTIC_COURIERS)
        parcel.update(status=ShopOrderStatus.SHIPPED.value, courier=courier, shipped_at=shipped_at,
                      tracking_number=_tracking_number(rng, courier, zone), updated_at=shipped_at)
        low, high = TRANSIT_DAYS[zone]
        arrived = _after(rng, shipped_at, 24 * low, 24 * high)
        automatic = shipped_at + self.auto_complete + timedelta(minutes=rng.uniform(1, 60))
        delivered_at = min(_after(rng, arrived, 0.5, 48), automatic) if rng.random() < CONFIRMED_SHARE else automatic
        if delivered_at >= now:
            return None
        parcel.update(status=ShopOrderStatus.DELIVERED.value, delivered_at=delivered_at, updated_at=delivered_at)
        self.settled_at[parcel["id"]] = delivered_at
        if ordinary:
            return None
        draw = rng.random()
        if draw >= REFUNDED_SHARE + PARTLY_REFUNDED_SHARE:
            return None
        kind = "full" if draw < REFUNDED_SHARE else "partial"
        refunded_at = _after(rng, delivered_at, 6, 240)
        return (kind, refunded_at, rng.choice(REFUND_REASONS[kind]), True) if refunded_at < now else None

    def _refund(self, order: dict, payment_id: int, by_transfer: bool, parcel: dict, items: list[dict],
                kind: str, at: datetime, reason: str, by_admin: bool) -> datetime:
        """A succeeded refund of PARCEL (whole, or one unit of one item) with its lines and ledger
        entries, as payments.refunds writes it. Returns when it was made."""
        if kind == "partial":
            item = self.rng.choice(items)
            lines = [(item["id"], 1, item["unit_price"])]
        else:
            lines = [(item["id"], item["quantity"], item["unit_price"] * item["quantity"]) for item in items]
            if parcel["shipping_fee"]:
                lines.append((None, 0, parcel["shipping_fee"]))
        refund_id = self._id(Refund)
        amount = sum(line[2] for line in lines)
        self.rows[Refund].append({
            "id": refund_id, "payment_id": payment_id, "order_id": order["id"], "amount": amount,
            "status": RefundStatus.SUCCEEDED.value,
            "provider_ref": None if by_transfer else _reference(self.rng, "re_"),
            "reason": reason, "restock": False, "created_by_id": self.admin_id if by_admin else None,
            "created_at": at, "settled_at": at})
        self.rows[RefundLine].extend(
            {"id": self._id(RefundLine), "refund_id": refund_id, "shop_order_id": parcel["id"],
             "order_item_id": item_id, "quantity": quantity, "amount": line_amount}
            for item_id, quantity, line_amount in lines)
        items_back = sum(line_amount for item_id, _quantity, line_amount in lines if item_id is not None)
        kept = parcel["items_total"]  # one refund per parcel: nothing was given back before
        self._entry(parcel, LedgerKind.REFUND, -amount, at, refund_id)
        self._entry(parcel, LedgerKind.COMMISSION_RETURN, commission_on(kept) - commission_on(kept - items_back), at,
                    refund_id)
        return at

    @staticmethod
    def _settle(order: dict, parcels: list[dict]) -> None:
        """The order's state from its parcels', as orders._settle_order leaves it."""
        statuses = {parcel["status"] for parcel in parcels}
        ends = [parcel["delivered_at"] or parcel["cancelled_at"] for parcel in parcels]
        if statuses == {ShopOrderStatus.CANCELLED.value}:
            order.update(status=OrderStatus.CANCELLED.value, cancelled_at=max(ends),
                         cancel_reason=next(parcel["cancel_reason"] for parcel in parcels))
        elif statuses <= {ShopOrderStatus.CANCELLED.value, ShopOrderStatus.DELIVERED.value}:
            order.update(status=OrderStatus.COMPLETED.value, completed_at=max(ends))

    def pay_out(self, accounts: dict[int, tuple[str, str, str]], *, since: date, minimum: int) -> None:
        """A payout batch created on the 3rd of each month from SINCE (10:00 in Jakarta) and marked
        paid the next day, paying each shop of ACCOUNTS ({shop id: (bank code, account number,
        holder)}) what was available to it then (payouts.plan_payouts), when at least MINIMUM."""
        entries: dict[int, list[dict]] = defaultdict(list)
        for entry in self.rows[LedgerEntry]:
            if entry["shop_id"] in accounts:
                entries[entry["shop_id"]].append(entry)
        month = date(since.year, since.month, 1)
        while True:
            created_at = local_midnight(month.replace(day=3)) + timedelta(hours=10)
            paid_at = _after(self.rng, created_at, 20, 30)
            if paid_at >= self.now:
                return
            batch_id = None
            for shop_id, (bank_code, number, holder) in sorted(accounts.items()):
                available = sum(entry["amount"] for entry in entries[shop_id]
                                if entry["created_at"] <= created_at and self._available(entry, created_at))
                if available < minimum:
                    continue
                if batch_id is None:
                    batch_id = self._id(PayoutBatch)
                    self.rows[PayoutBatch].append({"id": batch_id, "status": PayoutBatchStatus.PAID.value,
                                                   "created_by_id": self.admin_id, "created_at": created_at,
                                                   "paid_at": paid_at})
                payout_id = self._id(Payout)
                self.rows[Payout].append({"id": payout_id, "batch_id": batch_id, "shop_id": shop_id,
                                          "amount": available, "bank_code": bank_code, "account_number": number,
                                          "holder_name": holder, "is_open": False})
                entry = {"id": self._id(LedgerEntry), "shop_id": shop_id, "kind": LedgerKind.PAYOUT.value,
                         "amount": -available, "shop_order_id": None, "refund_id": None, "payout_id": payout_id,
                         "created_at": paid_at}
                self.rows[LedgerEntry].append(entry)
                entries[shop_id].append(entry)
            month = month_after(month)

    def _available(self, entry: dict, moment: datetime) -> bool:
        """Whether ENTRY counted as available at MOMENT: its parcel delivered or cancelled by then
        (ledger.PENDING_SHOP_ORDER_STATUSES), or tied to no parcel."""
        if entry["shop_order_id"] is None:
            return True
        settled = self.settled_at.get(entry["shop_order_id"])
        return settled is not None and settled <= moment


# --- writing ------------------------------------------------------------------------------------

WRITE_ORDER = (Order, ShopOrder, OrderItem, Payment, Refund, RefundLine, PayoutBatch, Payout, LedgerEntry,
               ProductViewDay)
WITH_IDS = WRITE_ORDER[:-1]


def first_free_ids(connection) -> dict:
    return {model: (connection.scalar(sa.select(sa.func.max(model.id))) or 0) + 1 for model in WITH_IDS}


def write_rows(connection, history: SalesHistory, *, chunk: int = 5_000) -> int:
    """Insert the rows HISTORY holds (one executemany per table and chunk), emptying it. Returns
    how many rows it wrote."""
    written = 0
    for model in WRITE_ORDER:
        rows = history.rows.pop(model, [])
        for start in range(0, len(rows), chunk):
            connection.execute(sa.insert(model.__table__), rows[start:start + chunk])
        written += len(rows)
    return written


def sync_sequences(connection) -> None:
    """PostgreSQL numbers rows from sequences, which rows written with their own ids leave behind."""
    if connection.dialect.name != "postgresql":
        return
    for model in WITH_IDS:
        table = model.__tablename__
        connection.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"))
