"""Every state change follows the tables of allowed transitions; a refused one changes nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.catalog.models import Variant
from marketplace.core.errors import InvalidTransition, NotFound, ValidationFailed
from marketplace.core.times import utcnow
from marketplace.orders import services
from marketplace.payments import services as payments
from marketplace.orders.models import Order, OrderStatus, ShopOrder, ShopOrderStatus
from tests import factories
from tests.orders.conftest import ADDRESS, rated_shop, variant_of

SHOP_ORDER_MOVES = [(a, b) for a in ShopOrderStatus for b in ShopOrderStatus]
ORDER_MOVES = [(a, b) for a in OrderStatus for b in OrderStatus]
ALLOWED_SHOP_ORDER_MOVES = {
    ("awaiting_payment", "paid"), ("awaiting_payment", "cancelled"),
    ("paid", "processing"), ("paid", "shipped"), ("paid", "cancelled"),
    ("processing", "shipped"), ("processing", "cancelled"),
    ("shipped", "delivered"),
}
ALLOWED_ORDER_MOVES = {
    ("pending_payment", "paid"), ("pending_payment", "cancelled"),
    ("paid", "completed"), ("paid", "cancelled"),
}


def place(*variants, email="tamu@example.test"):
    return services.place_order(None, items=[{"variant_id": v.id, "quantity": 1} for v in variants],
                                shipping_address=ADDRESS, email=email).order


def fresh(db, model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


@pytest.mark.parametrize("current, new", SHOP_ORDER_MOVES, ids=lambda s: s.value)
def test_the_shop_order_table(db, current, new):
    shop_order = place(variant_of()).shop_orders[0]
    db.session.execute(sa.update(ShopOrder).values(status=current.value))
    db.session.commit()
    shop_order = fresh(db, ShopOrder, shop_order.id)
    if (current.value, new.value) in ALLOWED_SHOP_ORDER_MOVES:
        services._move(shop_order, services.SHOP_ORDER_TRANSITIONS, new)
        db.session.commit()
        assert fresh(db, ShopOrder, shop_order.id).status == new.value
    else:
        with pytest.raises(InvalidTransition):
            services._move(shop_order, services.SHOP_ORDER_TRANSITIONS, new)
        assert fresh(db, ShopOrder, shop_order.id).status == current.value


@pytest.mark.parametrize("current, new", ORDER_MOVES, ids=lambda s: s.value)
def test_the_order_table(db, current, new):
    order = place(variant_of())
    db.session.execute(sa.update(Order).values(status=current.value))
    db.session.commit()
    order = fresh(db, Order, order.id)
    if (current.value, new.value) in ALLOWED_ORDER_MOVES:
        services._move(order, services.ORDER_TRANSITIONS, new)
        db.session.commit()
        assert fresh(db, Order, order.id).status == new.value
    else:
        with pytest.raises(InvalidTransition):
            services._move(order, services.ORDER_TRANSITIONS, new)
        assert fresh(db, Order, order.id).status == current.value


def test_a_stale_read_loses_the_race(db):
    """Two workers read the same unpaid order; the second one's move is refused by the database."""
    order = place(variant_of())
    stale = fresh(db, Order, order.id)
    assert stale.status == "pending_payment"  # what this worker read
    with db.engine.begin() as other_worker:
        other_worker.execute(sa.update(Order).where(Order.id == order.id).values(status="paid"))
    with pytest.raises(InvalidTransition):
        services._move(stale, services.ORDER_TRANSITIONS, OrderStatus.CANCELLED)
    assert fresh(db, Order, order.id).status == "paid"


def test_the_whole_life_of_an_order_with_two_shops(db, outbox):
    first, second = rated_shop(), rated_shop()
    a, b = variant_of(first, stock=2), variant_of(second, stock=2)
    order = place(a, b)
    so_a, so_b = sorted(order.shop_orders, key=lambda so: so.shop_id)

    with pytest.raises(InvalidTransition):  # not paid yet
        services.ship_shop_order(first.owner, so_a.id, courier="jne", tracking_number="JNE0000001")

    factories.pay_order(order)
    with pytest.raises(InvalidTransition):
        factories.pay_order(order)  # never paid twice
    assert fresh(db, Order, order.id).status == "paid"

    services.mark_processing(first.owner, so_a.id)
    services.ship_shop_order(first.owner, so_a.id, courier="jnt", tracking_number=" jp 1234 5678 90 ")
    so_a = fresh(db, ShopOrder, so_a.id)
    assert (so_a.status, so_a.courier, so_a.tracking_number) == ("shipped", "jnt", "JP1234567890")
    assert any("JP1234567890" in m.body and m.to == ["tamu@example.test"] for m in outbox)
    with pytest.raises(InvalidTransition):
        services.seller_cancel(first.owner, so_a.id, reason="Kain rusak")  # already shipped

    services.seller_cancel(second.owner, so_b.id, reason="Pewarna habis")
    assert fresh(db, Variant, b.id).stock == 2  # back on sale
    assert fresh(db, Order, order.id).status == "paid"  # one parcel still on its way

    services.confirm_delivery(fresh(db, Order, order.id), so_a.id)
    order = fresh(db, Order, order.id)
    assert order.status == "completed" and order.completed_at is not None
    with pytest.raises(InvalidTransition):
        services.confirm_delivery(order, so_a.id)


def test_cancelling_every_parcel_cancels_the_order(db):
    shop = rated_shop()
    order = place(variant_of(shop))
    factories.pay_order(order)
    services.seller_cancel(shop.owner, order.shop_orders[0].id, reason="Toko tutup sementara")
    assert fresh(db, Order, order.id).status == "cancelled"


