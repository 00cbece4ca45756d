"""Cart, checkout and the life of an order. Each public function is one transaction.

Checkout re-reads every price from the database, takes stock with conditional UPDATEs (see
catalog/stock.py) and writes the Order, one ShopOrder per shop and their items together, or
nothing. Every state change goes through `_move`, which consults the tables of allowed
transitions below. Mail leaves through the outbox, written in the same transaction.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from blinker import Namespace
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import Role, User
from marketplace.catalog import stock
from marketplace.catalog.models import Shop, Variant
from marketplace.core.errors import InvalidTransition, NotFound, ValidationFailed
from marketplace.core.mail import queue_mail
from marketplace.core.times import as_utc, utcnow
from marketplace.core.transaction import commit
from marketplace.core.urls import external_url
from marketplace.extensions import db
from marketplace.orders import shipping
from marketplace.orders.address import clean_address
from marketplace.orders.cart import MAX_QUANTITY, clear_ordered_lines
from marketplace.orders.models import (
    COURIERS, Order, OrderItem, OrderStatus, ShopOrder, ShopOrderStatus,
)

MAX_LINES = 50
SHOP_TIMEZONE = ZoneInfo("Asia/Jakarta")

# The only moves an order and a shop's part of it can make; anything else is InvalidTransition.
ORDER_TRANSITIONS = {
    OrderStatus.PENDING_PAYMENT: {OrderStatus.PAID, OrderStatus.CANCELLED},
    OrderStatus.PAID: {OrderStatus.COMPLETED, OrderStatus.CANCELLED},
    OrderStatus.COMPLETED: set(),
    OrderStatus.CANCELLED: set(),
}
SHOP_ORDER_TRANSITIONS = {
    ShopOrderStatus.AWAITING_PAYMENT: {ShopOrderStatus.PAID, ShopOrderStatus.CANCELLED},
    ShopOrderStatus.PAID: {ShopOrderStatus.PROCESSING, ShopOrderStatus.SHIPPED, ShopOrderStatus.CANCELLED},
    ShopOrderStatus.PROCESSING: {ShopOrderStatus.SHIPPED, ShopOrderStatus.CANCELLED},
    ShopOrderStatus.SHIPPED: {ShopOrderStatus.DELIVERED},
    ShopOrderStatus.DELIVERED: set(),
    ShopOrderStatus.CANCELLED: set(),
}
OPEN_SHOP_ORDER_STATUSES = (ShopOrderStatus.PAID.value, ShopOrderStatus.PROCESSING.value)

# Sent after the commit that cancelled a ShopOrder the buyer had already paid for, with
# shop_order_id and reason. Payments listens and refunds it: orders sits below payments and
# may not call it (docs/shared DESIGN, "one package per domain").
signals = Namespace()
shop_order_cancelled = signals.signal("shop-order-cancelled")


def _move(thing: Order | ShopOrder, table: dict, new) -> None:
    """Change THING's status to NEW if TABLE allows it from the current one.

    The change is a guarded UPDATE (… WHERE status = <the status we read>), so of two requests
    racing (a payment and the expiry job, a shipment and a cancellation) only one wins; the
    other rolls back everything its use case wrote and raises InvalidTransition.
    """
    current = type(new)(thing.status)
    refused = InvalidTransition(_("This order is %(current)s and cannot become %(new)s.",
                                  current=status_label(current.value), new=status_label(new.value)))
    if new not in table[current]:
        raise refused
    model = type(thing)
    changed = db.session.execute(
        sa.update(model).where(model.id == thing.id, model.status == current.value)
        .values(status=new.value).execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        raise refused
    thing.status = new.value


def status_label(status: str) -> str:
    return {
        "pending_payment": _("awaiting payment"), "awaiting_payment": _("awaiting payment"),
        "paid": _("paid"), "processing": _("being prepared"), "shipped": _("shipped"),
        "delivered": _("delivered"), "completed": _("completed"), "cancelled": _("cancelled"),
    }.get(status, status)


def local_today() -> date:
    return utcnow().astimezone(SHOP_TIMEZONE).date()


def lead_days(shop: Shop, variants: list[Variant]) -> int:
    """Days from payment until the parcel goes to the courier: the shop's handling days for ready
    stock, a made-to-order piece's lead time, whichever is longest."""
    return max((v.lead_time_days if v.made_to_order else shop.handling_days for v in variants),
               default=shop.handling_days)


# --- checkout ------------------------------------------------------------------------------

_NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud on the phone
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
IDEMPOTENCY_KEY_RE = re.compile(r"^[A-Za-z0-9_\-:.]{8,200}$")


def _new_order_number() -> str:
    prefix = "CNT-" + utcnow().astimezone(SHOP_TIMEZONE).strftime("%y%m") + "-"
    while True:
        number = prefix + "".join(secrets.choice(_NUMBER_ALPHABET) for _i in range(4))
        if db.session.scalar(sa.select(Order.id).filter_by(number=number)) is None:
            return number


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def guest_token(order: Order) -> str:
    """The secret in a guest order's link: an HMAC of the order number under SECRET_KEY, so every
    mail can carry the link again while the database keeps only its SHA-256 (a leaked table
    opens no order). Rotating SECRET_KEY retires old links; the buyer can ask support."""
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), f"guest-order:{order.number}".encode(),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def guest_token_hash(order: Order) -> str:
    """What a guest ORDER stores of its link's secret (only ORDER.number is read)."""
    return _token_hash(guest_token(order))


def payment_window() -> timedelta:
    return timedelta(minutes=int(current_app.config.get("ORDER_PAYMENT_WINDOW", 30)))


@dataclass
class PlacedOrder:
    order: Order
    created: bool  # False: an earlier checkout with the same Idempotency-Key


def _checked_items(items) -> dict[int, int]:
    if not isinstance(items, list) or not items:
        raise ValidationFailed(_("Your cart is empty."), field="items")
    if len(items) > MAX_LINES:
        raise ValidationFailed(_("At most %(n)d different items per order.", n=MAX_LINES), field="items")
    wanted: dict[int, int] = {}
    for item in items:
        variant_id = item.get("variant_id") if isinstance(item, dict) else None
        if not isinstance(variant_id, int) or isinstance(variant_id, bool):
            raise ValidationFailed(_("Each item needs a variant."), field="items")
        quantity = item.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            raise ValidationFailed(_("Choose a quantity from 1 to %(max)d.", max=MAX_QUANTITY), field="items")
        wanted[variant_id] = wanted.get(variant_id, 0) + quantity
        if wanted[variant_id] > MAX_QUANTITY:
            raise ValidationFailed(_("Choose a quantity from 1 to %(max)d.", max=MAX_QUANTITY), field="items")
    return wanted


def _idempotency_scope(buyer: User | None, email: str, key: str | None) -> str | None:
    if not key:
        return None
    if not IDEMPOTENCY_KEY_RE.match(key):
        raise ValidationFailed(_("The Idempotency-Key must be 8 to 200 letters, digits or - _ : ."),
                               field="idempotency_key")
    return f"u{buyer.id}:{key}" if buyer is not None else f"g{email}:{key}"


def _earlier_order(scoped_key: str | None) -> Order | None:
    if scoped_key is None:
        return None
    return db.session.scalar(sa.select(Order).filter_by(idempotency_key=scoped_key))


def place_order(buyer: User | None, *, items, shipping_address: dict, email: str | None = None,
                idempotency_key: str | None = None, locale: str = "id") -> PlacedOrder:
    """Check out ITEMS ([{variant_id, quantity}]) to SHIPPING_ADDRESS, as BUYER or as a guest
    with EMAIL: one Order, one ShopOrder per shop, stock held until payment or expiry.

    Prices, weights and shipping come from the database, never from the caller. The same
    IDEMPOTENCY_KEY from the same buyer returns the first order instead of a second one.
    Raises ValidationFailed (field errors), OutOfStock (naming the item; nothing is held).
    """
    email = (buyer.email if buyer is not None else (email or "").strip().lower())
    locale = buyer.locale if buyer is not None else locale
    if buyer is None and (not EMAIL_RE.match(email) or len(email) > 254):
        raise ValidationFailed(_("Enter the email address we send your order to."), field="email")
    scoped_key = _idempotency_scope(buyer, email, idempotency_key)
    earlier = _earlier_order(scoped_key)
    if earlier is not None:
        return PlacedOrder(earlier, created=False)
    wanted = _checked_items(items)
    address = clean_address(shipping_address)
    expire_unpaid_orders(variant_ids=list(wanted))  # an expired hold must not block this buyer

    variants = stock.purchasable_variants(wanted)
    for variant_id in wanted:
        if variant_id not in variants:
            raise ValidationFailed(_("An item in your cart is no longer for sale; remove it and try again."),
                                   field="items")
    by_shop: dict[int, list[Variant]] = {}
    for variant in variants.values():
        by_shop.setdefault(variant.product.shop_id, []).append(variant)
    quotes = {}
    for shop_id, shop_variants in by_shop.items():
        shop = shop_variants[0].product.shop
        weight = sum(v.product.weight_g * wanted[v.id] for v in shop_variants)
        quotes[shop_id] = (weight, *shipping.quote(shop, address, weight))

    try:
        for variant in sorted(variants.values(), key=lambda v: v.id):  # one lock order: no deadlocks
            stock.take_stock(variant, wanted[variant.id])
        order = _build_order(buyer, email, locale, address, scoped_key, by_shop, wanted, quotes)
        db.session.flush()
    except IntegrityError:
        # The same Idempotency-Key committed by a concurrent request: ours rolls back, stock too.
        db.session.rollback()
        earlier = _earlier_order(scoped_key)
        if earlier is None:
            raise
        return PlacedOrder(earlier, created=False)
    except Exception:
        db.session.rollback()
        raise
    _mail_order(order, "placed")
    if buyer is not None:
        clear_ordered_lines(buyer, wanted)
    commit()
    return PlacedOrder(order, created=True)


