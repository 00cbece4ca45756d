"""The buyer's payment page: bank transfer always, test cards offline, Stripe.js otherwise."""
from __future__ import annotations

import sqlalchemy as sa

from marketplace.orders.models import Order
from marketplace.orders.services import guest_token
from marketplace.payments import services
from marketplace.payments.gateway import TEST_CARD_DECLINED, TEST_CARD_SUCCEEDS
from marketplace.payments.models import Payment
from tests import factories
from tests.conftest import use_language
from tests.orders.conftest import post_form, signed_in


def guest_client(app):
    client = app.test_client()
    use_language(client, "en")
    return client


def fresh_order(db, order_id) -> Order:
    db.session.expire_all()
    return db.session.get(Order, order_id)


def test_without_stripe_keys_bank_transfer_is_the_one_method_and_it_holds_the_stock_for_a_day(app, db, order_to_pay):
    client = guest_client(app)
    pay = f"/orders/guest/{guest_token(order_to_pay)}/pay"
    page = client.get(pay).get_data(as_text=True)
    assert "Pay by bank transfer" in page and "Pay by card" not in page
    response = post_form(client, f"{pay}/bank-transfer", pay)
    assert response.status_code == 302
    page = client.get(pay).get_data(as_text=True)
    payment = db.session.scalar(sa.select(Payment))
    assert payment.method == "bank_transfer" and 1 <= payment.unique_code <= 999
    assert payment.amount == order_to_pay.total + payment.unique_code
    assert f"Rp {payment.amount:,}" in page and app.config["BANK_TRANSFER_ACCOUNT"] in page
    order = fresh_order(db, order_to_pay.id)
    assert (order.payment_due_at - order.created_at).total_seconds() >= 23 * 3600
    # Asking again shows the same amount instead of drawing another.
    post_form(client, f"{pay}/bank-transfer", pay)
    assert db.session.scalar(sa.select(sa.func.count(Payment.id))) == 1


def test_two_open_transfers_never_ask_for_the_same_amount(db):
    product = factories.make_product(price=100_000, stock=50)
    amounts = [services.start_bank_transfer(factories.make_order(None, [product])).amount for _ in range(30)]
    assert len(set(amounts)) == 30


def test_the_admin_sees_open_transfers_and_confirming_one_pays_the_order(app, db, order_to_pay, outbox):
    transfer = services.start_bank_transfer(order_to_pay)
    admin = signed_in(app, factories.make_user(roles=["admin"]))
    page = admin.get("/admin/payments/transfers").get_data(as_text=True)
    assert order_to_pay.number in page and f"Rp {transfer.amount:,}" in page
    response = post_form(admin, f"/admin/orders/{order_to_pay.id}/mark-paid", "/admin/payments/transfers",
                         bank_reference="MANDIRI 3011 8812", next="/admin/payments/transfers")
    assert response.status_code == 302
    db.session.expire_all()
    assert fresh_order(db, order_to_pay.id).status == "paid"
    payment = db.session.get(Payment, transfer.id)
    assert payment.status == "succeeded" and payment.bank_reference == "MANDIRI 3011 8812"
    buyer = signed_in(app, factories.make_user())
    assert buyer.get("/admin/payments/transfers").status_code == 403


def test_a_guest_pays_with_the_test_card_offline_and_lands_on_the_paid_order(app, db, stripe_app, order_to_pay):
    client = guest_client(app)
    token = guest_token(order_to_pay)
    pay = f"/orders/guest/{token}/pay"
    page = client.get(pay).get_data(as_text=True)
    assert "Pay by card" in page and "local test mode" in page and "Pay by bank transfer" in page
    declined = post_form(client, f"{pay}/test-card", pay, payment_method=TEST_CARD_DECLINED)
    after_decline = client.get(declined.location, follow_redirects=True).get_data(as_text=True)
    assert "did not go through" in after_decline and "declined" in after_decline
    assert fresh_order(db, order_to_pay.id).status == "pending_payment"
    paid = post_form(client, f"{pay}/test-card", pay, payment_method=TEST_CARD_SUCCEEDS)
    landing = client.get(paid.location)
    assert landing.status_code == 302 and landing.location == f"/orders/guest/{token}"
    assert "Payment received" in client.get(landing.location).get_data(as_text=True)
    assert fresh_order(db, order_to_pay.id).status == "paid"
    assert client.get(pay).status_code == 302  # nothing left to pay


