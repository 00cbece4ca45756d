"""The ledger's money rules that mutation testing found unchecked: commission given back exactly
when other parcels have refunds too, a failed refund's commission against what the buyer keeps,
and who a payout batch may pay while money is still on its way."""
from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.orders.shipping import OPTIONAL_ZONES, Zone, set_shipping_rates
from marketplace.orders.models import Order
from marketplace.payments import ledger, payouts, refunds, services
from marketplace.payments.gateway import TEST_CARD_SUCCEEDS
from marketplace.payments.ledger import commission_on
from marketplace.payments.models import LedgerEntry, Refund
from tests import factories
from tests.payments.conftest import signed
from tests.payments.sellers import entries_sum, net, sell, with_account

_events = itertools.count(1)


@pytest.fixture
def admin(db):
    return factories.make_user("admin-ledger@canting.test", roles=["admin"])


def commission_of(shop_order_id: int) -> int:
    """The commission the platform keeps of a parcel: its commission entries and returns (> 0)."""
    db.session.expire_all()
    return -sum(db.session.scalars(sa.select(LedgerEntry.amount).where(
        LedgerEntry.shop_order_id == shop_order_id, LedgerEntry.kind.in_(("commission", "commission_return")))))


def test_a_fully_refunded_parcel_keeps_no_commission_while_other_orders_have_refunds(db, admin):
    # Another order's refund of 10.010 must not shift this parcel's rounding: 3 x 33.333 refunded
    # one by one gives back 1.666 + 1.667 + 1.666 = 4.999, its whole commission.
    other = factories.make_order(None, [factories.make_product(price=10_010, stock=3)], paid=True)
    refunds.refund_order(admin, other.id, scope="items", items={other.shop_orders[0].items[0].id: 1},
                         reason="Salah warna")
    order = factories.make_order(None, [factories.make_product(price=33_333, stock=3)], quantity=3, paid=True)
    shop_order = order.shop_orders[0]
    assert commission_of(shop_order.id) == commission_on(99_999) == 4_999
    kept = []
    for _ in range(3):
        refunds.refund_order(admin, order.id, scope="items", items={shop_order.items[0].id: 1}, reason="Satu-satu")
        kept.append(commission_of(shop_order.id))
    assert kept == [commission_on(66_666), commission_on(33_333), 0]
    assert commission_of(other.shop_orders[0].id) == 0


def test_the_first_refund_of_a_parcel_returns_the_commission_of_its_items_exactly(db, admin):
    # Two cloths of 10.010: 5% of 20.020 is 1.001; the first refund gives back 1.001 - 500 = 501.
    shop = factories.make_shop()
    first, second = (factories.make_product(shop, title=title, price=10_010, stock=2) for title in ("Parang", "Kawung"))
    order = factories.make_order(None, [first, second], paid=True)
    (shop_order,) = order.shop_orders
    assert commission_of(shop_order.id) == commission_on(20_020) == 1_001
    for item, kept in zip(shop_order.items, (commission_on(10_010), 0), strict=True):
        refunds.refund_order(admin, order.id, scope="items", items={item.id: 1}, reason="Cacat tenun")
        assert commission_of(shop_order.id) == kept


def test_refunded_shipping_is_not_counted_as_refunded_items(db, admin):
    # Shipping of 12.345 (not a multiple of 20) refunded with the first cloth must not shift the
    # commission on the cloths the buyer keeps.
    shop = factories.make_shop()
    set_shipping_rates(shop.owner, {zone.value: {"base_fee": 12_345, "per_kg_fee": 0}
                                    for zone in Zone if zone not in OPTIONAL_ZONES})
    order = factories.make_order(None, [factories.make_product(shop, price=33_333, stock=3)], quantity=3, paid=True)
    (shop_order,) = order.shop_orders
    assert shop_order.shipping_fee == 12_345
    item_id = shop_order.items[0].id
    refunds.refund_order(admin, order.id, scope="items", items={item_id: 1}, include_shipping=True, reason="Telat")
    assert commission_of(shop_order.id) == commission_on(66_666)
    for kept in (commission_on(33_333), 0):
        refunds.refund_order(admin, order.id, scope="items", items={item_id: 1}, reason="Dikembalikan")
        assert commission_of(shop_order.id) == kept
    assert ledger.shop_balance(shop.id).total == 0