def _build_order(buyer, email, locale, address, scoped_key, by_shop, wanted, quotes) -> Order:
    now = utcnow()
    order = Order(number=_new_order_number(), buyer=buyer, email=email, locale=locale, idempotency_key=scoped_key, status=OrderStatus.PENDING_PAYMENT.value,
                  created_at=now, payment_due_at=now + payment_window(), **address)
    for shop_id in sorted(by_shop, key=lambda s: by_shop[s][0].product.shop.name):
        shop_variants = by_shop[shop_id]
        shop = shop_variants[0].product.shop
        weight, zone, fee = quotes[shop_id]
        days = lead_days(shop, shop_variants)
        shop_order = ShopOrder(shop_id=shop_id, status=ShopOrderStatus.AWAITING_PAYMENT.value,
                               shipping_fee=fee, shipping_zone=zone.value, weight_g=weight,
                               lead_days=days, ship_by=local_today() + timedelta(days=days))
        for variant in sorted(shop_variants, key=lambda v: (v.product.title, v.position)):
            shop_order.items.append(OrderItem(
                variant_id=variant.id, product_id=variant.product_id, title=variant.product.title,
                variant_name=variant.name, unit_price=variant.effective_price, quantity=wanted[variant.id],
                weight_g=variant.product.weight_g, made_to_order=variant.made_to_order,
                lead_time_days=variant.lead_time_days if variant.made_to_order else None,
            ))
        shop_order.items_total = sum(item.line_total for item in shop_order.items)
        order.shop_orders.append(shop_order)
    order.items_total = sum(so.items_total for so in order.shop_orders)
    order.shipping_total = sum(so.shipping_fee for so in order.shop_orders)
    order.total = order.items_total + order.shipping_total
    if buyer is None:
        order.guest_token_hash = guest_token_hash(order)
    db.session.add(order)
    return order


# --- reading orders ------------------------------------------------------------------------

def order_for(user: User, order_id: int) -> Order:
    """The buyer's own order (any order for an admin); anything else is NotFound."""
    order = db.session.get(Order, order_id)
    if order is None or not (order.buyer_id == user.id or user.has_role(Role.ADMIN.value)):
        raise NotFound(_("Order not found."))
    return order


def order_for_number(user: User, number: str) -> Order:
    order = db.session.scalar(sa.select(Order).filter_by(number=(number or "").upper()))
    if order is None:
        raise NotFound(_("Order not found."))
    return order_for(user, order.id)


def order_for_guest_token(token: str) -> Order:
    """The order behind a guest's secret link. Any wrong token is NotFound."""
    if not token or len(token) > 100:
        raise NotFound(_("Order not found."))
    order = db.session.scalar(sa.select(Order).filter_by(guest_token_hash=_token_hash(token)))
    if order is None:
        raise NotFound(_("Order not found."))
    return order


def orders_of(buyer: User) -> list[Order]:
    return list(db.session.scalars(
        sa.select(Order).filter_by(buyer_id=buyer.id).order_by(Order.created_at.desc(), Order.id.desc()).limit(200)
    ))


def shop_order_for_seller(seller: User, shop_order_id: int) -> ShopOrder:
    """A ShopOrder of the seller's own shop; another shop's (or a missing one) is NotFound."""
    shop_order = db.session.scalar(
        sa.select(ShopOrder).join(Shop, Shop.id == ShopOrder.shop_id)
        .where(ShopOrder.id == shop_order_id, Shop.owner_id == seller.id)
    )
    if shop_order is None:
        raise NotFound(_("Order not found."))
    return shop_order