def test_a_made_up_payment_method_is_refused_and_nothing_is_charged(app, db, stripe_app, order_to_pay):
    client = guest_client(app)
    pay = f"/orders/guest/{guest_token(order_to_pay)}/pay"
    response = post_form(client, f"{pay}/test-card", pay, payment_method="pm_card_visa_debit")
    assert "Choose one of the test cards" in client.get(response.location).get_data(as_text=True)
    assert fresh_order(db, order_to_pay.id).status == "pending_payment"


def test_the_payment_element_page_alone_may_load_stripe(app, db, stripe_app, monkeypatch, order_to_pay):
    monkeypatch.setitem(app.config, "STRIPE_OFFLINE_TEST_CARDS", False)
    client = guest_client(app)
    pay = f"/orders/guest/{guest_token(order_to_pay)}/pay"
    response = client.get(pay)
    page = response.get_data(as_text=True)
    payment = db.session.scalar(sa.select(Payment))
    assert 'id="payment-element"' in page and f'data-client-secret="{payment.provider_ref}_secret_' in page
    assert "https://js.stripe.com" in response.headers["Content-Security-Policy"]
    elsewhere = client.get(f"/orders/guest/{guest_token(order_to_pay)}").headers["Content-Security-Policy"]
    assert "stripe" not in elsewhere and "script-src 'self'" in elsewhere


def test_the_return_page_believes_stripe_not_the_browser(app, db, stripe_app, order_to_pay):
    client = guest_client(app)
    token = guest_token(order_to_pay)
    services.start_card_payment(order_to_pay)
    # Redirect parameters claiming success change nothing: Stripe says the intent is unpaid.
    response = client.get(f"/orders/guest/{token}/pay/return?redirect_status=succeeded&payment_intent=pi_x")
    assert response.status_code == 200 and "still confirming" in response.get_data(as_text=True)
    assert response.headers["Refresh"] == "3"
    assert fresh_order(db, order_to_pay.id).status == "pending_payment"


def test_another_buyers_order_has_no_payment_page(app, db):
    owner, intruder = factories.make_user(), factories.make_user()
    order = factories.make_order(owner, [factories.make_product(stock=2)])
    client = signed_in(app, intruder)
    assert client.get(f"/orders/{order.number}/pay").status_code == 404
    assert client.get("/orders/guest/not-the-token/pay").status_code == 404
    assert signed_in(app, owner).get(f"/orders/{order.number}/pay").status_code == 200
    assert app.test_client().get(f"/orders/{order.number}/pay").status_code == 302  # sign in first


def test_the_buyers_order_page_says_how_it_was_paid_and_what_came_back(app, db):
    from marketplace.payments import refunds

    buyer = factories.make_user()
    order = factories.make_order(buyer, [factories.make_product(price=200_000, stock=3)], quantity=2)
    client = signed_in(app, buyer)
    assert "Paid Rp" not in client.get(f"/orders/{order.number}").get_data(as_text=True)
    payment = factories.pay_order(order)
    admin = db.session.get(type(buyer), payment.confirmed_by_id)
    item = order.shop_orders[0].items[0]
    refunds.refund_order(admin, order.id, scope="items", items={item.id: 1}, reason="Satu kain luntur")
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert f"Paid Rp {order.total:,} by bank transfer" in page
    assert "Refunded Rp 200,000" in page and "Satu kain luntur" in page
