"""Order numbers (the shop's month, never one number twice), the windows set in the configuration,
and the sellers' mail when an order is paid or cancelled before payment."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from marketplace.core.times import as_utc, utcnow
from marketplace.orders import services
from marketplace.orders.models import Order, ShopOrder
from tests import factories
from tests.orders.conftest import ADDRESS, rated_shop, variant_of


def place(*variants, email="tamu@example.test"):
    return services.place_order(None, items=[{"variant_id": v.id, "quantity": 1} for v in variants],
                                shipping_address=ADDRESS, email=email).order


def test_an_order_number_carries_the_month_in_jakarta(db, monkeypatch):
    # 20:00 UTC on 30 November is already 03:00 on 1 December in Jakarta.
    monkeypatch.setattr(services, "utcnow", lambda: datetime(2026, 11, 30, 20, 0, tzinfo=timezone.utc))
    assert place(variant_of()).number.startswith("CNT-2612-")


def test_an_order_number_drawn_twice_is_drawn_again(db, monkeypatch):
    draws = iter("AAAA" "AAAA" "BBBB")
    monkeypatch.setattr(services.secrets, "choice", lambda alphabet: next(draws))
    first, second = place(variant_of()), place(variant_of(), email="kedua@example.test")
    assert first.number.endswith("-AAAA") and second.number.endswith("-BBBB")


def test_the_payment_window_is_the_configured_one(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "ORDER_PAYMENT_WINDOW", 45)
    order = place(variant_of())
    assert as_utc(order.payment_due_at) - as_utc(order.created_at) == timedelta(minutes=45)


def test_the_auto_complete_delay_is_the_configured_one(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "ORDER_AUTO_COMPLETE_DAYS", 3)
    shop = rated_shop()
    order = place(variant_of(shop))
    factories.pay_order(order)
    shop_order_id = order.shop_orders[0].id
    services.ship_shop_order(shop.owner, shop_order_id, courier="jne", tracking_number="JNE1234567890")
    db.session.get(ShopOrder, shop_order_id).shipped_at = utcnow() - timedelta(days=3, minutes=1)
    db.session.commit()
    assert services.auto_complete_delivered() == 1
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "completed"


def test_each_seller_is_mailed_when_the_order_is_paid_and_when_the_buyer_cancels_it(db, outbox):
    one, two = rated_shop(), rated_shop(name="Batik Lain")
    paid = place(variant_of(one), variant_of(two))
    before = len(outbox)
    factories.pay_order(paid)
    assert sorted(m.to[0] for m in outbox[before:]) == sorted([paid.email, one.owner.email, two.owner.email])

    unpaid = place(variant_of(one), variant_of(two), email="kedua@example.test")
    before = len(outbox)
    services.buyer_cancel(unpaid)
    assert sorted(m.to[0] for m in outbox[before:]) == sorted([unpaid.email, one.owner.email, two.owner.email])
    assert all(unpaid.number in m.subject for m in outbox[before:])


def test_ship_by_dates_count_from_the_day_in_jakarta(db, monkeypatch):
    # 20:00 UTC on 30 November is already 1 December in Jakarta: two handling days end on 3 December.
    monkeypatch.setattr(services, "utcnow", lambda: datetime(2026, 11, 30, 20, 0, tzinfo=timezone.utc))
    order = place(variant_of(rated_shop(handling_days=2)))
    assert order.shop_orders[0].ship_by == date(2026, 12, 3)
