"""Refunds: money given back from a payment, charged to the shops it came from.

An admin refunds a whole order, one shop's parcel, or chosen items (with or without their
parcel's shipping), optionally putting the items back in stock. A parcel cancelled after it
was paid (the seller cannot fill it, the buyer gave up waiting) is refunded by the platform
itself, through the orders' `shop_order_cancelled` signal. Canting never gives back more
than was paid: each item's refunded quantity is bounded by what was bought, a parcel's
shipping is refunded at most once, and the total by what the payment has left.

Card refunds go to Stripe inside our transaction: the Refund row is flushed first for its id
(Stripe's idempotency key), then Stripe is asked, then the ledger, stock and mail are written
and everything commits together. A Stripe error rolls all of it back, so there is never a row
for money that did not move; the one gap left (Stripe refunded, then our commit failed) is
logged with Stripe's refund id and shows up in `flask payments reconcile`. A bank-transfer
refund is sent by the admin from the platform's bank account, by hand, and is recorded as
succeeded at once.

Stripe reports a refund's later fate (succeeded, failed) in events; a refund that fails gets
its ledger entries reversed, because the money stayed with the platform.
"""
from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _

from marketplace.accounts.models import Role, User
from marketplace.catalog import stock
from marketplace.core.errors import CantingError, Conflict, InvalidTransition, NotFound, ValidationFailed
from marketplace.core.i18n import format_rupiah
from marketplace.core.mail import queue_mail
from marketplace.core.times import utcnow
from marketplace.core.transaction import commit
from marketplace.core.urls import external_url
from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.orders.models import Order, OrderItem, ShopOrder, ShopOrderStatus
from marketplace.payments import gateway as gateways
from marketplace.payments import ledger
from marketplace.payments.gateway import GatewayError
from marketplace.payments.models import (
    Payment, PaymentMethod, PaymentStatus, Refund, RefundLine, RefundStatus,
)

log = logging.getLogger(__name__)

MAX_REASON = 500


class RefundScope(str, enum.Enum):
    ORDER = "order"            # everything not yet refunded, the bank transfer's unique code too
    SHOP_ORDER = "shop_order"  # one parcel's remaining items and its shipping
    ITEMS = "items"            # chosen quantities of items, optionally their parcels' shipping


class MoreThanLeftToRefund(Conflict):
    """The request is well formed, but what it asks for has been refunded already (an item's
    quantity, a parcel's shipping, the payment's amount): 409, naming the field."""
    code = "more_than_left_to_refund"


class RefundUnavailable(CantingError):
    """Stripe could not be reached or refused the refund; nothing was refunded or written."""
    code = "refund_unavailable"
    http_status = 503


# Stripe's refund statuses, in ours. requires_action (a bank-account refund) is still pending.
PROVIDER_STATUS = {"succeeded": RefundStatus.SUCCEEDED, "failed": RefundStatus.FAILED,
                   "canceled": RefundStatus.FAILED, "pending": RefundStatus.PENDING,
                   "requires_action": RefundStatus.PENDING}
# A refund event may arrive late or twice: only these moves are taken, any other is stale.
REFUND_TRANSITIONS = {
    RefundStatus.PENDING: {RefundStatus.SUCCEEDED, RefundStatus.FAILED},
    RefundStatus.SUCCEEDED: {RefundStatus.FAILED},  # Stripe can fail a refund after success
    RefundStatus.FAILED: set(),
}


# --- what an order has left to refund ------------------------------------------------------

@dataclass
class Refundable:
    """What PAYMENT of ORDER can still give back, for the planner and the admin's page."""
    order: Order
    payment: Payment
    items: dict[int, int] = field(default_factory=dict)   # order_item_id -> quantity left
    shipping: dict[int, int] = field(default_factory=dict)  # shop_order_id -> fee, not yet refunded
    platform: int = 0  # the bank transfer's unique code, not yet refunded

    def item(self, order_item_id: int) -> OrderItem | None:
        return next((item for so in self.order.shop_orders for item in so.items if item.id == order_item_id), None)


def succeeded_payment(order: Order) -> Payment | None:
    return db.session.scalar(sa.select(Payment).where(
        Payment.order_id == order.id, Payment.status == PaymentStatus.SUCCEEDED.value))


