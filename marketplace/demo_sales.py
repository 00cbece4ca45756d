"""The demo's sales history: years of orders for the demo graduates' shops, so that every report
(the officers' impact dashboards, the sellers' analytics, the admin's overview) shows something
on a fresh `flask seed-demo`.

Each selling graduate makes a first sale some days after graduating (SELLER_PLANS: from twelve
days to ten months; some graduates never sell), then sells on through the seasons: the weeks of
Ramadan before Lebaran, Hari Batik Nasional (2 October), Harbolnas (12 December), paydays, and
a quiet week of mudik around Lebaran. Sales before the last twelve months are thinner. Buyers
come from every province, mostly outside the artisan's own, a few from abroad (demo_buyers.py).
Most pay by card, some by bank transfer; a few parcels are cancelled by their seller and refunded
by the platform, a few are refunded in part or in full after delivery, a few checkouts expire
unpaid; shops with bank details are paid out monthly over the last year.

The rows are those the services write (orders/services.py, payments/): totals that add up, states
reached along the state machines with their times in order, in the past, in UTC; a sale and a
commission per paid parcel, the refund entries of payments/ledger.py and payouts, so that
`payments.reconcile` agrees. They are built in memory and written with one executemany per table:
through the services the history would take minutes. Stock is left alone: it is what is on the
shelf now. The card payments carry made-up PaymentIntent ids (`pi_…`), which no Stripe account
knows: reconciling with a Stripe configured lists them.

The dice are fixed (random.Random(SEED)); times count back from the moment of seeding.
bench/reports_bench.py builds its 100,000 orders with the same SalesHistory.
"""
from __future__ import annotations

import bisect
import itertools
import math
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

from marketplace.catalog.models import Product, ProductImage, ProductViewDay, Shop, Variant
from marketplace.core.times import as_utc, utcnow
from marketplace.demo_buyers import Buyer, Buyers
from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.orders import shipping
from marketplace.orders.models import Order, OrderItem, OrderStatus, ShopOrder, ShopOrderStatus, Zone
from marketplace.payments.gateway import CURRENCY
from marketplace.payments.ledger import commission_on
from marketplace.payments.models import (
    LedgerEntry, LedgerKind, Payment, PaymentMethod, PaymentStatus, Payout, PayoutAccount, PayoutBatch,
    PayoutBatchStatus, Refund, RefundLine, RefundStatus,
)
from marketplace.payments.payouts import payout_minimum
from marketplace.payments.services import bank_transfer_window
from marketplace.programs.models import Graduation, GraduationStatus

TZ = orders.SHOP_TIMEZONE
SEED = 1212
HISTORY_KEY = "demo-history-"  # in each history order's idempotency key: how a second seed finds it
DAYS_PER_MONTH = 30.44

# --- the calendar -------------------------------------------------------------------------------

# Idul Fitri (1 Syawal) as the government's joint decree dates it.
LEBARAN = {2020: date(2020, 5, 24), 2021: date(2021, 5, 13), 2022: date(2022, 5, 2), 2023: date(2023, 4, 22),
           2024: date(2024, 4, 10), 2025: date(2025, 3, 31), 2026: date(2026, 3, 20), 2027: date(2027, 3, 10),
           2028: date(2028, 2, 26), 2029: date(2029, 2, 14), 2030: date(2030, 2, 5)}
# Orders by hour of the day in Jakarta: lunch and the evening, hardly any before dawn.
HOUR_WEIGHTS = (1.0, 0.5, 0.3, 0.2, 0.3, 0.6, 1.2, 2.0, 2.5, 3.0, 3.2, 3.4,
                4.0, 3.8, 3.0, 3.0, 3.0, 3.2, 3.6, 4.5, 5.0, 4.6, 3.4, 2.0)