def shop_orders_query(seller: User, status: str | None = None) -> sa.Select:
    """The seller's incoming ShopOrders, most urgent first: open ones (paid, being prepared) by
    ship-by date, then the rest; newest first within each."""
    is_open = ShopOrder.status.in_(OPEN_SHOP_ORDER_STATUSES)
    query = (sa.select(ShopOrder).join(Shop, Shop.id == ShopOrder.shop_id).where(Shop.owner_id == seller.id))
    if status:
        query = query.where(ShopOrder.status == status)
    # The queue shows each parcel's order number and recipient: load the orders with the page.
    return query.options(selectinload(ShopOrder.order)).order_by(
        sa.case((is_open, 0), else_=1), sa.case((is_open, ShopOrder.ship_by)),
        ShopOrder.created_at.desc(), ShopOrder.id.desc())


def shop_orders_of(seller: User, status: str | None = None, limit: int = 300) -> list[ShopOrder]:
    """The first LIMIT of shop_orders_query (the seller's page)."""
    return list(db.session.scalars(shop_orders_query(seller, status).limit(limit)))


def is_late(shop_order: ShopOrder) -> bool:
    return shop_order.status in OPEN_SHOP_ORDER_STATUSES and shop_order.ship_by < local_today()


# --- state changes -------------------------------------------------------------------------

def mark_paid(order: Order) -> None:
    """A step of the payments domain's use case (a card payment confirmed, a bank transfer
    matched): the order and each shop's part become paid, each ship-by date counts from today,
    and the buyer and sellers are mailed. Flushes only; the caller commits with its own rows.

    Raises InvalidTransition (not awaiting payment: already paid, or expired and cancelled).
    """
    _move(order, ORDER_TRANSITIONS, OrderStatus.PAID)
    order.paid_at = utcnow()
    for shop_order in order.shop_orders:
        _move(shop_order, SHOP_ORDER_TRANSITIONS, ShopOrderStatus.PAID)
        shop_order.ship_by = local_today() + timedelta(days=shop_order.lead_days)
    _mail_order(order, "paid")
    db.session.flush()


def extend_payment_window(order: Order, until) -> None:
    """Hold ORDER's stock until UNTIL (a bank transfer takes longer than a card). Flushes only."""
    if order.status != OrderStatus.PENDING_PAYMENT.value:
        raise InvalidTransition(_("This order is no longer awaiting payment."))
    order.payment_due_at = max(as_utc(order.payment_due_at), until)
    db.session.flush()


def mark_processing(seller: User, shop_order_id: int) -> ShopOrder:
    """The seller has started on a paid ShopOrder. Raises NotFound, InvalidTransition."""
    shop_order = shop_order_for_seller(seller, shop_order_id)
    _move(shop_order, SHOP_ORDER_TRANSITIONS, ShopOrderStatus.PROCESSING)
    commit()
    return shop_order


TRACKING_RE = re.compile(r"^[A-Za-z0-9\-]{6,40}$")


def ship_shop_order(seller: User, shop_order_id: int, *, courier: str, tracking_number: str) -> ShopOrder:
    """The seller handed the parcel to COURIER; the buyer is mailed the TRACKING_NUMBER.

    Raises NotFound, ValidationFailed (unknown courier, malformed tracking number),
    InvalidTransition (not paid yet, already shipped or cancelled).
    """
    shop_order = shop_order_for_seller(seller, shop_order_id)
    courier = (courier or "").strip().lower()
    tracking_number = re.sub(r"\s+", "", tracking_number or "").upper()
    if courier not in COURIERS:
        raise ValidationFailed(_("Choose the courier."), field="courier")
    if not TRACKING_RE.match(tracking_number):
        raise ValidationFailed(_("Enter the tracking number from the courier's receipt (6 to 40 letters and digits)."),
                               field="tracking_number")
    _move(shop_order, SHOP_ORDER_TRANSITIONS, ShopOrderStatus.SHIPPED)
    shop_order.courier, shop_order.tracking_number, shop_order.shipped_at = courier, tracking_number, utcnow()
    for item in shop_order.items:
        if item.made_to_order:
            stock.release_made_to_order(item.variant_id, item.quantity)
    _mail_shop_order(shop_order, "shipped")
    commit()
    return shop_order