def refundable(order: Order, payment: Payment) -> Refundable:
    """What is left to refund of ORDER's PAYMENT, counting every refund that has not failed."""
    refunds = [r for r in db.session.scalars(sa.select(Refund).where(Refund.payment_id == payment.id))
               if r.status != RefundStatus.FAILED.value]
    item_done: dict[int, int] = {}
    shipping_done: set[int] = set()
    platform_done = 0
    for refund in refunds:
        platform_done += refund.amount - sum(line.amount for line in refund.lines)
        for line in refund.lines:
            if line.order_item_id is None:
                shipping_done.add(line.shop_order_id)
            else:
                item_done[line.order_item_id] = item_done.get(line.order_item_id, 0) + line.quantity
    left = Refundable(order=order, payment=payment,
                      platform=max((payment.unique_code or 0) - platform_done, 0))
    for shop_order in order.shop_orders:
        for item in shop_order.items:
            left.items[item.id] = max(item.quantity - item_done.get(item.id, 0), 0)
        if shop_order.shipping_fee and shop_order.id not in shipping_done:
            left.shipping[shop_order.id] = shop_order.shipping_fee
    return left


@dataclass(frozen=True)
class PlannedLine:
    shop_order: ShopOrder
    item: OrderItem | None  # None: the parcel's shipping
    quantity: int
    amount: int


def _whole_parcel(left: Refundable, shop_order: ShopOrder) -> list[PlannedLine]:
    lines = [PlannedLine(shop_order, item, left.items[item.id], item.unit_price * left.items[item.id])
             for item in shop_order.items if left.items.get(item.id)]
    if shop_order.id in left.shipping:
        lines.append(PlannedLine(shop_order, None, 0, left.shipping[shop_order.id]))
    return lines


def _plan(left: Refundable, scope: RefundScope, shop_order_id: int | None, items: dict[int, int] | None,
          include_shipping: bool) -> tuple[list[PlannedLine], int]:
    """The lines a refund of SCOPE gives back, and the platform's part (the unique code).
    Raises ValidationFailed, NotFound (a parcel or item not of this order) or
    MoreThanLeftToRefund, naming the field at fault."""
    order = left.order
    if scope is RefundScope.ORDER:
        return [line for so in order.shop_orders for line in _whole_parcel(left, so)], left.platform
    if scope is RefundScope.SHOP_ORDER:
        shop_order = next((so for so in order.shop_orders if so.id == shop_order_id), None)
        if shop_order is None:
            raise NotFound(_("Choose one of this order's parcels."), field="shop_order_id")
        return _whole_parcel(left, shop_order), 0
    if not items or not any(items.values()):
        raise ValidationFailed(_("Enter how many of at least one item to refund."), field="items")
    lines: list[PlannedLine] = []
    for order_item_id, quantity in sorted(items.items()):
        item = left.item(order_item_id)
        if item is None:
            raise NotFound(_("Item %(id)s is not part of this order.", id=order_item_id), field="items")
        if not isinstance(quantity, int) or quantity < 0:
            raise ValidationFailed(_("Enter a whole number of items."), field="items")
        if quantity == 0:
            continue
        if quantity > left.items[item.id]:
            raise MoreThanLeftToRefund(_("Only %(left)d of “%(title)s” can still be refunded (%(bought)d bought).",
                                     left=left.items[item.id], title=item.title, bought=item.quantity),
                                   field="items")
        lines.append(PlannedLine(item.shop_order, item, quantity, item.unit_price * quantity))
    if include_shipping:
        for shop_order in sorted({line.shop_order for line in lines}, key=lambda so: so.id):
            if not shop_order.shipping_fee:
                continue
            if shop_order.id not in left.shipping:
                raise MoreThanLeftToRefund(_("The shipping of %(shop)s's parcel has already been refunded.",
                                         shop=shop_order.shop.name), field="include_shipping")
            lines.append(PlannedLine(shop_order, None, 0, shop_order.shipping_fee))
    return lines, 0


# --- making a refund -----------------------------------------------------------------------

