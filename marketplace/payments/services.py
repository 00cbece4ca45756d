"""Paying an order: by card through a Stripe PaymentIntent, or by bank transfer matched by an
admin. Both end in `_settle`, the one place an order becomes paid and its sales enter the
ledger.

An order's status changes only from what Stripe itself reports (a verified webhook, or the
server asking Stripe on the return page), never from the browser's word. The webhook and the
return page may arrive at the same moment: each claims the payment with a guarded UPDATE
(… WHERE status = 'pending'), so only one of them marks the order paid, writes the ledger and
queues the mail.
"""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import Role, User
from marketplace.core.errors import CantingError, InvalidTransition, NotFound, ValidationFailed
from marketplace.core.times import utcnow
from marketplace.core.transaction import commit
from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.orders.models import Order, OrderStatus
from marketplace.payments import gateway as gateways
from marketplace.payments import ledger, refunds
from marketplace.payments.gateway import GatewayError, ProviderPayment
from marketplace.payments.models import Payment, PaymentEvent, PaymentMethod, PaymentStatus, RefundStatus

log = logging.getLogger(__name__)


# What the buyer reads for Stripe's commonest decline codes; any other shows Stripe's own words.
DECLINE_REASONS = {
    "card_declined": _l("Your card was declined. Try another card, or ask your bank why."),
    "generic_decline": _l("Your card was declined. Try another card, or ask your bank why."),
    "insufficient_funds": _l("The card has insufficient funds."),
    "expired_card": _l("The card has expired."),
    "incorrect_cvc": _l("The card's security code (CVC) is incorrect."),
    "processing_error": _l("The card could not be processed. Please try again in a moment."),
    "payment_intent_authentication_failure": _l("Your bank's verification of the payment did not succeed."),
}


def decline_reason(payment: Payment) -> str:
    """Why PAYMENT's last attempt failed, in the buyer's language where we know the code."""
    reason = DECLINE_REASONS.get(payment.failure_code or "")
    return str(reason) if reason else (payment.failure_message or "")


class PaymentUnavailable(CantingError):
    """The card processor could not be reached or refused the request; nothing was charged."""
    code = "payment_unavailable"
    http_status = 503


def _require_awaiting_payment(order: Order) -> None:
    if order.status != OrderStatus.PENDING_PAYMENT.value:
        raise InvalidTransition(_("This order is no longer awaiting payment."))


def payment_methods() -> list[str]:
    """The methods offered at checkout: card only when Stripe is configured; bank transfer always."""
    methods = [PaymentMethod.BANK_TRANSFER.value]
    if gateways.card_payments_enabled():
        methods.insert(0, PaymentMethod.CARD.value)
    return methods


def latest_payment(order: Order, method: str | None = None) -> Payment | None:
    query = sa.select(Payment).where(Payment.order_id == order.id)
    if method:
        query = query.where(Payment.method == method)
    return db.session.scalar(query.order_by(Payment.id.desc()).limit(1))


def succeeded_payment(order: Order) -> Payment | None:
    return db.session.scalar(sa.select(Payment).where(
        Payment.order_id == order.id, Payment.status == PaymentStatus.SUCCEEDED.value))


@dataclass(frozen=True)
class PaymentSummary:
    payment: Payment | None
    method_label: str
    refunds: list


METHOD_LABELS = {PaymentMethod.CARD.value: _l("card"), PaymentMethod.BANK_TRANSFER.value: _l("bank transfer")}


def order_payment_summary(order: Order) -> PaymentSummary:
    """How ORDER was paid and what has been given back (not failed refunds), for its page.
    Registered as a template global, so the orders domain's page shows it without importing
    payments."""
    payment = succeeded_payment(order)
    refunds = [r for r in (payment.refunds if payment else []) if r.status != RefundStatus.FAILED.value]
    label = str(METHOD_LABELS.get(payment.method, payment.method)) if payment else ""
    return PaymentSummary(payment=payment, method_label=label, refunds=refunds)


# --- card ----------------------------------------------------------------------------------