def _cancel_shop_order(shop_order: ShopOrder, reason: str) -> bool:
    """Cancel SHOP_ORDER and give its stock back. Returns whether it had been paid (the caller
    announces it after its commit, so payments refunds it)."""
    was_paid = shop_order.status != ShopOrderStatus.AWAITING_PAYMENT.value
    _move(shop_order, SHOP_ORDER_TRANSITIONS, ShopOrderStatus.CANCELLED)
    shop_order.cancelled_at, shop_order.cancel_reason = utcnow(), reason[:500]
    for item in shop_order.items:
        stock.return_stock(item.variant_id, item.quantity, item.made_to_order)
    _settle_order(shop_order.order)
    return was_paid


def _announce_paid_cancel(shop_order: ShopOrder) -> None:
    shop_order_cancelled.send(current_app._get_current_object(), shop_order_id=shop_order.id,
                              reason=shop_order.cancel_reason or "")


def _settle_order(order: Order) -> None:
    """An order ends when each of its shops' parts has: cancelled if all were, else completed."""
    statuses = {so.status for so in order.shop_orders}
    if statuses == {ShopOrderStatus.CANCELLED.value}:
        _move(order, ORDER_TRANSITIONS, OrderStatus.CANCELLED)
        order.cancelled_at = utcnow()
        order.cancel_reason = order.cancel_reason or next(
            (so.cancel_reason for so in order.shop_orders if so.cancel_reason), None)
    elif statuses <= {ShopOrderStatus.CANCELLED.value, ShopOrderStatus.DELIVERED.value} \
            and order.status == OrderStatus.PAID.value:
        _move(order, ORDER_TRANSITIONS, OrderStatus.COMPLETED)
        order.completed_at = utcnow()


