"""The payments API: a PaymentIntent per order, bank-transfer instructions, the admin's check."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from marketplace.core.times import utcnow
from marketplace.orders import services as orders
from marketplace.orders.models import Order
from marketplace.payments import services
from marketplace.payments.models import Payment
from tests import factories


def test_the_buyer_gets_one_payment_intent_for_their_order_however_often_they_ask(
        client, db, stripe_app, stripe_client):
    buyer = factories.make_user()
    order = factories.make_order(buyer, [factories.make_product(price=275_000, stock=2)])
    first = client.post(f"/api/v1/orders/{order.id}/payment", headers=factories.bearer(buyer))
    assert first.status_code == 200, first.json
    again = client.post(f"/api/v1/orders/{order.id}/payment", headers=factories.bearer(buyer)).json
    assert again == first.json
    assert first.json["amount"] == order.total and first.json["currency"] == "idr"
    assert first.json["client_secret"].startswith(first.json["payment_intent_id"] + "_secret_")
    intent = stripe_client.v1.payment_intents.retrieve(first.json["payment_intent_id"])
    assert intent.amount == order.total * 100 and intent.metadata["order_number"] == order.number


def test_someone_elses_order_unknown_orders_and_paid_orders_are_refused(client, db, stripe_app):
    buyer, other = factories.make_user(), factories.make_user()
    order = factories.make_order(buyer, [factories.make_product(stock=2)])
    assert client.post(f"/api/v1/orders/{order.id}/payment", headers=factories.bearer(other)).status_code == 404
    assert client.post(f"/api/v1/orders/{order.id + 99}/payment", headers=factories.bearer(buyer)).status_code == 404
    assert client.post(f"/api/v1/orders/{order.id}/payment").status_code == 401
    factories.pay_order(order)
    paid = client.post(f"/api/v1/orders/{order.id}/payment", headers=factories.bearer(buyer))
    assert paid.status_code == 409 and paid.json["reason"] == "invalid_transition"
    assert db.session.scalar(sa.select(sa.func.count(Payment.id)).where(Payment.method == "card")) == 0


def test_without_stripe_keys_card_payment_is_unavailable_and_bank_transfer_works(client, db):
    buyer = factories.make_user()
    order = factories.make_order(buyer, [factories.make_product(stock=2)])
    card = client.post(f"/api/v1/orders/{order.id}/payment", headers=factories.bearer(buyer))
    assert card.status_code == 503 and card.json["reason"] == "payment_unavailable"
    transfer = client.post(f"/api/v1/orders/{order.id}/bank-transfer", headers=factories.bearer(buyer))
    assert transfer.status_code == 200
    body = transfer.json
    assert body["amount"] == order.total + body["unique_code"] and body["account_number"]
    assert body["expires_at"].endswith("Z") or "+00:00" in body["expires_at"]


def test_stripe_unreachable_is_a_clear_503_and_nothing_is_stored(client, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "sk_test_x")
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", "http://127.0.0.1:9")  # nobody listens
    buyer = factories.make_user()
    order = factories.make_order(buyer, [factories.make_product(stock=2)])
    response = client.post(f"/api/v1/orders/{order.id}/payment", headers=factories.bearer(buyer))
    assert response.status_code == 503 and "tidak ada yang ditagih" in response.json["message"]  # nothing was charged
    assert db.session.scalar(sa.select(sa.func.count(Payment.id))) == 0


def test_only_an_admin_confirms_a_transfer_and_only_once(client, db):
    buyer = factories.make_user()
    admin = factories.make_user(roles=["admin"])
    order = factories.make_order(buyer, [factories.make_product(stock=2)])
    services.start_bank_transfer(order)
    assert client.post(f"/api/v1/orders/{order.id}/mark-paid", headers=factories.bearer(buyer)).status_code == 403
    done = client.post(f"/api/v1/orders/{order.id}/mark-paid", json={"bank_reference": "BCA 0112"},
                       headers=factories.bearer(admin))
    assert done.status_code == 200 and done.json["status"] == "succeeded" and done.json["method"] == "bank_transfer"
    again = client.post(f"/api/v1/orders/{order.id}/mark-paid", headers=factories.bearer(admin))
    assert again.status_code == 409
    too_long = client.post(f"/api/v1/orders/{order.id}/mark-paid", json={"bank_reference": "x" * 121},
                           headers=factories.bearer(admin))
    assert too_long.status_code == 422 and "bank_reference" in str(too_long.json["errors"])
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "paid"


def test_expired_orders_release_their_transfer_amounts_and_cancel_their_payment_intents(
        db, stripe_app, stripe_client):
    product = factories.make_product(stock=5)
    by_card = factories.make_order(None, [product])
    by_transfer = factories.make_order(None, [product])
    card = services.start_card_payment(by_card)
    transfer = services.start_bank_transfer(by_transfer)
    for order in (by_card, by_transfer):
        order.payment_due_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert orders.expire_unpaid_orders() == 2
    assert services.close_stale_payments() == 2
    db.session.expire_all()
    assert db.session.get(Payment, card.id).status == "cancelled"
    assert db.session.get(Payment, transfer.id).status == "cancelled"
    assert stripe_client.v1.payment_intents.retrieve(card.provider_ref).status == "canceled"
