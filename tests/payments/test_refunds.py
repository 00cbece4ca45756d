"""Refunds through the services: card refunds against localstripe, bank transfers by hand."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.catalog.models import Variant
from marketplace.core.errors import InvalidTransition, NotFound, ValidationFailed
from marketplace.core.times import utcnow
from marketplace.orders import services as orders
from marketplace.orders.models import Order
from marketplace.payments import gateway, refunds, services
from marketplace.payments.gateway import TEST_CARD_SUCCEEDS
from marketplace.payments.ledger import commission_on
from marketplace.payments.models import LedgerEntry, Payment, Refund, RefundLine
from marketplace.payments.refunds import MoreThanLeftToRefund
from tests import factories


@pytest.fixture
def admin():
    return factories.make_user("admin-refunds@canting.test", roles=["admin"])


def fresh(db, model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def entries(db, shop_order_id=None, shop_id=None):
    db.session.expire_all()
    query = sa.select(LedgerEntry).order_by(LedgerEntry.id)
    if shop_order_id:
        query = query.where(LedgerEntry.shop_order_id == shop_order_id)
    if shop_id:
        query = query.where(LedgerEntry.shop_id == shop_id)
    return list(db.session.scalars(query))


def counts(db):
    db.session.expire_all()
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model))
                 for model in (Refund, RefundLine, LedgerEntry))


def stripe_refunds(stripe_client, payment):
    return stripe_client.v1.refunds.list(params={"payment_intent": payment.provider_ref}).data


def card_order(db, *, price=150_000, quantity=2, stock=5, products=None):
    products = products or [factories.make_product(price=price, stock=stock)]
    order = factories.make_order(None, products, quantity=quantity)
    payment = services.pay_with_test_card(order, TEST_CARD_SUCCEEDS)
    assert payment.status == "succeeded"
    return fresh(db, Order, order.id), payment


def test_a_partial_then_a_full_card_refund_reach_stripe_and_leave_the_shop_nothing(
        db, stripe_app, stripe_client, admin):
    order, payment = card_order(db)
    shop_order = order.shop_orders[0]
    item = shop_order.items[0]

    first = refunds.refund_order(admin, order.id, scope="items", items={item.id: 1}, reason="One cloth was torn")
    assert first.status == "succeeded" and first.amount == 150_000
    assert [(r.amount, r.status) for r in stripe_refunds(stripe_client, payment)] == [(150_000 * 100, "succeeded")]
    assert fresh(db, Payment, payment.id).refundable_amount == order.total - 150_000

    rest = refunds.refund_order(admin, order.id, scope="order", reason="The buyer sent the other one back too")
    assert rest.amount == 150_000 + shop_order.shipping_fee
    assert sorted(r.amount for r in stripe_refunds(stripe_client, payment)) == sorted(
        [150_000 * 100, rest.amount * 100])
    assert fresh(db, Payment, payment.id).refundable_amount == 0
    # A full refund leaves the shop's part of the order at exactly zero, commission included.
    assert sum(e.amount for e in entries(db, shop_order.id)) == 0
    assert sum(e.amount for e in entries(db, shop_order.id) if e.kind in ("commission", "commission_return")) == 0

    before = counts(db)
    with pytest.raises(MoreThanLeftToRefund) as refused:
        refunds.refund_order(admin, order.id, scope="order", reason="Again")
    assert refused.value.field == "scope"
    assert counts(db) == before
    assert len(stripe_refunds(stripe_client, payment)) == 2


def test_more_of_an_item_than_was_bought_is_refused_and_nothing_is_written(db, stripe_app, stripe_client, admin):
    order, payment = card_order(db)
    item = order.shop_orders[0].items[0]
    before = counts(db)
    with pytest.raises(MoreThanLeftToRefund) as refused:
        refunds.refund_order(admin, order.id, scope="items", items={item.id: 3}, reason="Too many")
    assert refused.value.field == "items" and "2" in refused.value.message
    refunds.refund_order(admin, order.id, scope="items", items={item.id: 2}, reason="Both")
    with pytest.raises(MoreThanLeftToRefund):
        refunds.refund_order(admin, order.id, scope="items", items={item.id: 1}, reason="A third")
    assert counts(db)[0] == before[0] + 1
    assert len(stripe_refunds(stripe_client, payment)) == 1


def test_a_parcels_shipping_is_refunded_once(db, admin):
    product = factories.make_product(price=80_000, stock=5)
    order = factories.make_order(None, [product], quantity=2, paid=True)
    item = order.shop_orders[0].items[0]
    first = refunds.refund_order(admin, order.id, scope="items", items={item.id: 1}, include_shipping=True,
                                 reason="Arrived late")
    assert first.amount == 80_000 + order.shop_orders[0].shipping_fee
    assert sorted((line.order_item_id is None, line.amount) for line in first.lines) == [
        (False, 80_000), (True, order.shop_orders[0].shipping_fee)]
    before = counts(db)
    with pytest.raises(MoreThanLeftToRefund) as refused:
        refunds.refund_order(admin, order.id, scope="items", items={item.id: 1}, include_shipping=True,
                             reason="Shipping again")
    assert refused.value.field == "include_shipping"
    assert counts(db) == before
    # The parcel's remaining refund leaves the shipping out: it has gone back already.
    rest = refunds.refund_order(admin, order.id, scope="shop_order", shop_order_id=order.shop_orders[0].id,
                                reason="The rest")
    assert rest.amount == 80_000


def test_restock_puts_the_refunded_items_back(db, admin):
    product = factories.make_product(price=90_000, stock=4)
    order = factories.make_order(None, [product], quantity=3, paid=True)
    variant_id = product.variants[0].id
    assert fresh(db, Variant, variant_id).stock == 1
    item = order.shop_orders[0].items[0]
    refunds.refund_order(admin, order.id, scope="items", items={item.id: 2}, restock=True, reason="Sent back")
    assert fresh(db, Variant, variant_id).stock == 3
    refunds.refund_order(admin, order.id, scope="items", items={item.id: 1}, reason="Kept by the buyer, damaged")
    assert fresh(db, Variant, variant_id).stock == 3


def test_commission_is_given_back_exactly_whatever_the_rounding(db, admin, app):
    # 5% of 99.999 is 4.999,95: rounded down to 4.999; each refund returns the difference.
    product = factories.make_product(price=33_333, stock=3)
    order = factories.make_order(None, [product], quantity=3, paid=True)
    shop_order = order.shop_orders[0]
    item = shop_order.items[0]
    assert commission_on(99_999) == 4_999
    returns = []
    for _ in range(3):
        refund = refunds.refund_order(admin, order.id, scope="items", items={item.id: 1}, reason="One by one")
        returns.append(sum(e.amount for e in entries(db, shop_order.id) if e.refund_id == refund.id
                           and e.kind == "commission_return"))
    assert returns == [4_999 - 3_333, 3_333 - 1_666, 1_666]
    assert sum(e.amount for e in entries(db, shop_order.id)) == shop_order.shipping_fee


def test_a_whole_bank_transfer_refund_gives_back_the_unique_code_too(db, admin):
    order = factories.make_order(None, [factories.make_product(price=120_000)])
    transfer = services.start_bank_transfer(order)
    payment = factories.pay_order(order)
    assert payment.id == transfer.id and payment.amount == order.total + transfer.unique_code
    refund = refunds.refund_order(admin, order.id, scope="order", reason="Out of stock after all")
    assert refund.status == "succeeded" and refund.provider_ref is None and refund.settled_at is not None
    assert refund.amount == payment.amount
    assert sum(line.amount for line in refund.lines) == order.total
    assert sum(e.amount for e in entries(db, order.shop_orders[0].id)) == 0


def test_one_parcel_of_a_two_shop_order_is_charged_to_its_shop_only(db, admin):
    first, second = factories.make_product(price=100_000), factories.make_product(price=200_000)
    order = factories.make_order(None, [first, second], paid=True)
    parcel, other = order.shop_orders
    before_other = sum(e.amount for e in entries(db, shop_id=other.shop_id))
    refund = refunds.refund_order(admin, order.id, scope="shop_order", shop_order_id=parcel.id, reason="Lost")
    assert refund.amount == parcel.total
    assert sum(e.amount for e in entries(db, shop_id=parcel.shop_id)) == 0
    assert sum(e.amount for e in entries(db, shop_id=other.shop_id)) == before_other
    kinds = sorted((e.kind, e.amount) for e in entries(db, parcel.id) if e.refund_id == refund.id)
    assert kinds == [("commission_return", commission_on(parcel.items_total)), ("refund", -parcel.total)]


def test_the_buyer_and_the_seller_are_mailed(db, admin, outbox):
    seller = factories.make_artisan(email="pembatik@example.test")
    product = factories.make_product(factories.make_shop(seller), title="Kain Jumputan Merah", price=75_000)
    order = factories.make_order(None, [product], email="pembeli@example.test", paid=True)
    outbox.clear()
    refunds.refund_order(admin, order.id, scope="order", reason="Warna luntur")
    to = {mail.to[0]: mail for mail in outbox}
    assert set(to) == {"pembeli@example.test", "pembatik@example.test"}
    assert order.number in to["pembeli@example.test"].subject
    assert "Warna luntur" in to["pembeli@example.test"].body and "Kain Jumputan Merah" in to["pembeli@example.test"].body
    assert "Warna luntur" in to["pembatik@example.test"].body


def test_refund_rules_reason_scope_payment_and_admin(db, admin):
    unpaid = factories.make_order(None, [factories.make_product()])
    with pytest.raises(InvalidTransition):
        refunds.refund_order(admin, unpaid.id, scope="order", reason="Nothing paid")
    order = factories.make_order(None, [factories.make_product()], paid=True)
    with pytest.raises(ValidationFailed) as no_reason:
        refunds.refund_order(admin, order.id, scope="order", reason="  ")
    assert no_reason.value.field == "reason"
    with pytest.raises(ValidationFailed) as bad_scope:
        refunds.refund_order(admin, order.id, scope="everything", reason="x")
    assert bad_scope.value.field == "scope"
    with pytest.raises(NotFound) as other_parcel:
        refunds.refund_order(admin, order.id, scope="shop_order", shop_order_id=unpaid.shop_orders[0].id, reason="x")
    assert other_parcel.value.field == "shop_order_id"
    with pytest.raises(NotFound) as other_item:
        refunds.refund_order(admin, order.id, scope="items", items={unpaid.shop_orders[0].items[0].id: 1},
                             reason="x")
    assert other_item.value.field == "items"
    with pytest.raises(NotFound):
        refunds.refund_order(order.buyer or factories.make_user(), order.id, scope="order", reason="Me")
    with pytest.raises(NotFound):
        refunds.refund_order(admin, 987_654, scope="order", reason="x")
    assert counts(db)[:2] == (0, 0)


def test_stripe_not_answering_writes_nothing(db, stripe_app, admin, monkeypatch):
    order, payment = card_order(db)
    before = counts(db)
    monkeypatch.setitem(stripe_app.config, "STRIPE_API_BASE", "http://127.0.0.1:9")
    with pytest.raises(refunds.RefundUnavailable):
        refunds.refund_order(admin, order.id, scope="order", reason="Lost in the post")
    assert counts(db) == before


def test_a_seller_cancelling_a_paid_card_parcel_refunds_it(db, stripe_app, stripe_client, outbox):
    product = factories.make_product(price=110_000, stock=2)
    order, payment = card_order(db, quantity=1, products=[product])
    shop_order = order.shop_orders[0]
    orders.seller_cancel(shop_order.shop.owner, shop_order.id, reason="Kain habis terjual di pameran")
    refund = db.session.scalar(sa.select(Refund).where(Refund.order_id == order.id))
    assert refund is not None and refund.created_by_id is None and refund.amount == order.total
    assert refund.reason == "Kain habis terjual di pameran" and refund.status == "succeeded"
    assert [r.amount for r in stripe_refunds(stripe_client, payment)] == [order.total * 100]
    assert sum(e.amount for e in entries(db, shop_order.id)) == 0
    assert fresh(db, Variant, product.variants[0].id).stock == 2  # returned once, by the cancellation


def test_a_buyer_cancelling_a_late_bank_transfer_parcel_is_refunded(db, admin, monkeypatch):
    first, second = factories.make_product(price=60_000), factories.make_product(price=70_000)
    order = factories.make_order(None, [first, second], paid=True)
    late = fresh(db, Order, order.id).shop_orders[0]
    monkeypatch.setattr(orders, "local_today", lambda: late.ship_by.replace(year=late.ship_by.year + 1))
    orders.buyer_cancel(fresh(db, Order, order.id), late.id)
    refund = db.session.scalar(sa.select(Refund).where(Refund.order_id == order.id))
    assert refund.amount == late.total and refund.status == "succeeded"
    assert {line.shop_order_id for line in refund.lines} == {late.id}
    # Once refunded, the sweep finds nothing more to give back.
    assert refunds.refund_cancelled_parcels() == 0


def test_a_card_payment_for_an_expired_order_is_given_back_whole(db, stripe_app, stripe_client, outbox):
    order = factories.make_order(None, [factories.make_product(price=130_000)], email="terlambat@example.test")
    payment = services.start_card_payment(order)
    db.session.execute(sa.update(Order).where(Order.id == order.id).values(payment_due_at=utcnow() - timedelta(1)))
    db.session.commit()
    assert orders.expire_unpaid_orders() == 1
    gateway.gateway().confirm_with_test_method(payment.provider_ref, TEST_CARD_SUCCEEDS)
    outbox.clear()
    services.check_card_payment(fresh(db, Order, order.id))
    payment = fresh(db, Payment, payment.id)
    assert payment.status == "returned" and payment.refundable_amount == 0
    (refund,) = payment.refunds
    assert refund.amount == payment.amount and refund.lines == [] and refund.created_by_id is None
    assert [r.amount for r in stripe_refunds(stripe_client, payment)] == [payment.amount * 100]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)) == 0
    assert [mail.to[0] for mail in outbox] == ["terlambat@example.test"]
