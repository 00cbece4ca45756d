"""Payment rules that mutation testing found unchecked: the words of a declined card, card
offered first, the bank transfer's unique code (1 to 999, and what happens when none is free),
which transfers the admin waits for, and which payments the clean-up closes."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import gettext as _

from marketplace.core.errors import ValidationFailed
from marketplace.core.times import utcnow
from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.orders.models import Order
from marketplace.payments import services
from marketplace.payments.gateway import TEST_CARD_DECLINED
from marketplace.payments.models import Payment
from tests import factories


def test_a_declined_card_is_explained_in_the_buyers_words(db, stripe_app):
    order = factories.make_order(None, [factories.make_product(price=70_000)])
    declined = services.pay_with_test_card(order, TEST_CARD_DECLINED)
    assert declined.status == "failed" and declined.failure_code
    expected = services.DECLINE_REASONS.get(declined.failure_code)
    assert expected is not None, declined.failure_code
    assert services.decline_reason(declined) == str(expected) != declined.failure_message
    # A code we have no words for shows Stripe's own message.
    declined.failure_code = "do_not_honor"
    assert services.decline_reason(declined) == declined.failure_message
    declined.failure_code = None
    assert services.decline_reason(declined) == declined.failure_message
    declined.failure_message = None
    assert services.decline_reason(declined) == ""


def test_card_is_offered_before_bank_transfer(stripe_app):
    assert services.payment_methods() == ["card", "bank_transfer"]


def test_asking_stripe_about_an_order_without_a_card_payment_answers_nothing(db, stripe_app):
    order = factories.make_order(None, [factories.make_product()])
    assert services.check_card_payment(order) is None
    services.start_bank_transfer(order)
    assert services.check_card_payment(db.session.get(Order, order.id)) is None


@pytest.mark.parametrize(("end", "code"), [("lowest", 1), ("highest", 999)])
def test_the_unique_code_runs_from_1_to_999(db, monkeypatch, end, code):
    # Pin the random draw to the lowest or the highest number it can give.
    monkeypatch.setattr(services.secrets, "randbelow", lambda n: 0 if end == "lowest" else n - 1)
    order = factories.make_order(None, [factories.make_product(price=75_000)])
    transfer = services.start_bank_transfer(order)
    assert (transfer.unique_code, transfer.amount) == (code, order.total + code)


def test_when_no_unique_amount_is_free_the_buyer_is_told_to_try_again(db, monkeypatch):
    monkeypatch.setattr(services.secrets, "randbelow", lambda n: 41)
    product = factories.make_product(price=75_000, stock=5)
    first, second = (factories.make_order(None, [product]) for _ in range(2))
    assert first.total == second.total
    assert services.start_bank_transfer(first).unique_code == 42
    with pytest.raises(ValidationFailed) as refused:
        services.start_bank_transfer(second)
    assert (refused.value.field, refused.value.message) == (
        "payment_method", _("Too many bank transfers are open right now; please try again in a minute."))
    assert db.session.scalar(sa.select(sa.func.count(Payment.id)).where(Payment.order_id == second.id)) == 0


def expire(order) -> None:
    db.session.execute(sa.update(Order).where(Order.id == order.id).values(payment_due_at=utcnow() - timedelta(1)))
    db.session.commit()


def test_the_admin_waits_only_for_open_transfers_of_orders_still_awaiting_payment(db):
    open_ = factories.make_order(None, [factories.make_product(price=61_000)])
    waiting = services.start_bank_transfer(open_)
    paid = factories.make_order(None, [factories.make_product(price=62_000)])
    services.start_bank_transfer(paid)
    factories.pay_order(paid)
    expired = factories.make_order(None, [factories.make_product(price=63_000)])
    services.start_bank_transfer(expired)
    expire(expired)
    assert orders.expire_unpaid_orders() == 1
    assert [p.id for p in services.open_bank_transfers()] == [waiting.id]


def test_the_clean_up_closes_only_payments_of_cancelled_orders(db):
    live = factories.make_order(None, [factories.make_product(price=64_000)])
    live_transfer = services.start_bank_transfer(live)
    gone = factories.make_order(None, [factories.make_product(price=65_000)])
    gone_transfer = services.start_bank_transfer(gone)
    expire(gone)
    assert orders.expire_unpaid_orders() == 1
    assert services.close_stale_payments() == 1
    db.session.expire_all()
    assert (db.session.get(Payment, live_transfer.id).status, db.session.get(Payment, gone_transfer.id).status) == (
        "pending", "cancelled")
    assert [p.id for p in services.open_bank_transfers()] == [live_transfer.id]


def test_a_payment_intent_cancelled_at_stripe_closes_the_payment(db, stripe_app, stripe_client):
    order = factories.make_order(None, [factories.make_product(price=66_000)])
    payment = services.start_card_payment(order)
    stripe_client.v1.payment_intents.cancel(payment.provider_ref)
    checked = services.check_card_payment(db.session.get(Order, order.id))
    assert (checked.id, checked.status, checked.succeeded_at) == (payment.id, "cancelled", None)
    assert db.session.get(Order, order.id).status == "pending_payment"


def test_a_card_payment_records_when_it_succeeded(db, stripe_app):
    from marketplace.payments.gateway import TEST_CARD_SUCCEEDS

    order = factories.make_order(None, [factories.make_product(price=67_000)])
    paid = services.pay_with_test_card(order, TEST_CARD_SUCCEEDS)
    assert paid.status == "succeeded" and paid.succeeded_at is not None and paid.failure_message is None


def test_a_confirmed_transfer_keeps_the_admins_bank_reference_trimmed_or_none(db):
    admin = factories.make_user("kasir-ref@canting.test", roles=["admin"])
    with_reference, without = (factories.make_order(None, [factories.make_product(price=price)])
                               for price in (68_000, 69_000))
    first = services.confirm_bank_transfer(admin, with_reference.id, bank_reference="  BCA 0112 ")
    second = services.confirm_bank_transfer(admin, without.id)
    assert (first.bank_reference, second.bank_reference) == ("BCA 0112", None)
    assert first.confirmed_by_id == admin.id and first.succeeded_at is not None
