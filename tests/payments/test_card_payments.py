"""Card payments through the real stripe SDK against localstripe."""
from __future__ import annotations

import pytest

from marketplace.core.errors import InvalidTransition
from marketplace.orders.models import Order
from marketplace.payments import services
from marketplace.payments.gateway import TEST_CARD_DECLINED, TEST_CARD_SUCCEEDS, to_minor
from marketplace.payments.models import LedgerEntry, Payment


def fresh(db, model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def test_one_payment_intent_per_order_with_the_order_number_and_the_amount_in_hundredths(
        db, stripe_app, stripe_client, order_to_pay):
    first = services.start_card_payment(order_to_pay)
    again = services.start_card_payment(order_to_pay)
    assert again.id == first.id and again.provider_ref == first.provider_ref
    intent = stripe_client.v1.payment_intents.retrieve(first.provider_ref)
    assert intent.amount == to_minor(order_to_pay.total) == order_to_pay.total * 100
    assert intent.currency == "idr" and intent.metadata["order_number"] == order_to_pay.number


def test_a_succeeding_test_card_pays_the_order_and_the_sale_enters_the_ledger(db, stripe_app, order_to_pay):
    payment = services.pay_with_test_card(order_to_pay, TEST_CARD_SUCCEEDS)
    assert payment.status == "succeeded"
    order = fresh(db, Order, order_to_pay.id)
    assert order.status == "paid" and {so.status for so in order.shop_orders} == {"paid"}
    entries = db.session.query(LedgerEntry).all()
    assert sum(e.amount for e in entries if e.kind == "sale") == order.total
    with pytest.raises(InvalidTransition):
        services.start_card_payment(order)


def test_a_declined_card_leaves_the_order_unpaid_and_a_retry_succeeds(db, stripe_app, order_to_pay):
    declined = services.pay_with_test_card(order_to_pay, TEST_CARD_DECLINED)
    assert declined.status == "failed" and "declined" in declined.failure_message
    assert fresh(db, Order, order_to_pay.id).status == "pending_payment"
    retried = services.pay_with_test_card(fresh(db, Order, order_to_pay.id), TEST_CARD_SUCCEEDS)
    assert retried.status == "succeeded" and retried.provider_ref != declined.provider_ref
    assert fresh(db, Order, order_to_pay.id).status == "paid"
    assert fresh(db, Payment, declined.id).status == "cancelled"