def seller_cancel(seller: User, shop_order_id: int, *, reason: str) -> ShopOrder:
    """The seller cannot fulfil their part (before shipping): stock returns, the buyer is told why.
    A paid part is announced on `shop_order_cancelled` after the commit (payments refunds it).

    Raises NotFound, ValidationFailed (no reason), InvalidTransition (already shipped).
    """
    shop_order = shop_order_for_seller(seller, shop_order_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Tell the buyer why you cancel."), field="reason")
    was_paid = _cancel_shop_order(shop_order, reason)
    _mail_shop_order(shop_order, "cancelled")
    commit()
    if was_paid:
        _announce_paid_cancel(shop_order)
    return shop_order


def buyer_cancel(order: Order, shop_order_id: int | None = None) -> Order:
    """The buyer (signed in, or through the secret link; the caller found ORDER for them)
    cancels: a whole order still awaiting payment, or one shop's part that is past its
    ship-by date and not shipped.

    Raises NotFound, InvalidTransition.
    """
    if shop_order_id is None:
        if order.status != OrderStatus.PENDING_PAYMENT.value:
            raise InvalidTransition(_("A paid order can only be cancelled per shop, once it is late."))
        for shop_order in order.shop_orders:
            _cancel_shop_order(shop_order, _("Cancelled by the buyer before payment."))
        _mail_order(order, "cancelled")
    else:
        shop_order = next((so for so in order.shop_orders if so.id == shop_order_id), None)
        if shop_order is None:
            raise NotFound(_("Order not found."))
        if not is_late(shop_order):
            raise InvalidTransition(_("You can cancel this parcel once it is past its ship-by date."))
        was_paid = _cancel_shop_order(shop_order, _("Cancelled by the buyer: not shipped by the ship-by date."))
        _mail_shop_order(shop_order, "cancelled")
    commit()
    if shop_order_id is not None and was_paid:
        _announce_paid_cancel(shop_order)
    return order


def confirm_delivery(order: Order, shop_order_id: int) -> ShopOrder:
    """The buyer says a parcel arrived. Raises NotFound, InvalidTransition (not shipped)."""
    shop_order = next((so for so in order.shop_orders if so.id == shop_order_id), None)
    if shop_order is None:
        raise NotFound(_("Order not found."))
    _deliver(shop_order)
    commit()
    return shop_order


def _deliver(shop_order: ShopOrder) -> None:
    _move(shop_order, SHOP_ORDER_TRANSITIONS, ShopOrderStatus.DELIVERED)
    shop_order.delivered_at = utcnow()
    _settle_order(shop_order.order)


# --- periodic work -------------------------------------------------------------------------

def expire_unpaid_orders(variant_ids: list[int] | None = None) -> int:
    """Cancel orders still unpaid after their payment window and give their stock back.

    With VARIANT_IDS, only the orders holding those variants (checkout runs this first).
    Each order is claimed with a guarded UPDATE, so two workers never return its stock twice.
    Returns how many orders expired.
    """
    now = utcnow()
    query = sa.select(Order.id).where(Order.status == OrderStatus.PENDING_PAYMENT.value,
                                      Order.payment_due_at < now)
    if variant_ids is not None:
        query = query.where(Order.id.in_(
            sa.select(ShopOrder.order_id).join(OrderItem).where(OrderItem.variant_id.in_(variant_ids))))
    expired = 0
    for order_id in db.session.scalars(query.order_by(Order.payment_due_at).limit(500)).all():
        order = db.session.get(Order, order_id)
        try:
            _move(order, ORDER_TRANSITIONS, OrderStatus.CANCELLED)
        except InvalidTransition:
            continue  # paid, or expired by another worker, since we looked
        with force_locale(order.locale):  # the order page shows the reason to the buyer, in their language
            reason = _("No payment was received within the payment window.")
        order.cancelled_at, order.cancel_reason = now, reason
        for shop_order in order.shop_orders:
            _move(shop_order, SHOP_ORDER_TRANSITIONS, ShopOrderStatus.CANCELLED)
            shop_order.cancelled_at, shop_order.cancel_reason = now, reason
            for item in shop_order.items:
                stock.return_stock(item.variant_id, item.quantity, item.made_to_order)
        _mail_order(order, "expired")
        commit()
        expired += 1
    return expired


def auto_complete_delivered() -> int:
    """Parcels shipped ORDER_AUTO_COMPLETE_DAYS ago that the buyer never confirmed count as
    delivered. Returns how many."""
    cutoff = utcnow() - timedelta(days=int(current_app.config.get("ORDER_AUTO_COMPLETE_DAYS", 14)))
    ids = db.session.scalars(sa.select(ShopOrder.id).where(
        ShopOrder.status == ShopOrderStatus.SHIPPED.value, ShopOrder.shipped_at < cutoff).limit(1000)).all()
    for shop_order_id in ids:
        _deliver(db.session.get(ShopOrder, shop_order_id))
        commit()
    return len(ids)


def flag_late_shipments() -> int:
    """Tell the seller, once, that a paid parcel is past its ship-by date, and the buyer that
    they may now cancel it. Returns how many were flagged."""
    rows = db.session.scalars(sa.select(ShopOrder).where(
        ShopOrder.status.in_(OPEN_SHOP_ORDER_STATUSES), ShopOrder.ship_by < local_today(),
        ShopOrder.late_notified_at.is_(None)).limit(1000)).all()
    for shop_order in rows:
        shop_order.late_notified_at = utcnow()
        _mail_shop_order(shop_order, "late")
        commit()
    return len(rows)


# --- mail ----------------------------------------------------------------------------------

def order_link(order: Order) -> str:
    """Where the buyer follows ORDER: their account's order page, or a guest's secret link."""
    if order.guest_token_hash:
        return external_url("orders.guest_order", token=guest_token(order))
    return external_url("orders.order_detail", number=order.number)


def _mail_order(order: Order, kind: str) -> None:
    """Mail the buyer about ORDER, and each shop about its part (KIND: placed, paid, cancelled, expired)."""
    link = order_link(order)
    queue_mail(order.email, f"orders/mail/buyer_{kind}_subject.txt", f"orders/mail/buyer_{kind}.txt",
               locale=order.locale, order=order, link=link)
    if kind in ("placed", "paid", "cancelled"):
        for shop_order in order.shop_orders:
            _mail_seller(shop_order, kind)


def _mail_shop_order(shop_order: ShopOrder, kind: str) -> None:
    """Mail the buyer and the seller about one shop's parcel (KIND: shipped, cancelled, late)."""
    order = shop_order.order
    link = order_link(order)
    queue_mail(order.email, f"orders/mail/buyer_parcel_{kind}_subject.txt", f"orders/mail/buyer_parcel_{kind}.txt",
               locale=order.locale, order=order, shop_order=shop_order, link=link)
    if kind in ("cancelled", "late"):
        _mail_seller(shop_order, kind)


def _mail_seller(shop_order: ShopOrder, kind: str) -> None:
    seller = shop_order.shop.owner
    queue_mail(seller.email, f"orders/mail/seller_{kind}_subject.txt", f"orders/mail/seller_{kind}.txt",
               locale=seller.locale, order=shop_order.order, shop_order=shop_order,
               link=external_url("orders.seller_order", shop_order_id=shop_order.id))