def start_card_payment(order: Order) -> Payment:
    """The order's PaymentIntent: the open one if there is one, so a repeated request returns
    the same; a new one after a declined attempt (the old one is cancelled at Stripe first).

    Raises InvalidTransition (not awaiting payment), PaymentUnavailable (no card payments
    configured, or Stripe unreachable).
    """
    if not gateways.card_payments_enabled():
        raise PaymentUnavailable(_("Card payments are not available; please pay by bank transfer."))
    _require_awaiting_payment(order)
    current = latest_payment(order, PaymentMethod.CARD.value)
    if current is not None and current.status == PaymentStatus.PENDING.value:
        return current
    gateway = gateways.gateway()
    attempt = db.session.scalar(sa.select(sa.func.count(Payment.id)).where(
        Payment.order_id == order.id, Payment.method == PaymentMethod.CARD.value)) + 1
    if current is not None and current.status == PaymentStatus.FAILED.value:
        try:
            gateway.cancel_payment(current.provider_ref)
        except GatewayError:
            log.warning("could not cancel declined PaymentIntent %s", current.provider_ref)
    try:
        # Stripe answers the same PaymentIntent to the same key: two racing requests get one.
        intent = gateway.create_payment(amount=order.total, order_number=order.number,
                                        idempotency_key=f"canting-order-{order.id}-attempt-{attempt}")
    except GatewayError as error:
        raise PaymentUnavailable(_("The card processor is not answering; nothing was charged. Please try again."),
                                 ) from error
    if current is not None and current.status == PaymentStatus.FAILED.value:
        _claim(current, PaymentStatus.FAILED, PaymentStatus.CANCELLED)
    payment = Payment(order_id=order.id, method=PaymentMethod.CARD.value, status=PaymentStatus.PENDING.value,
                      provider_ref=intent.id, amount=order.total, currency=gateways.CURRENCY)
    db.session.add(payment)
    try:
        commit()
    except IntegrityError:
        # A concurrent request stored the same PaymentIntent, or an open one, first.
        winner = latest_payment(order, PaymentMethod.CARD.value)
        if winner is None or winner.status != PaymentStatus.PENDING.value:
            raise
        return winner
    return payment


def client_secret(payment: Payment) -> str | None:
    """What Stripe.js needs to show the Payment Element for PAYMENT (never stored by us)."""
    try:
        return gateways.gateway().fetch_payment(payment.provider_ref).client_secret
    except GatewayError as error:
        raise PaymentUnavailable(_("The card processor is not answering. Please try again.")) from error


def pay_with_test_card(order: Order, method: str) -> Payment:
    """Offline mode (STRIPE_API_BASE set): confirm the order's PaymentIntent from the server
    with one of Stripe's test payment methods, then apply what Stripe reports.

    Raises ValidationFailed (not a test method, or not offline mode), InvalidTransition,
    PaymentUnavailable.
    """
    if not gateways.offline_test_mode() or method not in gateways.TEST_PAYMENT_METHODS:
        raise ValidationFailed(_("Choose one of the test cards."), field="payment_method")
    payment = start_card_payment(order)
    try:
        intent = gateways.gateway().confirm_with_test_method(payment.provider_ref, method)
    except GatewayError as error:
        raise PaymentUnavailable(_("The card processor is not answering; nothing was charged.")) from error
    return _apply_and_commit(payment, intent)


def check_card_payment(order: Order) -> Payment | None:
    """The buyer is back from paying: ask Stripe how the order's PaymentIntent stands, and
    apply it. Returns the payment (None when the order has no card payment)."""
    payment = latest_payment(order, PaymentMethod.CARD.value)
    if payment is None or payment.status != PaymentStatus.PENDING.value:
        return payment
    try:
        intent = gateways.gateway().fetch_payment(payment.provider_ref)
    except GatewayError as error:
        raise PaymentUnavailable(_("We could not ask the card processor yet; the page will check again.")) from error
    return _apply_and_commit(payment, intent)


def _apply_and_commit(payment: Payment, intent: ProviderPayment) -> Payment:
    try:
        _apply_provider_status(payment, intent)
    except Exception:
        db.session.rollback()
        raise
    commit()
    db.session.refresh(payment)
    return payment


