"""The sellers' ledger: sales and commission when an order is paid, balances split into pending
(parcels on their way) and available (delivered or cancelled), and the sum of entries."""
from __future__ import annotations

import pytest
from flask_babel import force_locale
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.payments import ledger
from marketplace.payments.models import LedgerEntry, LedgerKind
from tests import factories
from tests.payments.sellers import entries_sum, net, sell


@pytest.fixture
def shop(db):
    return factories.make_shop(name="Batik Nurul")


def kinds_of(shop_order) -> dict[str, int]:
    rows = db.session.execute(sa.select(LedgerEntry.kind, LedgerEntry.amount)
                              .where(LedgerEntry.shop_order_id == shop_order.id)).all()
    return {kind: amount for kind, amount in rows}


def test_a_paid_parcel_is_a_sale_of_items_and_shipping_less_commission_on_items_only(shop, app, monkeypatch):
    monkeypatch.setitem(app.config, "PLATFORM_COMMISSION_PERCENT", "5")
    shop_order = sell(shop, price=200_000)
    assert shop_order.shipping_fee > 0
    assert kinds_of(shop_order) == {"sale": 200_000 + shop_order.shipping_fee, "commission": -10_000}


def test_commission_is_rounded_down_to_the_whole_rupiah(shop, app, monkeypatch):
    monkeypatch.setitem(app.config, "PLATFORM_COMMISSION_PERCENT", "7.5")
    assert ledger.commission_on(10_001) == 750  # 750.075
    assert ledger.commission_on(10_013) == 750  # 750.975: still down, in the seller's favour
    assert ledger.commission_on(13) == 0
    shop_order = sell(shop, price=10_001)
    assert kinds_of(shop_order)["commission"] == -750


def test_a_paid_parcel_is_pending_until_delivered_then_available(shop):
    shop_order = sell(shop, ship=True)
    owed = net(shop_order)
    assert ledger.shop_balance(shop.id) == ledger.Balance(available=0, pending=owed, paid_out=0)

    from marketplace.orders import services as orders
    orders.confirm_delivery(shop_order.order, shop_order.id)
    balance = ledger.shop_balance(shop.id)
    assert (balance.available, balance.pending, balance.paid_out, balance.total) == (owed, 0, 0, owed)


def test_paid_and_processing_parcels_are_pending(shop):
    from marketplace.orders import services as orders
    first, second = sell(shop), sell(shop)
    orders.mark_processing(shop.owner, second.id)
    assert ledger.shop_balance(shop.id).pending == net(first) + net(second)
    assert ledger.shop_balance(shop.id).available == 0


def test_a_cancelled_paid_parcel_is_refunded_at_once_and_nets_to_nothing(shop):
    shop_order = sell(shop, cancel=True)
    # Cancelling a paid parcel refunds it (payments listens to orders' signal): the sale and the
    # commission come back, and nothing is left, neither pending nor available.
    kinds = kinds_of(shop_order)
    assert kinds["refund"] == -kinds["sale"] and kinds["commission_return"] == -kinds["commission"]
    assert ledger.shop_balance(shop.id) == ledger.Balance(available=0, pending=0, paid_out=0)


def test_a_refund_on_a_parcel_still_on_its_way_lowers_pending(shop):
    shop_order = sell(shop, ship=True)
    db.session.add(LedgerEntry(shop_id=shop.id, kind=LedgerKind.REFUND.value, amount=-20_000,
                               shop_order_id=shop_order.id))
    db.session.commit()
    assert ledger.shop_balance(shop.id).pending == net(shop_order)
    assert net(shop_order) == kinds_of(shop_order)["sale"] + kinds_of(shop_order)["commission"] - 20_000


def test_a_shop_without_entries_has_a_zero_balance(shop):
    assert ledger.shop_balance(shop.id) == ledger.Balance()
    assert ledger.shop_balance(shop.id).total == 0


def test_the_balance_is_one_query(shop, query_counter):
    sell(shop, deliver=True)
    sell(shop)
    with query_counter() as statements:
        ledger.shop_balance(shop.id)
    assert len(statements) == 1


def test_each_shop_of_an_order_gets_its_own_sale(db):
    a, b = factories.make_shop(), factories.make_shop()
    order = factories.make_order(None, [factories.make_product(a, price=120_000, stock=2),
                                        factories.make_product(b, price=80_000, stock=2)], paid=True)
    for shop_order in order.shop_orders:
        assert ledger.shop_balance(shop_order.shop_id).pending == net(shop_order)
        assert kinds_of(shop_order)["sale"] == shop_order.items_total + shop_order.shipping_fee


def test_entries_are_listed_newest_first_with_their_order(shop):
    first = sell(shop, price=90_000)
    second = sell(shop, price=110_000)
    entries = db.session.scalars(ledger.entries_query(shop.id)).unique().all()
    assert len(entries) == 4
    assert [e.shop_order_id for e in entries[:2]] == [second.id, second.id]
    assert [e.shop_order_id for e in entries[2:]] == [first.id, first.id]
    assert entries[0].shop_order.order.number == second.order.number
    assert {e.kind for e in entries[:2]} == {"sale", "commission"}


def test_entries_of_another_shop_are_not_listed(shop):
    mine, theirs = sell(shop), sell(factories.make_shop())
    listed = {e.shop_order_id for e in db.session.scalars(ledger.entries_query(shop.id)).unique()}
    assert listed == {mine.id}
    assert theirs.id not in listed


def test_kinds_have_labels_in_both_languages(app):
    with force_locale("en"):
        assert {ledger.kind_label(kind.value) for kind in LedgerKind} == {
            "Sale", "Platform commission", "Refund to the buyer", "Commission returned", "Payout to your bank"}
    with force_locale("id"):
        assert {ledger.kind_label(kind.value) for kind in LedgerKind} == {
            "Penjualan", "Komisi platform", "Pengembalian dana ke pembeli", "Komisi dikembalikan",
            "Pencairan ke bank Anda"}


def test_total_is_the_sum_of_entries_for_every_shop_after_a_mixed_sequence(db):
    a, b = factories.make_shop(), factories.make_shop()
    sell(a, deliver=True), sell(a, ship=True), sell(a, cancel=True), sell(a, price=12_345)
    sell(b, price=77_777, deliver=True), sell(b)
    for shop in (a, b):
        balance = ledger.shop_balance(shop.id)
        assert balance.total == entries_sum(shop.id)
        assert balance.available + balance.pending == balance.total
