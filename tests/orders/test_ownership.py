"""Who reaches which order: a seller acts on exactly the parcel they name and never on another
shop's, even when they have parcels of their own; the API says why it answers 404."""
from __future__ import annotations

import pytest

from marketplace.core.errors import NotFound
from marketplace.orders import services
from marketplace.orders.models import Order, ShopOrder
from tests import factories
from tests.orders.conftest import ADDRESS, rated_shop, variant_of

NOT_FOUND = {"message": "Pesanan tidak ditemukan.", "errors": {"_error": ["Pesanan tidak ditemukan."]}}


def paid_order(shop, email="tamu@example.test"):
    order = services.place_order(None, items=[{"variant_id": variant_of(shop).id, "quantity": 1}],
                                 shipping_address=ADDRESS, email=email).order
    factories.pay_order(order)
    return order


def status_of(db, shop_order_id):
    db.session.expire_all()
    return db.session.get(ShopOrder, shop_order_id).status


def test_a_seller_with_several_parcels_acts_on_the_one_they_name(db):
    shop = rated_shop()
    first = paid_order(shop).shop_orders[0].id
    second = paid_order(shop, email="kedua@example.test").shop_orders[0].id
    assert services.shop_order_for_seller(shop.owner, second).id == second
    services.ship_shop_order(shop.owner, second, courier="jne", tracking_number="JNE1234567890")
    assert (status_of(db, first), status_of(db, second)) == ("paid", "shipped")
    services.seller_cancel(shop.owner, first, reason="Kainnya rusak terkena air.")
    assert (status_of(db, first), status_of(db, second)) == ("cancelled", "shipped")


def test_a_seller_with_parcels_of_their_own_still_cannot_reach_another_shops(db):
    mine, theirs = rated_shop(), rated_shop()
    own = paid_order(mine).shop_orders[0].id
    other = paid_order(theirs, email="lain@example.test").shop_orders[0].id
    for action in (lambda: services.shop_order_for_seller(mine.owner, other),
                   lambda: services.mark_processing(mine.owner, other),
                   lambda: services.ship_shop_order(mine.owner, other, courier="jne", tracking_number="JNE12345678"),
                   lambda: services.seller_cancel(mine.owner, other, reason="Bukan pesanan saya.")):
        with pytest.raises(NotFound):
            action()
    assert (status_of(db, own), status_of(db, other)) == ("paid", "paid")


def test_the_api_answers_404_with_its_reason_for_orders_out_of_reach(client, db):
    buyer, stranger, admin = factories.make_user(), factories.make_user(), factories.make_user(roles=["admin"])
    shop = rated_shop()
    order = services.place_order(buyer, items=[{"variant_id": variant_of(shop).id, "quantity": 1}],
                                 shipping_address=ADDRESS).order
    factories.pay_order(order)
    intruder = rated_shop().owner
    for response in (
        client.get(f"/api/v1/orders/{order.id}", headers=factories.bearer(stranger)),
        client.post(f"/api/v1/orders/{order.id + 1000}/mark-paid", headers=factories.bearer(admin)),
        client.post(f"/api/v1/shop-orders/{order.shop_orders[0].id}/processing", headers=factories.bearer(intruder)),
    ):
        assert response.status_code == 404
        assert {key: response.json[key] for key in NOT_FOUND} == NOT_FOUND
    assert db.session.get(Order, order.id).status == "paid"