def test_a_seller_must_say_why_they_cancel(db):
    shop = rated_shop()
    order = place(variant_of(shop))
    with pytest.raises(ValidationFailed):
        services.seller_cancel(shop.owner, order.shop_orders[0].id, reason="  ")
    assert fresh(db, ShopOrder, order.shop_orders[0].id).status == "awaiting_payment"


def test_ship_needs_a_known_courier_and_a_real_tracking_number(db):
    shop = rated_shop()
    order = place(variant_of(shop))
    factories.pay_order(order)
    so_id = order.shop_orders[0].id
    with pytest.raises(ValidationFailed) as bad_courier:
        services.ship_shop_order(shop.owner, so_id, courier="dhl-express", tracking_number="ABC1234567")
    assert bad_courier.value.field == "courier"
    with pytest.raises(ValidationFailed) as bad_number:
        services.ship_shop_order(shop.owner, so_id, courier="jne", tracking_number="<script>")
    assert bad_number.value.field == "tracking_number"
    assert fresh(db, ShopOrder, so_id).status == "paid"


def test_a_buyer_cancels_before_payment_and_stock_returns(db):
    variant = variant_of(stock=1)
    order = place(variant)
    services.buyer_cancel(order)
    assert fresh(db, Order, order.id).status == "cancelled"
    assert fresh(db, Variant, variant.id).stock == 1
    with pytest.raises(InvalidTransition):
        factories.pay_order(order)  # an expired or cancelled order cannot be paid


def test_a_buyer_cancels_a_paid_parcel_only_once_it_is_late(db, outbox):
    shop = rated_shop(handling_days=2)
    variant = variant_of(shop, stock=1)
    order = place(variant)
    factories.pay_order(order)
    shop_order = fresh(db, ShopOrder, order.shop_orders[0].id)
    with pytest.raises(InvalidTransition):
        services.buyer_cancel(fresh(db, Order, order.id))  # a paid order: per parcel only
    with pytest.raises(InvalidTransition):
        services.buyer_cancel(fresh(db, Order, order.id), shop_order.id)  # not late yet

    shop_order.ship_by = services.local_today() - timedelta(days=1)
    db.session.commit()
    assert services.flag_late_shipments() == 1
    assert services.flag_late_shipments() == 0  # the seller is told once
    assert any(m.to == [shop.owner.email] and order.number in m.subject for m in outbox)
    services.buyer_cancel(fresh(db, Order, order.id), shop_order.id)
    assert fresh(db, ShopOrder, shop_order.id).status == "cancelled"
    assert fresh(db, Variant, variant.id).stock == 1


def test_a_shipped_parcel_counts_as_delivered_after_the_auto_complete_days(db, app):
    shop = rated_shop()
    order = place(variant_of(shop))
    factories.pay_order(order)
    services.ship_shop_order(shop.owner, order.shop_orders[0].id, courier="pos", tracking_number="P2612000123")
    assert services.auto_complete_delivered() == 0
    shop_order = fresh(db, ShopOrder, order.shop_orders[0].id)
    shop_order.shipped_at = utcnow() - timedelta(days=app.config["ORDER_AUTO_COMPLETE_DAYS"], minutes=1)
    db.session.commit()
    assert services.auto_complete_delivered() == 1
    assert fresh(db, Order, order.id).status == "completed"


def test_payment_sets_the_ship_by_date_from_the_day_of_payment(db):
    variant = variant_of(rated_shop(handling_days=4))
    order = place(variant)
    shop_order = fresh(db, ShopOrder, order.shop_orders[0].id)
    shop_order.ship_by = services.local_today() - timedelta(days=10)  # placed long ago
    db.session.commit()
    factories.pay_order(order)
    assert fresh(db, ShopOrder, shop_order.id).ship_by == services.local_today() + timedelta(days=4)


# --- who may touch what --------------------------------------------------------------------

def test_another_buyers_order_is_not_found(db):
    owner, other = factories.make_user(), factories.make_user()
    order = services.place_order(owner, items=[{"variant_id": variant_of().id, "quantity": 1}],
                                 shipping_address=ADDRESS).order
    assert services.order_for(owner, order.id).id == order.id
    with pytest.raises(NotFound):
        services.order_for(other, order.id)
    with pytest.raises(NotFound):
        services.order_for_number(other, order.number)
    assert services.order_for(factories.make_user(roles=["admin"]), order.id).id == order.id


def test_another_sellers_shop_order_is_not_found(db):
    shop = rated_shop()
    order = place(variant_of(shop))
    factories.pay_order(order)
    intruder = rated_shop().owner
    for action in (lambda: services.shop_order_for_seller(intruder, order.shop_orders[0].id),
                   lambda: services.mark_processing(intruder, order.shop_orders[0].id),
                   lambda: services.ship_shop_order(intruder, order.shop_orders[0].id, courier="jne",
                                                    tracking_number="JNE12345678"),
                   lambda: services.seller_cancel(intruder, order.shop_orders[0].id, reason="x")):
        with pytest.raises(NotFound):
            action()
    assert fresh(db, ShopOrder, order.shop_orders[0].id).status == "paid"


def test_a_guest_link_opens_its_order_only(db):
    order = place(variant_of())
    token = services.guest_token(order)
    assert services.order_for_guest_token(token).id == order.id
    for wrong in ("", token[:-1] + ("A" if token[-1] != "A" else "B"), "x" * 500, order.number):
        with pytest.raises(NotFound):
            services.order_for_guest_token(wrong)


def test_only_an_admin_marks_an_order_paid(db):
    order = place(variant_of())
    with pytest.raises(NotFound):
        payments.confirm_bank_transfer(factories.make_user(), order.id)
    payments.confirm_bank_transfer(factories.make_user(roles=["admin"]), order.id)
    assert fresh(db, Order, order.id).status == "paid"