def card_refunded_twice(db, admin):
    """A card order of 3 x 33.333 with two single-item refunds at Stripe: (order, first, second)."""
    order = factories.make_order(None, [factories.make_product(price=33_333, stock=3)], quantity=3)
    services.pay_with_test_card(order, TEST_CARD_SUCCEEDS)
    order = db.session.get(Order, order.id)
    item_id = order.shop_orders[0].items[0].id
    first = refunds.refund_order(admin, order.id, scope="items", items={item_id: 1}, reason="Sobek")
    second = refunds.refund_order(admin, order.id, scope="items", items={item_id: 1}, reason="Luntur")
    return order, first, second


def fail_at_stripe(client, refund: Refund):
    payload = {"id": f"evt_ledger_rules_{next(_events)}", "object": "event", "type": "refund.failed",
               "data": {"object": {"id": refund.provider_ref, "object": "refund", "amount": refund.amount * 100,
                                   "currency": "idr", "status": "failed"}}}
    body, headers = signed(payload)
    response = client.post("/payments/stripe/webhook", data=body, headers=headers)
    assert response.status_code == 200


def test_a_failed_refund_leaves_the_commission_on_what_the_buyer_keeps(db, client, stripe_app, admin):
    order, first, second = card_refunded_twice(db, admin)
    shop_order = order.shop_orders[0]
    assert commission_of(shop_order.id) == commission_on(33_333)
    fail_at_stripe(client, second)
    # The buyer keeps two cloths again (the first refund stands): the platform keeps the
    # commission on 66.666, not the commission on 99.999 less that on 66.666.
    assert commission_of(shop_order.id) == commission_on(66_666) == 3_333
    assert ledger.shop_balance(shop_order.shop_id).total == 66_666 + shop_order.shipping_fee - 3_333


def test_a_refund_event_moves_only_its_own_refund(db, client, stripe_app, admin):
    order, first, second = card_refunded_twice(db, admin)
    fail_at_stripe(client, second)
    db.session.expire_all()
    assert (db.session.get(Refund, first.id).status, db.session.get(Refund, second.id).status) == (
        "succeeded", "failed")
    assert commission_of(order.shop_orders[0].id) == commission_on(66_666)


def test_a_shop_without_entries_is_owed_nothing(db):
    shop = factories.make_shop()
    assert entries_sum(shop.id) == 0
    assert ledger.shop_balance(shop.id) == ledger.Balance(available=0, pending=0, paid_out=0)


def test_money_still_on_its_way_never_makes_a_shop_eligible_for_a_payout(db, admin, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAYOUT_MINIMUM", 100_000)
    # Half delivered, half on its way: available is below the minimum, the whole is above it.
    half = factories.make_shop(name="Batik Setengah")
    small = sell(half, price=20_000, deliver=True)
    sell(half, price=300_000, ship=True)
    # Everything on its way: nothing available at all.
    waiting = factories.make_shop(name="Batik Menunggu")
    sell(waiting, price=300_000)
    ready = factories.make_shop(name="Batik Siap")
    delivered = sell(ready, price=200_000, deliver=True)
    for shop in (half, waiting, ready):
        with_account(shop)
    assert ledger.shop_balance(half.id).available == net(small) < 100_000
    assert ledger.shop_balance(half.id).total > 100_000

    plan = payouts.plan_payouts(admin)
    assert [(p.shop.id, p.amount) for p in plan.payouts] == [(ready.id, net(delivered))]
    batch = payouts.create_payout_batch(admin)
    assert [(p.shop_id, p.amount) for p in batch.payouts] == [(ready.id, net(delivered))]
