"""`flask payments reconcile`: the ledger against orders, refunds and payouts, and our card
payments and refunds against Stripe's (localstripe's) own records."""
from __future__ import annotations

import pytest

from marketplace.orders import services as orders
from marketplace.orders.models import Order
from marketplace.payments import refunds, services
from marketplace.payments.gateway import TEST_CARD_SUCCEEDS, to_minor
from marketplace.payments.models import LedgerEntry
from marketplace.payments.reconcile import reconcile
from tests import factories


@pytest.fixture
def mixed(db, stripe_app):
    """Card and bank-transfer orders, partly and wholly refunded, a seller-cancelled parcel, an
    unpaid order and a declined card: (admin, the partly refunded card payment)."""
    admin = factories.make_user("admin-books@canting.test", roles=["admin"])
    # Rp 33.333 a piece: the commission rounds, and refunds must give it back exactly.
    card = factories.make_order(None, [factories.make_product(price=33_333, stock=5)], quantity=3)
    card_payment = services.pay_with_test_card(card, TEST_CARD_SUCCEEDS)
    card = db.session.get(Order, card.id)
    refunds.refund_order(admin, card.id, scope="items", items={card.shop_orders[0].items[0].id: 1}, reason="Torn")

    transfer = factories.make_order(None, [factories.make_product(price=95_000), factories.make_product()], paid=True)
    refunds.refund_order(admin, transfer.id, scope="order", restock=True, reason="Buyer changed their mind")

    cancelled = factories.make_order(None, [factories.make_product(price=45_000), factories.make_product()])
    services.pay_with_test_card(cancelled, TEST_CARD_SUCCEEDS)
    parcel = db.session.get(Order, cancelled.id).shop_orders[0]
    orders.seller_cancel(parcel.shop.owner, parcel.id, reason="Sold out at the fair")

    factories.make_order(None, [factories.make_product()])
    declined = factories.make_order(None, [factories.make_product()])
    services.pay_with_test_card(declined, "pm_card_chargeCustomerFail")
    return admin, card_payment


def run_cli(app):
    return app.test_cli_runner().invoke(args=["payments", "reconcile"])


def test_the_books_agree_after_a_mixed_day(db, stripe_app, mixed):
    assert reconcile() == []
    result = run_cli(stripe_app)
    assert result.exit_code == 0, result.output
    assert "no differences" in result.output


def test_a_stray_ledger_entry_is_reported(db, stripe_app, mixed):
    shop_order = db.session.query(LedgerEntry).first().shop_order
    db.session.add(LedgerEntry(shop_id=shop_order.shop_id, kind="refund", amount=-1_000, shop_order_id=shop_order.id))
    db.session.commit()
    result = run_cli(stripe_app)
    assert result.exit_code == 1
    assert f"shop {shop_order.shop.slug}" in result.output and "1 difference(s) found." in result.output


def test_a_refund_made_on_stripe_behind_cantings_back_is_reported(db, stripe_app, stripe_client, mixed):
    _admin, payment = mixed
    stripe_client.v1.refunds.create(params={"payment_intent": payment.provider_ref, "amount": to_minor(10_000)})
    differences = reconcile()
    assert any(payment.provider_ref in line and "Stripe refunded" in line for line in differences)
    assert any("is not ours" in line for line in differences)
    result = run_cli(stripe_app)
    assert result.exit_code == 1 and payment.provider_ref in result.output


def test_without_stripe_only_the_ledger_is_checked(db, app):
    order = factories.make_order(None, [factories.make_product(price=50_000)], paid=True)
    admin = factories.make_user(roles=["admin"])
    refunds.refund_order(admin, order.id, scope="items", items={order.shop_orders[0].items[0].id: 1}, reason="x")
    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert result.exit_code == 0, result.output
