"""Checking the books: the ledger against the orders, refunds and payouts it was written from,
and our payments and refunds against what Stripe says happened.

(a) For every shop, what it is owed is recomputed from scratch: for each ShopOrder of a paid
order, its items and shipping, less the commission on the items the buyer keeps; less every
refund line that has not failed; less every paid payout. That must equal the sum of the
shop's ledger entries.
(b) For every card payment, Stripe's PaymentIntent must have our amount and currency, and be
succeeded exactly when ours is; Stripe's refunds of it (succeeded or pending) must add up to
ours that have not failed, and each must be one we know.
"""
from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from marketplace.catalog.models import Shop
from marketplace.extensions import db
from marketplace.orders.models import Order, ShopOrder
from marketplace.payments import gateway as gateways
from marketplace.payments.gateway import GatewayError
from marketplace.payments.ledger import commission_on
from marketplace.payments.models import (
    LedgerEntry, Payment, PaymentMethod, PaymentStatus, Payout, PayoutBatch, PayoutBatchStatus, Refund, RefundLine,
    RefundStatus,
)

COUNTED_AT_STRIPE = ("succeeded", "pending", "requires_action")


def reconcile(*, check_stripe: bool = True) -> list[str]:
    """Every difference found, one sentence each (empty when the books agree). With
    CHECK_STRIPE (and card payments configured), Stripe is asked about every card payment."""
    differences = ledger_differences()
    if check_stripe and gateways.card_payments_enabled():
        differences += stripe_differences()
    return differences


def expected_balances() -> dict[int, int]:
    """What each shop is owed, recomputed from its paid ShopOrders, refunds and paid payouts."""
    owed: dict[int, int] = defaultdict(int)
    refunded_items: dict[int, int] = defaultdict(int)
    live_lines = (sa.select(RefundLine.shop_order_id, RefundLine.order_item_id, RefundLine.amount)
                  .join(Refund, Refund.id == RefundLine.refund_id)
                  .where(Refund.status != RefundStatus.FAILED.value))
    for shop_order_id, order_item_id, amount in db.session.execute(live_lines):
        if order_item_id is not None:
            refunded_items[shop_order_id] += amount
    paid_shop_orders = (sa.select(ShopOrder.id, ShopOrder.shop_id, ShopOrder.items_total, ShopOrder.shipping_fee)
                        .join(Order, Order.id == ShopOrder.order_id).where(Order.paid_at.is_not(None)))
    for shop_order_id, shop_id, items_total, shipping_fee in db.session.execute(paid_shop_orders):
        kept = items_total - refunded_items[shop_order_id]
        owed[shop_id] += items_total + shipping_fee - commission_on(kept)
    refunds_by_shop = (sa.select(ShopOrder.shop_id, sa.func.sum(RefundLine.amount))
                       .join(ShopOrder, ShopOrder.id == RefundLine.shop_order_id)
                       .join(Refund, Refund.id == RefundLine.refund_id)
                       .where(Refund.status != RefundStatus.FAILED.value).group_by(ShopOrder.shop_id))
    for shop_id, amount in db.session.execute(refunds_by_shop):
        owed[shop_id] -= int(amount)
    payouts = (sa.select(Payout.shop_id, sa.func.sum(Payout.amount))
               .join(PayoutBatch, PayoutBatch.id == Payout.batch_id)
               .where(PayoutBatch.status == PayoutBatchStatus.PAID.value).group_by(Payout.shop_id))
    for shop_id, amount in db.session.execute(payouts):
        owed[shop_id] -= int(amount)
    return dict(owed)


def ledger_differences() -> list[str]:
    expected = expected_balances()
    recorded = {shop_id: int(total) for shop_id, total in db.session.execute(
        sa.select(LedgerEntry.shop_id, sa.func.sum(LedgerEntry.amount)).group_by(LedgerEntry.shop_id))}
    names = {shop_id: slug for shop_id, slug in db.session.execute(
        sa.select(Shop.id, Shop.slug).where(Shop.id.in_(set(expected) | set(recorded))))}
    return [f"shop {names.get(shop_id, shop_id)} (id {shop_id}): ledger sums to {recorded.get(shop_id, 0)}, "
            f"orders, refunds and payouts say {expected.get(shop_id, 0)}"
            for shop_id in sorted(set(expected) | set(recorded))
            if expected.get(shop_id, 0) != recorded.get(shop_id, 0)]


def stripe_differences() -> list[str]:
    gateway = gateways.gateway()
    differences = []
    payments = db.session.scalars(sa.select(Payment).where(
        Payment.method == PaymentMethod.CARD.value, Payment.provider_ref.is_not(None)).order_by(Payment.id))
    for payment in payments:
        where = f"payment {payment.id} ({payment.provider_ref}, order {payment.order.number})"
        try:
            intent = gateway.fetch_payment(payment.provider_ref)
        except GatewayError as error:
            differences.append(f"{where}: Stripe could not be asked: {error}")
            continue
        if intent.amount != payment.amount or intent.currency != payment.currency:
            differences.append(f"{where}: Stripe has {intent.amount} {intent.currency}, "
                               f"we have {payment.amount} {payment.currency}")
        # A returned payment was taken by Stripe (and refunded in full, checked below).
        ours_succeeded = payment.status in (PaymentStatus.SUCCEEDED.value, PaymentStatus.RETURNED.value)
        if (intent.status == "succeeded") != ours_succeeded:
            differences.append(f"{where}: Stripe says {intent.status}, we say {payment.status}")
        if intent.status != "succeeded":
            continue  # nothing can have been refunded
        try:
            theirs = gateway.list_refunds(payment.provider_ref)
        except GatewayError as error:
            differences.append(f"{where}: Stripe's refunds could not be listed: {error}")
            continue
        ours = [r for r in payment.refunds if r.status != RefundStatus.FAILED.value]
        their_total = sum(r.amount for r in theirs if r.status in COUNTED_AT_STRIPE)
        our_total = sum(r.amount for r in ours)
        if their_total != our_total:
            differences.append(f"{where}: Stripe refunded {their_total}, we recorded {our_total}")
        known = {r.provider_ref for r in payment.refunds}
        for refund in theirs:
            if refund.id not in known:
                differences.append(f"{where}: Stripe refund {refund.id} of {refund.amount} ({refund.status}) "
                                   f"is not ours")
    return differences
