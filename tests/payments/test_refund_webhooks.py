"""Refund events, which localstripe never sends: payloads signed with the stripe SDK, posted
to the webhook as Stripe would."""
from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa

from marketplace.orders.models import Order
from marketplace.payments import refunds, services
from marketplace.payments.gateway import TEST_CARD_SUCCEEDS
from marketplace.payments.models import LedgerEntry, Payment, PaymentEvent, Refund
from tests import factories
from tests.payments.conftest import signed

_events = itertools.count(1)


@pytest.fixture
def refunded(db, stripe_app):
    """A card order of two cloths, one refunded through Stripe: (order, payment, refund)."""
    admin = factories.make_user("admin-events@canting.test", roles=["admin"])
    order = factories.make_order(None, [factories.make_product(price=200_000, stock=4)], quantity=2)
    payment = services.pay_with_test_card(order, TEST_CARD_SUCCEEDS)
    order = db.session.get(Order, order.id)
    refund = refunds.refund_order(admin, order.id, scope="items", items={order.shop_orders[0].items[0].id: 1},
                                  reason="Torn")
    return order, payment, refund


def refund_event(refund: Refund, status: str, *, event_id: str | None = None, type_: str = "refund.updated") -> dict:
    return {"id": event_id or f"evt_refund_{next(_events)}", "object": "event", "type": type_,
            "data": {"object": {"id": refund.provider_ref, "object": "refund", "amount": refund.amount * 100,
                                "currency": "idr", "status": status, "payment_intent": "pi_x"}}}


def post(client, payload: dict, **kwargs):
    body, headers = signed(payload, **kwargs)
    return client.post("/payments/stripe/webhook", data=body, headers=headers)


def balance(db, shop_id: int) -> int:
    db.session.expire_all()
    return int(db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0))
                                 .where(LedgerEntry.shop_id == shop_id)))


def set_pending(db, refund: Refund) -> None:
    """As when Stripe first answers pending (localstripe always answers succeeded)."""
    db.session.execute(sa.update(Refund).where(Refund.id == refund.id).values(status="pending", settled_at=None))
    db.session.commit()


def test_a_succeeded_event_settles_a_pending_refund(db, client, refunded):
    _order, _payment, refund = refunded
    set_pending(db, refund)
    response = post(client, refund_event(refund, "succeeded"))
    assert response.status_code == 200 and response.json["outcome"] == "processed"
    db.session.expire_all()
    settled = db.session.get(Refund, refund.id)
    assert settled.status == "succeeded" and settled.settled_at is not None


def test_a_failed_refund_reverses_its_entries_and_can_be_refunded_again(db, client, refunded):
    order, payment, refund = refunded
    shop_id = order.shop_orders[0].shop_id
    refunded_balance = balance(db, shop_id)
    response = post(client, refund_event(refund, "failed", type_="refund.failed"))
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Refund, refund.id).status == "failed"
    # The money stayed with the platform: the shop is owed the whole sale again.
    sale = order.shop_orders[0].total
    assert balance(db, shop_id) == sale - refunds.ledger.commission_on(order.shop_orders[0].items_total)
    assert balance(db, shop_id) > refunded_balance
    assert db.session.get(Payment, payment.id).refundable_amount == payment.amount


def test_a_replayed_event_changes_nothing(db, client, refunded):
    order, _payment, refund = refunded
    shop_id = order.shop_orders[0].shop_id
    event = refund_event(refund, "failed")
    assert post(client, event).json["outcome"] == "processed"
    after_first = balance(db, shop_id)
    entries = db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry))
    again = post(client, event)
    assert again.status_code == 200 and again.json["outcome"] == "duplicate"
    # Another event with the same news (a new id) is stale too.
    assert post(client, refund_event(refund, "failed")).json["outcome"] == "processed"
    assert balance(db, shop_id) == after_first
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)) == entries


def test_an_older_pending_event_does_not_undo_a_succeeded_refund(db, client, refunded):
    _order, _payment, refund = refunded
    assert post(client, refund_event(refund, "pending", type_="refund.created")).status_code == 200
    db.session.expire_all()
    assert db.session.get(Refund, refund.id).status == "succeeded"


def test_an_unknown_refund_is_ignored(db, client, stripe_app):
    payload = {"id": "evt_unknown_refund", "object": "event", "type": "charge.refund.updated",
               "data": {"object": {"id": "re_not_ours", "object": "refund", "status": "succeeded"}}}
    response = post(client, payload)
    assert response.status_code == 200 and response.json["outcome"] == "ignored"


def test_a_badly_signed_refund_event_is_refused_unread(db, client, refunded):
    _order, _payment, refund = refunded
    response = post(client, refund_event(refund, "failed"), secret="whsec_someone_else")
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Refund, refund.id).status == "succeeded"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PaymentEvent)) == 0