def refund_order(admin: User, order_id: int, *, scope: str, shop_order_id: int | None = None,
                 items: dict[int, int] | None = None, include_shipping: bool = False, restock: bool = False,
                 reason: str) -> Refund:
    """An admin gives money back from ORDER_ID's payment: the whole order, one parcel
    (SHOP_ORDER_ID) or ITEMS ({order_item_id: quantity}, with their parcels' shipping when
    INCLUDE_SHIPPING), the items back in stock when RESTOCK. Charged to the shops in the
    ledger; the buyer and each seller are mailed. One transaction.

    Raises NotFound (not an admin, no such order), InvalidTransition (the order has no
    succeeded payment), ValidationFailed (reason, scope, items), NotFound (shop_order_id or an
    item not of this order), MoreThanLeftToRefund (an item, a shipping or the payment's amount
    already refunded), RefundUnavailable (Stripe did not take it).
    """
    if not admin.has_role(Role.ADMIN.value):
        raise NotFound(_("Order not found."))
    order = db.session.get(Order, order_id)
    if order is None:
        raise NotFound(_("Order not found."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the money is given back; the buyer and the seller read it."),
                               field="reason")
    if len(reason) > MAX_REASON:
        raise ValidationFailed(_("Keep the reason under %(max)d characters.", max=MAX_REASON), field="reason")
    try:
        chosen = RefundScope(scope)
    except ValueError:
        raise ValidationFailed(_("Choose what to refund."), field="scope") from None
    return _refund_and_commit(order, chosen, shop_order_id=shop_order_id, items=items,
                              include_shipping=include_shipping, restock=restock, reason=reason, by=admin)


def refund_cancelled_shop_order(shop_order_id: int, reason: str) -> Refund | None:
    """The platform refunds a paid parcel that was cancelled: its remaining items and its
    shipping, without restocking (the cancellation returned the stock). One transaction.
    Returns None when there is nothing to refund (never paid, or refunded already).

    Raises RefundUnavailable (Stripe did not take it; the sweep tries again later).
    """
    shop_order = db.session.get(ShopOrder, shop_order_id)
    if shop_order is None or shop_order.status != ShopOrderStatus.CANCELLED.value \
            or shop_order.order.paid_at is None:
        return None
    payment = succeeded_payment(shop_order.order)
    if payment is None or not _whole_parcel(refundable(shop_order.order, payment), shop_order):
        return None
    return _refund_and_commit(shop_order.order, RefundScope.SHOP_ORDER, shop_order_id=shop_order.id,
                              reason=(reason or shop_order.cancel_reason or "")[:MAX_REASON] or "-", by=None)


def _refund_and_commit(order: Order, scope: RefundScope, *, by: User | None, reason: str,
                       shop_order_id: int | None = None, items: dict[int, int] | None = None,
                       include_shipping: bool = False, restock: bool = False) -> Refund:
    refund = None
    try:
        payment = _lock_succeeded_payment(order)
        left = refundable(order, payment)
        lines, platform = _plan(left, scope, shop_order_id, items, include_shipping)
        amount = sum(line.amount for line in lines) + platform
        if amount <= 0:
            raise MoreThanLeftToRefund(_("Nothing is left to refund in this choice."), field="scope")
        if amount > payment.refundable_amount:
            raise MoreThanLeftToRefund(_("This would give back %(amount)s, more than the %(left)s left of the payment.",
                                     amount=format_rupiah(amount), left=format_rupiah(payment.refundable_amount)),
                                   field="amount")
        refund = Refund(payment_id=payment.id, order_id=order.id, amount=amount, status=RefundStatus.PENDING.value,
                        reason=reason, restock=restock, created_by_id=by.id if by else None,
                        lines=[RefundLine(shop_order_id=line.shop_order.id,
                                          order_item_id=line.item.id if line.item else None,
                                          quantity=line.quantity, amount=line.amount) for line in lines])
        db.session.add(refund)
        db.session.flush()  # its id is Stripe's idempotency key
        _send(refund, payment)
        if refund.status != RefundStatus.FAILED.value:
            ledger.record_refund_entries(refund)
            if restock:
                _restock(lines)
            _mail_refund(order, refund)
        db.session.flush()
    except Exception:
        if refund is not None and refund.provider_ref:
            log.error("Stripe refund %s of order %s is not recorded: our transaction failed after it",
                      refund.provider_ref, order.number)
        db.session.rollback()
        raise
    commit()
    return refund


def _lock_succeeded_payment(order: Order) -> Payment:
    """ORDER's succeeded payment, written to first so that two refunds of one order queue up
    (a row lock on PostgreSQL, the write lock on SQLite) and the second sees the first's lines."""
    payment = succeeded_payment(order)
    if payment is None:
        raise InvalidTransition(_("This order has no received payment to refund."))
    touched = db.session.execute(
        sa.update(Payment).where(Payment.id == payment.id, Payment.status == PaymentStatus.SUCCEEDED.value)
        .values(updated_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    if touched != 1:
        raise InvalidTransition(_("This order has no received payment to refund."))
    db.session.refresh(payment)
    return payment


def _send(refund: Refund, payment: Payment) -> None:
    """Ask Stripe to give REFUND back (a card payment) and take its status; a bank transfer is
    given back by the admin by hand, so it counts as done."""
    if payment.method != PaymentMethod.CARD.value:
        refund.status, refund.settled_at = RefundStatus.SUCCEEDED.value, utcnow()
        return
    try:
        answer = gateways.gateway().refund(payment.provider_ref, amount=refund.amount,
                                           idempotency_key=f"canting-refund-{refund.id}")
    except GatewayError as error:
        raise RefundUnavailable(_("The card processor did not take the refund; nothing was refunded. "
                                  "Please try again.")) from error
    refund.provider_ref = answer.id
    _take_status(refund, PROVIDER_STATUS.get(answer.status, RefundStatus.PENDING))


def _take_status(refund: Refund, status: RefundStatus) -> None:
    refund.status = status.value
    if status is RefundStatus.SUCCEEDED:
        refund.settled_at = utcnow()


def _restock(lines: list[PlannedLine]) -> None:
    """Put refunded items back: ready stock returns to the shelf; a made-to-order piece not yet
    shipped frees its place under the cap. A cancelled parcel's stock came back already."""
    for line in lines:
        shop_order = line.shop_order
        if line.item is None or shop_order.status == ShopOrderStatus.CANCELLED.value:
            continue
        if line.item.made_to_order and shop_order.status in (ShopOrderStatus.SHIPPED.value,
                                                             ShopOrderStatus.DELIVERED.value):
            continue  # shipping released its place already
        stock.return_stock(line.item.variant_id, line.quantity, line.item.made_to_order)


def _mail_refund(order: Order, refund: Refund) -> None:
    link = orders.order_link(order)
    queue_mail(order.email, "payments/mail/buyer_refund_subject.txt", "payments/mail/buyer_refund.txt",
               locale=order.locale, order=order, refund=refund, link=link,
               order_items={item.id: item for so in order.shop_orders for item in so.items},
               order_shop_orders={so.id: so for so in order.shop_orders},
               by_transfer=refund.payment.method == PaymentMethod.BANK_TRANSFER.value)
    for shop_order in order.shop_orders:
        lines = [line for line in refund.lines if line.shop_order_id == shop_order.id]
        if not lines:
            continue
        seller = shop_order.shop.owner
        items = {item.id: item for item in shop_order.items}
        queue_mail(seller.email, "payments/mail/seller_refund_subject.txt", "payments/mail/seller_refund.txt",
                   locale=seller.locale, order=order, shop_order=shop_order, refund=refund, items=items,
                   lines=lines, amount=sum(line.amount for line in lines),
                   link=external_url("orders.seller_order", shop_order_id=shop_order.id))


# --- what payments' settlement and Stripe's events ask of refunds -----------------------------

def refund_unfillable_payment(payment: Payment) -> Refund | None:
    """PAYMENT succeeded for an order that can no longer take it (it expired, or was paid another
    way, first; the payment is "returned"): all of it
    goes back. No sale was recorded, so the refund has no lines and no ledger entries; the
    buyer is mailed. Flushes only (the caller's transaction).

    Raises RefundUnavailable (Stripe did not take it: the caller rolls back and Stripe's event
    comes again later).
    """
    amount = payment.refundable_amount
    if amount <= 0:
        return None
    order = payment.order
    with force_locale(order.locale):
        reason = _("Your card payment arrived after the order had expired or had been paid another way.")
    refund = Refund(payment_id=payment.id, order_id=order.id, amount=amount, status=RefundStatus.PENDING.value,
                    reason=reason, restock=False, created_by_id=None)
    db.session.add(refund)
    db.session.flush()
    _send(refund, payment)
    queue_mail(order.email, "payments/mail/buyer_refund_subject.txt", "payments/mail/buyer_refund.txt",
               locale=order.locale, order=order, refund=refund, link=orders.order_link(order), by_transfer=False)
    db.session.flush()
    return refund


def apply_refund_event(refund_obj: dict) -> str:
    """A verified Stripe refund event (refund.*, charge.refund.updated): our refund takes its
    status. A refund that fails gets its ledger entries reversed. Flushes only (the webhook's
    transaction). Returns processed, or ignored for a refund that is not ours."""
    refund = db.session.scalar(sa.select(Refund).filter_by(provider_ref=str(refund_obj.get("id") or "")))
    if refund is None:
        return "ignored"
    new = PROVIDER_STATUS.get(str(refund_obj.get("status")))
    old = RefundStatus(refund.status)
    if new is None or new not in REFUND_TRANSITIONS[old]:
        return "processed"  # the same news again, or older news than we have
    values = {"status": new.value}
    if new is RefundStatus.SUCCEEDED:
        values["settled_at"] = utcnow()
    moved = db.session.execute(sa.update(Refund).where(Refund.id == refund.id, Refund.status == old.value)
                               .values(**values).execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        return "processed"  # a concurrent event moved it first
    db.session.refresh(refund)
    if new is RefundStatus.FAILED:
        log.error("Stripe refund %s (order %s, Rp %s) failed: the money stays with the platform",
                  refund.provider_ref, refund.order_id, refund.amount)
        if refund.lines:
            ledger.reverse_refund_entries(refund)
    db.session.flush()
    return "processed"


# --- cancelled paid parcels ----------------------------------------------------------------

SWEEP_DAYS = 30


def _on_shop_order_cancelled(app, *, shop_order_id: int, reason: str = "", **_extra) -> None:
    """Receiver of orders' shop_order_cancelled (after its commit). An error is logged, not
    raised: the cancellation stands, and the periodic sweep refunds the parcel later."""
    try:
        refund_cancelled_shop_order(shop_order_id, reason)
    except Exception:
        db.session.rollback()
        log.exception("could not refund cancelled shop order %s yet; the sweep will retry", shop_order_id)


def refund_cancelled_parcels() -> int:
    """The sweep: refund every paid parcel cancelled in the last SWEEP_DAYS that still has
    something to give back (its refund failed at Stripe, or the process died before). Returns
    how many refunds it made."""
    ids = db.session.scalars(
        sa.select(ShopOrder.id).join(Order, Order.id == ShopOrder.order_id).where(
            ShopOrder.status == ShopOrderStatus.CANCELLED.value, Order.paid_at.is_not(None),
            ShopOrder.cancelled_at > utcnow() - timedelta(days=SWEEP_DAYS)).order_by(ShopOrder.id).limit(500)).all()
    made = 0
    for shop_order_id in ids:
        try:
            made += refund_cancelled_shop_order(shop_order_id, "") is not None
        except CantingError as error:
            log.warning("could not refund cancelled shop order %s (%s); next sweep", shop_order_id, error.message)
    return made


def connect_signals(app: Flask) -> None:
    """Refund APP's paid parcels when orders cancels them (called from create_app)."""
    orders.shop_order_cancelled.connect(_on_shop_order_cancelled, sender=app)


# --- reading -------------------------------------------------------------------------------

def refunds_of(order: Order) -> list[Refund]:
    """ORDER's refunds, oldest first."""
    return list(db.session.scalars(sa.select(Refund).where(Refund.order_id == order.id).order_by(Refund.id)))


def refunds_for(user: User, order_id: int) -> tuple[Order, list[Refund]]:
    """The refunds of an order USER may see (their own, any for an admin). Raises NotFound."""
    order = orders.order_for(user, order_id)
    return order, refunds_of(order)