def season(day: date) -> float:
    """How busy DAY is against an ordinary day."""
    weight = 1.0
    lebaran = LEBARAN.get(day.year)
    if lebaran is not None:
        before = (lebaran - day).days
        if 4 <= before <= 35:  # Ramadan: new clothes and gifts, until the couriers' last days
            weight *= 2.3
        elif -7 <= before < 4:  # mudik: couriers and workshops stop
            weight *= 0.45
    if -5 <= (date(day.year, 10, 2) - day).days <= 21:  # Hari Batik Nasional: offices wear batik
        weight *= 1.9
    if day.month == 12 and 10 <= day.day <= 12:  # Harbolnas, 12.12
        weight *= 1.7
    if day.day >= 25 or day.day <= 2:  # payday
        weight *= 1.15
    return weight


def local_midnight(day: date) -> datetime:
    """The start of DAY in Jakarta, in UTC."""
    return datetime.combine(day, time.min, tzinfo=TZ).astimezone(timezone.utc)


def local_day(moment: datetime) -> date:
    return moment.astimezone(TZ).date()


def month_after(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def history_window(now: datetime, months: int = 12) -> date:
    """The first day of the Jakarta month MONTHS before the current one."""
    today = local_day(now)
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


# --- who sells what, and when ---------------------------------------------------------------------

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


def order_moments(rng: random.Random, sellers: list[Seller], *, now: datetime, growth,
                  total: int | None = None) -> list[tuple[datetime, Seller, bool]]:
    """When orders are placed and at which seller, oldest first, as (moment, seller, is first
    sale): each seller's first sale at its first_sale_at, the others on days weighted by season()
    and GROWTH(day), among sellers by their orders_per_month; TOTAL in all (by default what
    those rates give)."""
    today = local_day(now)
    first_day = min(local_day(seller.first_sale_at) for seller in sellers)
    days = [first_day + timedelta(days=n) for n in range((today - first_day).days + 1)]
    cumulative = list(itertools.accumulate(season(day) * growth(day) for day in days))
    before = [cumulative[index - 1] if index else 0.0
              for index in ((local_day(seller.first_sale_at) - first_day).days for seller in sellers)]
    masses = [seller.orders_per_month / DAYS_PER_MONTH * (cumulative[-1] - low) for seller, low in zip(sellers, before)]
    total = round(sum(masses)) if total is None else total
    by_seller = list(itertools.accumulate(masses))
    moments = [(seller.first_sale_at, seller, True) for seller in sellers]
    for _attempt in range(3 * total):
        if len(moments) >= total:
            break
        index = min(bisect.bisect_right(by_seller, rng.random() * by_seller[-1]), len(sellers) - 1)
        seller, low = sellers[index], before[index]
        day = days[min(bisect.bisect_right(cumulative, low + rng.random() * (cumulative[-1] - low)), len(days) - 1)]
        start = local_midnight(day)
        if day == today:
            moment = start + (now - start) * rng.random()
        else:
            moment = start + timedelta(hours=rng.choices(range(24), HOUR_WEIGHTS)[0], seconds=rng.randrange(3600))
        if seller.first_sale_at < moment < now:
            moments.append((moment, seller, False))
    moments.sort(key=lambda moment: moment[0])
    return moments


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
            "status": RefundStatus.SUCCEEDED.value, "provider_ref": None if by_transfer else _reference(self.rng, "re_"),
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

    def add_views(self, product_ids, *, per_day: float, since: date) -> None:
        """Daily page views of PRODUCT_IDS from SINCE to today, about PER_DAY on an ordinary day."""
        today = local_day(self.now)
        for product_id in product_ids:
            day = since
            while day <= today:
                views = _poisson(self.rng, per_day * season(day))
                if views:
                    self.rows[ProductViewDay].append({"product_id": product_id, "day": day, "views": views})
                day += timedelta(days=1)


def _poisson(rng: random.Random, mean: float) -> int:
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


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


# --- the demo's history -------------------------------------------------------------------------

# Per demo shop: days from its owner's graduation to the first sale, and orders in an ordinary month
# of the last year. Graduates left out never sold (demo.py: a shop that lists nothing yet, a shop
# nobody has bought from, graduates without a shop).
SELLER_PLANS = {
    "sanggar-batik-rini": (12, 6), "serasan-batik-nurul": (25, 8), "jumputan-banyuasin-budi": (40, 3),
    "rahmat-batik-tulis": (60, 6), "jumputan-ayu": (75, 4), "batik-kaltim-agus": (100, 5),
    "rumah-batik-yanti": (140, 3), "batik-sari": (150, 7), "batik-bunga-kopi-dian": (300, 3),
}
# Shops whose owners never sold, opened this many days after graduating. (A seller's shop opens
# days before its first sale; a demo shop in neither list opened at seeding.)
SHOPS_OPENED = {"batik-fajar-bontang": 200}
MULTI_SHOP_SHARE = 0.06  # checkouts from two graduates' shops at once
VIEWS_PER_ORDER = 40     # product page views for each order, roughly


def _ramp(window: date):
    """Fewer buyers before the last year: a quarter as many a year before it, rising to all."""
    def growth(day: date) -> float:
        days_before = (window - day).days
        return 1.0 if days_before <= 0 else max(0.25, 1 - 0.75 * days_before / 365)
    return growth


def _at(day: date, hour: int) -> datetime:
    return local_midnight(day) + timedelta(hours=hour)


def _demo_sellers(rng: random.Random, now: datetime) -> list[Seller]:
    shops = {shop.slug: shop for shop in db.session.scalars(sa.select(Shop).where(Shop.slug.in_(list(SELLER_PLANS))))}
    listings = shop_listings(shop.id for shop in shops.values())
    sellers = []
    for slug, (delay, per_month) in SELLER_PLANS.items():
        shop = shops.get(slug)
        if shop is None or not listings.get(shop.id):
            continue
        graduation = db.session.scalars(  # a verified one first
            sa.select(Graduation).where(Graduation.artisan_id == shop.owner_id)
            .order_by(Graduation.status != GraduationStatus.VERIFIED.value, Graduation.graduated_on)).first()
        if graduation is None:
            continue
        first_sale_at = _at(graduation.graduated_on + timedelta(days=delay), rng.randint(9, 20))
        if first_sale_at < now:
            sellers.append(Seller(shop.id, shop.city, shop.province, shop.handling_days, shipping.rates_for(shop.id),
                                  listings[shop.id], first_sale_at, per_month,
                                  is_graduate=graduation.status == GraduationStatus.VERIFIED.value))
    return sellers


def _date_the_past(rng: random.Random, artisans, sellers: list[Seller]) -> None:
    """Date ARTISANS' graduations, accounts, shops and products back before their sales (seed-demo
    made them all a moment ago): a graduation claimed five days after the course and verified
    three days later, the shop opened days before its first sale, its products listed within a day."""
    first_sale = {seller.shop_id: seller.first_sale_at for seller in sellers}
    for artisan in artisans:
        verified = db.session.scalars(sa.select(Graduation).where(
            Graduation.artisan_id == artisan.id, Graduation.status == GraduationStatus.VERIFIED.value)).all()
        for graduation in verified:
            graduation.created_at = _at(graduation.graduated_on + timedelta(days=5), 10)
            graduation.decided_at = graduation.created_at + timedelta(days=3, hours=4)
        if verified:
            artisan.created_at = min(as_utc(artisan.created_at),
                                     min(as_utc(g.created_at) for g in verified) - timedelta(days=1))
        shop = db.session.scalar(sa.select(Shop).where(Shop.owner_id == artisan.id))
        if shop is None:
            continue
        if shop.id in first_sale:
            opened = first_sale[shop.id] - timedelta(days=rng.uniform(4, 20))
            if verified:  # not before the account that claimed the graduation
                opened = max(opened, as_utc(artisan.created_at) + timedelta(hours=2))
        elif shop.slug in SHOPS_OPENED and verified:
            opened = _at(min(g.graduated_on for g in verified) + timedelta(days=SHOPS_OPENED[shop.slug]), 11)
        else:
            continue
        artisan.created_at = min(as_utc(artisan.created_at), opened - timedelta(hours=1))
        shop.created_at = opened
        for product in db.session.scalars(sa.select(Product).where(Product.shop_id == shop.id)):
            product.created_at = product.updated_at = _after(rng, opened, 1, 24)
            db.session.execute(sa.update(ProductImage).where(ProductImage.product_id == product.id)
                               .values(created_at=product.created_at))
    db.session.flush()


def _one_each_month(sellers: list[Seller], since: date, now: datetime) -> list[tuple[datetime, Seller, bool]]:
    """An ordinary order in the middle of each Jakarta month from SINCE to now (of this month,
    the part gone by), from a graduate selling by then: no month of a yearly chart is empty,
    whatever the dice say."""
    graduates = [seller for seller in sellers if seller.is_graduate]
    moments, month, turn = [], since, 0
    while local_midnight(month) < now:
        begin = local_midnight(month)
        moment = begin + (min(local_midnight(month_after(month)), now) - begin) / 2
        selling = [seller for seller in graduates if seller.first_sale_at < moment]
        if selling:
            moments.append((moment, selling[turn % len(selling)], True))
            turn += 1
        month = month_after(month)
    return moments


def build_history(history: SalesHistory, rng: random.Random, moments, sellers: list[Seller], buyers: Buyers) -> None:
    """An order at each of MOMENTS ((when, seller, ordinary)), now and then with a second shop's
    parcel, bought by BUYERS."""
    for moment, seller, ordinary in moments:
        buyer = buyers.pick(seller, ships_abroad=seller.ships_abroad)
        parts = [(seller, seller.basket(rng))]
        if not ordinary and rng.random() < MULTI_SHOP_SHARE:
            others = [other for other in sellers if other is not seller and other.first_sale_at < moment
                      and (other.ships_abroad or not buyer.is_abroad)]
            if others:
                other = rng.choice(others)
                parts.append((other, other.basket(rng)))
        history.add_order(moment, parts, buyer, ordinary=ordinary)


def seed_sales_history(*, admin, artisans, accounts: list[Buyer]) -> int:
    """The demo's sales history (see the module's docstring), once: nothing when a history order
    is there already. ADMIN confirmed the transfers and refunds; ARTISANS are the demo's; ACCOUNTS
    are demo buyers who buy now and then. Returns how many orders it wrote. Flushes only."""
    if db.session.scalar(sa.select(Order.id).where(Order.idempotency_key.contains(HISTORY_KEY)).limit(1)):
        return 0
    now, rng = utcnow(), random.Random(SEED)
    sellers = _demo_sellers(rng, now)
    if not sellers:
        return 0
    _date_the_past(rng, artisans, sellers)
    window = history_window(now)
    moments = sorted(order_moments(rng, sellers, now=now, growth=_ramp(window)) + _one_each_month(sellers, window, now),
                     key=lambda moment: moment[0])
    connection = db.session.connection()
    history = SalesHistory(rng, now=now, admin_id=admin.id, next_ids=first_free_ids(connection),
                           numbers_taken=db.session.scalars(sa.select(Order.number)), key_prefix=HISTORY_KEY)
    build_history(history, rng, moments, sellers, Buyers(rng, accounts))
    accounts_by_shop = {account.shop_id: (account.bank_code, account.account_number, account.holder_name)
                        for account in db.session.scalars(sa.select(PayoutAccount))}
    history.pay_out({shop_id: account for shop_id, account in accounts_by_shop.items()
                     if shop_id in {seller.shop_id for seller in sellers}}, since=window, minimum=payout_minimum())
    shop_ids = [seller.shop_id for seller in sellers] + list(db.session.scalars(
        sa.select(Shop.id).where(Shop.slug.in_(list(SHOPS_OPENED)))))
    listed = shop_listings(shop_ids)
    rates = {seller.shop_id: seller.orders_per_month for seller in sellers}
    for shop_id in shop_ids:
        products = sorted({listing.product_id for listing in listed.get(shop_id, [])})
        per_day = VIEWS_PER_ORDER * rates.get(shop_id, 0.5) / DAYS_PER_MONTH / max(1, len(products))
        history.add_views(products, per_day=per_day, since=window)
    written = history.orders
    write_rows(connection, history)
    sync_sequences(connection)
    return written