def _claim(payment: Payment, old: PaymentStatus, new: PaymentStatus) -> bool:
    """Move PAYMENT from OLD to NEW with a guarded UPDATE; False when someone else moved it first."""
    changed = db.session.execute(
        sa.update(Payment).where(Payment.id == payment.id, Payment.status == old.value)
        .values(status=new.value, updated_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount
    if changed == 1:
        payment.status = new.value
    return changed == 1


def _matches(payment: Payment, intent: ProviderPayment) -> bool:
    order = payment.order
    return (intent.id == payment.provider_ref and intent.amount == payment.amount == order.total
            and intent.currency == payment.currency and intent.order_number == order.number)


def _apply_provider_status(payment: Payment, intent: ProviderPayment) -> None:
    """Turn what Stripe reports for PAYMENT's PaymentIntent into our state. Flushes only."""
    if intent.status == "succeeded":
        if not _matches(payment, intent):
            log.error("PaymentIntent %s does not match payment %s (amount %s %s, order %s); not marking paid",
                      intent.id, payment.id, intent.amount, intent.currency, intent.order_number)
            payment.failure_message = "mismatch: Stripe reports a different amount, currency or order"
            db.session.flush()
            return
        order = payment.order
        db.session.refresh(order)
        if order.status != OrderStatus.PENDING_PAYMENT.value:
            # Expired, or paid another way, before this payment arrived: give it all back.
            if _claim(payment, PaymentStatus.PENDING, PaymentStatus.RETURNED):
                payment.succeeded_at = utcnow()
                refunds.refund_unfillable_payment(payment)
        elif _claim(payment, PaymentStatus.PENDING, PaymentStatus.SUCCEEDED):
            payment.succeeded_at = utcnow()
            payment.failure_message = None
            _settle(payment)
    elif intent.status == "requires_payment_method" and intent.failure_message:
        if _claim(payment, PaymentStatus.PENDING, PaymentStatus.FAILED):
            payment.failure_code = (intent.failure_code or "")[:64] or None
            payment.failure_message = intent.failure_message[:500]
    elif intent.status == "canceled":
        _claim(payment, PaymentStatus.PENDING, PaymentStatus.CANCELLED)
    db.session.flush()


def _settle(payment: Payment) -> None:
    """PAYMENT succeeded: the order becomes paid and its sales enter the ledger. Raises
    InvalidTransition when another payment settled the order a moment earlier (everything rolls
    back; Stripe's retry of the event then finds the order paid and returns this payment)."""
    order = payment.order
    orders.mark_paid(order)
    ledger.record_sales(order)


# --- bank transfer -------------------------------------------------------------------------

def bank_transfer_window() -> timedelta:
    return timedelta(hours=int(current_app.config.get("BANK_TRANSFER_WINDOW", 24)))


def start_bank_transfer(order: Order) -> Payment:
    """The buyer will pay by bank transfer: a unique amount (the total plus a code from 1 to
    999 that no other open transfer uses) valid for BANK_TRANSFER_WINDOW, during which the
    order holds its stock. A repeated request returns the same one.

    Raises InvalidTransition (not awaiting payment).
    """
    _require_awaiting_payment(order)
    current = latest_payment(order, PaymentMethod.BANK_TRANSFER.value)
    if current is not None and current.status == PaymentStatus.PENDING.value:
        return current
    expires_at = utcnow() + bank_transfer_window()
    for _attempt in range(20):
        # A double click sends two requests that both read "no open transfer" above; nothing
        # unique stops both from opening one (their codes differ). So the order's row is
        # written first, and the open transfer looked for again behind it.
        _queue_on_order(order)
        current = latest_payment(order, PaymentMethod.BANK_TRANSFER.value)
        if current is not None and current.status == PaymentStatus.PENDING.value:
            db.session.rollback()
            return current
        code = secrets.randbelow(999) + 1
        payment = Payment(order_id=order.id, method=PaymentMethod.BANK_TRANSFER.value,
                          status=PaymentStatus.PENDING.value, amount=order.total + code, unique_code=code,
                          currency=gateways.CURRENCY, expires_at=expires_at)
        try:
            db.session.add(payment)
            db.session.flush()
            orders.extend_payment_window(order, expires_at)
            commit()
            return payment
        except IntegrityError:
            db.session.rollback()  # another open transfer has this amount: draw another code
    raise ValidationFailed(_("Too many bank transfers are open right now; please try again in a minute."),
                           field="payment_method")


def _queue_on_order(order: Order) -> None:
    """Write ORDER's row (its payment_due_at, unchanged) as the transaction's first write, so that two
    requests opening a payment for one order queue up: a row lock on PostgreSQL, the write
    lock on SQLite. What the second reads after this includes what the first committed.

    Raises InvalidTransition (the order stopped awaiting payment meanwhile; rolled back).
    """
    touched = db.session.execute(
        sa.update(Order).where(Order.id == order.id, Order.status == OrderStatus.PENDING_PAYMENT.value)
        .values(payment_due_at=Order.payment_due_at).execution_options(synchronize_session=False)).rowcount
    if touched != 1:
        db.session.rollback()
        raise InvalidTransition(_("This order is no longer awaiting payment."))
    db.session.refresh(order)


def open_bank_transfers() -> list[Payment]:
    """Transfers the admin is waiting for, oldest first, with their orders."""
    return list(db.session.scalars(sa.select(Payment).join(Order, Order.id == Payment.order_id).where(
        Payment.method == PaymentMethod.BANK_TRANSFER.value, Payment.status == PaymentStatus.PENDING.value,
        Order.status == OrderStatus.PENDING_PAYMENT.value).order_by(Payment.created_at).limit(500)))


def confirm_bank_transfer(admin: User, order_id: int, *, bank_reference: str = "") -> Payment:
    """An admin found the order's transfer on the platform's bank statement: the order becomes
    paid through the same settlement a card payment uses. An order whose buyer never chose
    bank transfer (paid by hand anyway) gets a transfer record of its total.

    Raises NotFound (not an admin, no such order), InvalidTransition (not awaiting payment).
    """
    if not admin.has_role(Role.ADMIN.value):
        raise NotFound(_("Order not found."))
    order = db.session.get(Order, order_id)
    if order is None:
        raise NotFound(_("Order not found."))
    _require_awaiting_payment(order)
    payment = latest_payment(order, PaymentMethod.BANK_TRANSFER.value)
    if payment is None or payment.status != PaymentStatus.PENDING.value:
        payment = Payment(order_id=order.id, method=PaymentMethod.BANK_TRANSFER.value,
                          status=PaymentStatus.PENDING.value, amount=order.total, currency=gateways.CURRENCY)
        db.session.add(payment)
        db.session.flush()
    if not _claim(payment, PaymentStatus.PENDING, PaymentStatus.SUCCEEDED):
        db.session.rollback()
        raise InvalidTransition(_("This order is no longer awaiting payment."))
    payment.succeeded_at, payment.confirmed_by_id = utcnow(), admin.id
    payment.bank_reference = (bank_reference or "").strip()[:120] or None
    try:
        _settle(payment)
    except Exception:
        db.session.rollback()
        raise
    commit()
    return payment


# --- periodic work -------------------------------------------------------------------------

def close_stale_payments() -> int:
    """Close the open payments of orders that were cancelled (expired, or cancelled by the
    buyer): a bank transfer's unique amount is free again, and an open PaymentIntent is
    cancelled at Stripe so the buyer cannot pay it any more. Returns how many were closed.

    Should Stripe not answer, the payment stays open for the next run; a PaymentIntent paid
    meanwhile is refunded in full when its success arrives (`_settle`).
    """
    stale = db.session.scalars(sa.select(Payment).join(Order, Order.id == Payment.order_id).where(
        Payment.status == PaymentStatus.PENDING.value, Order.status == OrderStatus.CANCELLED.value,
    ).order_by(Payment.id).limit(500)).all()
    closed = 0
    for payment in stale:
        if payment.method == PaymentMethod.CARD.value:
            try:
                gateways.gateway().cancel_payment(payment.provider_ref)
            except GatewayError:
                log.warning("could not cancel PaymentIntent %s of a cancelled order", payment.provider_ref)
                continue
        if _claim(payment, PaymentStatus.PENDING, PaymentStatus.CANCELLED):
            closed += 1
        commit()
    return closed


# --- Stripe webhook ------------------------------------------------------------------------

def handle_stripe_event(event: dict) -> str:
    """Process one verified Stripe event in one transaction. The event id is stored first, so
    a replay finds it and changes nothing. Returns what happened: processed, duplicate,
    ignored (a type we do not handle, or a PaymentIntent that is not ours).

    Raises PaymentUnavailable when Stripe cannot be asked (Stripe retries the event later).
    """
    handler = EVENT_HANDLERS.get(event.get("type"))
    if handler is None:
        return "ignored"
    db.session.add(PaymentEvent(provider="stripe", event_id=str(event["id"]), type=event["type"]))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return "duplicate"
    try:
        outcome = handler(event["data"]["object"])
    except Exception:
        db.session.rollback()
        raise
    commit()
    return outcome


def _on_payment_intent(intent: dict) -> str:
    payment = db.session.scalar(sa.select(Payment).filter_by(provider_ref=intent.get("id")))
    if payment is None:
        return "ignored"
    try:
        # The event's body is only a hint: amount, currency and order come from Stripe itself.
        current = gateways.gateway().fetch_payment(payment.provider_ref)
    except GatewayError as error:
        raise PaymentUnavailable(str(error)) from error
    _apply_provider_status(payment, current)
    return "processed"


def _on_refund(refund: dict) -> str:
    return refunds.apply_refund_event(refund)


EVENT_HANDLERS = {
    "payment_intent.succeeded": _on_payment_intent,
    "payment_intent.payment_failed": _on_payment_intent,
    "payment_intent.canceled": _on_payment_intent,
    "refund.created": _on_refund,
    "refund.updated": _on_refund,
    "refund.failed": _on_refund,
    "charge.refund.updated": _on_refund,
}
