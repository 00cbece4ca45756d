"""What an order keeps from checkout: its shops in name order, and each made-to-order item's
promised lead time as it was when the buyer ordered."""
from __future__ import annotations

from marketplace.orders import services
from marketplace.orders.models import Order
from tests.orders.conftest import ADDRESS, rated_shop, variant_of


def place(*variants):
    return services.place_order(None, items=[{"variant_id": v.id, "quantity": 1} for v in variants],
                                shipping_address=ADDRESS, email="tamu@example.test").order


def test_an_orders_parts_are_listed_by_shop_name(client, db):
    zamrud = variant_of(rated_shop(name="Batik Zamrud"))  # the older shop, with the smaller id
    anggrek = variant_of(rated_shop(name="Batik Anggrek"))
    order = place(zamrud, anggrek)
    db.session.expire_all()
    assert [so.shop.name for so in db.session.get(Order, order.id).shop_orders] == ["Batik Anggrek", "Batik Zamrud"]


def test_a_made_to_order_item_keeps_the_lead_time_promised_at_checkout(db):
    shop = rated_shop()
    made = variant_of(shop, made_to_order=True, lead_time_days=21, title="Kain Pesanan")
    ready = variant_of(shop, stock=3, title="Selendang")
    ready.lead_time_days = 9  # a figure left from when it was made to order
    db.session.commit()
    order = place(made, ready)
    made.lead_time_days = 30  # changed after the order
    db.session.commit()
    db.session.expire_all()
    items = {item.title: item.lead_time_days for item in db.session.get(Order, order.id).shop_orders[0].items}
    assert items == {"Kain Pesanan": 21, "Selendang": None}
