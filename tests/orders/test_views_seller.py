"""The seller's order queue, an order's page with its moves (prepare, ship, cancel), the
packing slip, and the admin's order list with "Mark paid"."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from marketplace.orders import services
from marketplace.orders.models import Order, ShopOrder
from tests import factories
from tests.conftest import use_language
from tests.orders.conftest import post_form, signed_in


def shop_order_status(db, shop_order_id: int) -> str:
    db.session.expire_all()
    return db.session.get(ShopOrder, shop_order_id).status


@pytest.fixture
def seller(app, db):
    """An artisan with a shop in Palembang, a product of 5, and a signed-in browser."""
    artisan = factories.make_artisan(name="Bu Nurul")
    shop = factories.make_shop(artisan, name="Batik Nurul", shipping_origin="Jl. Merdeka 5, Muara Enim")
    client = signed_in(app, artisan)
    client.user, client.shop = artisan, shop
    client.product = factories.make_product(shop, title="Kain Songket Lepus", stock=5)
    return client


def test_the_queue_shows_the_shops_orders_with_ship_by_and_late_ones_flagged(seller, db):
    on_time = factories.make_order(factories.make_user(), [seller.product], paid=True)
    late = factories.make_order(factories.make_user(), [seller.product], paid=True)
    unpaid = factories.make_order(factories.make_user(), [seller.product])
    elsewhere = factories.make_order(factories.make_user(), [factories.make_product(stock=2)], paid=True)
    late.shop_orders[0].ship_by = services.local_today() - timedelta(days=2)
    db.session.commit()

    html = seller.get("/dashboard/orders").get_data(as_text=True)
    assert on_time.number in html and late.number in html and unpaid.number in html
    assert elsewhere.number not in html
    assert html.index(late.number) < html.index(on_time.number)  # the most urgent first
    late_card = html[html.index(late.number):html.index(on_time.number)]
    assert "late: past its ship-by date" in late_card and "Ship by" in late_card
    assert html.count("late: past its ship-by date") == 1

    paid_only = seller.get("/dashboard/orders?status=paid").get_data(as_text=True)
    assert on_time.number in paid_only and unpaid.number not in paid_only
    assert unpaid.number in seller.get("/dashboard/orders?status=nonsense").get_data(as_text=True)


def test_another_sellers_order_is_not_found(seller, app, db):
    theirs = factories.make_order(factories.make_user(), [factories.make_product(stock=2)], paid=True)
    shop_order_id = theirs.shop_orders[0].id
    assert seller.get(f"/dashboard/orders/{shop_order_id}").status_code == 404
    assert seller.get(f"/dashboard/orders/{shop_order_id}/packing-slip").status_code == 404
    for action, data in (("processing", {}), ("ship", {"courier": "jne", "tracking_number": "JP12345678"}),
                         ("cancel", {"reason": "Habis"})):
        response = post_form(seller, f"/dashboard/orders/{shop_order_id}/{action}", "/dashboard/orders", **data)
        assert response.status_code == 404, action
    assert shop_order_status(db, shop_order_id) == "paid"
    buyer_only = signed_in(app, factories.make_user())
    assert buyer_only.get("/dashboard/orders").status_code == 403
    assert app.test_client().get("/dashboard/orders").status_code == 302


def test_the_seller_ships_and_the_buyer_sees_the_tracking(seller, app, db, outbox):
    buyer = factories.make_user()
    order = factories.make_order(buyer, [seller.product], quantity=2, paid=True)
    shop_order_id = order.shop_orders[0].id
    page_path = f"/dashboard/orders/{shop_order_id}"
    html = seller.get(page_path).get_data(as_text=True)
    assert "Siti Aminah" in html and "Jl. Braga No. 12" in html and "+6281234567890" in html
    assert "Kain Songket Lepus" in html and "Mark shipped" in html

    assert post_form(seller, f"{page_path}/processing", page_path).status_code == 302
    assert shop_order_status(db, shop_order_id) == "processing"
    refused = post_form(seller, f"{page_path}/processing", page_path)
    assert refused.status_code == 302 and "cannot become" in seller.get(refused.location).get_data(as_text=True)

    bad = post_form(seller, f"{page_path}/ship", page_path, courier="jne", tracking_number="12")
    assert bad.status_code == 200 and 'id="tracking_number-error"' in bad.get_data(as_text=True)
    unknown = post_form(seller, f"{page_path}/ship", page_path, courier="dhl", tracking_number="JP12345678")
    assert unknown.status_code == 200 and 'id="courier-error"' in unknown.get_data(as_text=True)
    assert shop_order_status(db, shop_order_id) == "processing"

    shipped = post_form(seller, f"{page_path}/ship", page_path, courier="sicepat", tracking_number="0041 2233 4455")
    assert shipped.status_code == 302 and shipped.location == page_path
    assert shop_order_status(db, shop_order_id) == "shipped"
    assert "004122334455" in seller.get(page_path).get_data(as_text=True)
    buyer_page = signed_in(app, buyer).get(f"/orders/{order.number}").get_data(as_text=True)
    assert "SiCepat" in buyer_page and "004122334455" in buyer_page
    shipped_mail = next(mail for mail in outbox if mail.to == [buyer.email] and "004122334455" in mail.body)
    assert f"http://localhost/orders/{order.number}" in shipped_mail.body
    seller_links = {link for mail in outbox if mail.to == [seller.user.email]
                    for link in re.findall(r"http://localhost(/\S+)", mail.body)}
    assert seller_links == {page_path}  # the "placed" and "paid" mails
    assert seller.get(page_path).status_code == 200

    again = post_form(seller, f"{page_path}/ship", page_path, courier="jne", tracking_number="JP12345678")
    assert again.status_code == 302 and "cannot become" in seller.get(again.location).get_data(as_text=True)
    cancel_shipped = post_form(seller, f"{page_path}/cancel", page_path, reason="Salah kirim")
    assert cancel_shipped.status_code == 302 and shop_order_status(db, shop_order_id) == "shipped"


def test_an_unpaid_order_cannot_be_shipped(seller, db):
    order = factories.make_order(factories.make_user(), [seller.product])
    page_path = f"/dashboard/orders/{order.shop_orders[0].id}"
    html = seller.get(page_path).get_data(as_text=True)
    assert "Do not ship yet" in html and "Mark shipped" not in html
    response = post_form(seller, f"{page_path}/ship", page_path, courier="jne", tracking_number="JP12345678")
    assert response.status_code == 302
    assert "cannot become" in seller.get(response.location).get_data(as_text=True)
    assert shop_order_status(db, order.shop_orders[0].id) == "awaiting_payment"


def test_the_seller_cancels_with_a_reason_and_the_stock_returns(seller, db, outbox):
    order = factories.make_order(factories.make_user(), [seller.product], quantity=2, paid=True)
    page_path = f"/dashboard/orders/{order.shop_orders[0].id}"
    empty = post_form(seller, f"{page_path}/cancel", page_path, reason="  ")
    assert empty.status_code == 200 and 'id="reason-error"' in empty.get_data(as_text=True)
    assert post_form(seller, f"{page_path}/cancel", page_path, reason="Kainnya rusak saat dicanting").status_code == 302
    assert shop_order_status(db, order.shop_orders[0].id) == "cancelled"
    assert seller.product.variants[0].stock == 5
    assert db.session.get(Order, order.id).status == "cancelled"
    assert any("Kainnya rusak saat dicanting" in mail.body for mail in outbox if mail.to == [order.email])


@pytest.mark.parametrize("size", ["a6", "a4"])
def test_the_packing_slip_prints_address_sender_and_contents(seller, db, size):
    order = factories.make_order(factories.make_user(), [seller.product], quantity=2, paid=True)
    page_path = f"/dashboard/orders/{order.shop_orders[0].id}"
    assert f"/packing-slip?size={size}" in seller.get(page_path).get_data(as_text=True)
    html = seller.get(f"{page_path}/packing-slip?size={size}").get_data(as_text=True)
    slip = html[html.index('<article class="slip'):html.index("</article>")]
    assert f'class="slip slip-{size}"' in slip
    for text in (order.number, "Batik Nurul", "Jl. Merdeka 5, Muara Enim", "Siti Aminah", "Jl. Braga No. 12",
                 "Kota Bandung", "40111", "+6281234567890", "Kain Songket Lepus"):
        assert text in slip, text
    assert re.search(r"2 ×</strong> Kain Songket Lepus", slip)
    assert "Rp" not in slip

    css = (Path(__file__).resolve().parents[2] / "static/css/app.css").read_text()
    assert "@page slip-a6 { size: 105mm 148mm;" in css and "@page slip-a4 { size: A4;" in css


def test_the_admin_lists_orders_and_marks_a_bank_transfer_paid(admin_client, app, db, outbox):
    older = factories.make_order(factories.make_user())
    newer = factories.make_order(email="tamu@example.test")
    paid = factories.make_order(factories.make_user(), paid=True)
    use_language(admin_client, "en", "/admin/orders")
    html = admin_client.get("/admin/orders").get_data(as_text=True)
    assert 'href="/admin/orders"' in admin_client.get("/").get_data(as_text=True)
    assert html.index(paid.number) < html.index(newer.number) < html.index(older.number)
    assert html.count(">Mark paid<") == 2  # the two pending orders
    pending = admin_client.get("/admin/orders?status=pending_payment").get_data(as_text=True)
    assert older.number in pending and newer.number in pending and paid.number not in pending

    response = post_form(admin_client, f"/admin/orders/{newer.id}/mark-paid", "/admin/orders",
                    next="/admin/orders?status=pending_payment")
    assert response.status_code == 302 and response.location == "/admin/orders?status=pending_payment"
    db.session.expire_all()
    assert db.session.get(Order, newer.id).status == "paid"
    assert "is marked paid" in admin_client.get(response.location).get_data(as_text=True)
    again = post_form(admin_client, f"/admin/orders/{newer.id}/mark-paid", "/admin/orders")
    assert again.status_code == 302 and "no longer awaiting payment" in admin_client.get(again.location).get_data(as_text=True)

    buyer = signed_in(app, factories.make_user())
    assert buyer.get("/admin/orders").status_code == 403
    assert post_form(buyer, f"/admin/orders/{older.id}/mark-paid", "/orders").status_code == 403
    assert db.session.scalar(sa.select(Order.status).filter_by(id=older.id)) == "pending_payment"
