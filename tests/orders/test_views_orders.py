"""The buyer's order pages: who may open them, what they show in each state, and the buyer's
own moves (cancel before payment, cancel a late parcel, confirm delivery)."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.orders import services
from marketplace.orders.models import Order, ShopOrder
from tests import factories
from tests.conftest import use_language
from tests.orders.conftest import post_form, signed_in


def reload(db, order: Order) -> Order:
    db.session.expire_all()
    return db.session.get(Order, order.id)


def test_a_buyer_lists_and_opens_only_their_own_orders(app, db, client):
    buyer, other = factories.make_user(), factories.make_user()
    mine = factories.make_order(buyer, [factories.make_product(title="Kain Milikku", stock=3)])
    theirs = factories.make_order(other, [factories.make_product(title="Kain Orang Lain", stock=3)])
    me = signed_in(app, buyer)

    listing = me.get("/orders").get_data(as_text=True)
    assert mine.number in listing and theirs.number not in listing
    page = me.get(f"/orders/{mine.number}")
    assert page.status_code == 200 and "Kain Milikku" in page.get_data(as_text=True)
    assert me.get(f"/orders/{mine.number.lower()}").status_code == 200
    assert page.headers["Cache-Control"] == "no-store"

    for path in (f"/orders/{theirs.number}", "/orders/CNT-0000-XXXX"):
        response = me.get(path)
        assert response.status_code == 404 and "Kain Orang Lain" not in response.get_data(as_text=True)
    assert post_form(me, f"/orders/{theirs.number}/cancel", "/orders").status_code == 404
    assert reload(db, theirs).status == "pending_payment"
    assert client.get(f"/orders/{mine.number}").status_code == 302  # to sign in
    assert client.get("/orders").status_code == 302


def test_an_admin_opens_any_order(admin_client, db):
    order = factories.make_order(factories.make_user())
    guest = factories.make_order()
    assert admin_client.get(f"/orders/{order.number}").status_code == 200
    assert admin_client.get(f"/orders/{guest.number}").status_code == 200


def test_the_guest_page_opens_with_its_secret_link_only(client, db):
    order = factories.make_order(products=[factories.make_product(title="Kain Tamu", stock=2)])
    token = services.guest_token(order)
    page = client.get(f"/orders/guest/{token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and order.number in html and "Kain Tamu" in html
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert page.headers["Cache-Control"] == "no-store"
    assert '<meta name="robots" content="noindex, nofollow">' in html

    signed_in_order = factories.make_order(factories.make_user())
    wrong = [token[:-1] + ("A" if token[-1] != "A" else "B"), token.upper(), "x", "A" * 200,
             services.guest_token(signed_in_order)]
    for attempt in wrong:
        response = client.get(f"/orders/guest/{attempt}")
        assert response.status_code == 404, attempt
        assert "Kain Tamu" not in response.get_data(as_text=True)
    assert post_form(client, f"/orders/guest/{wrong[0]}/cancel", "/cart").status_code == 404
    assert reload(db, order).status == "pending_payment"
    # Other pages keep the site's own policy.
    assert client.get("/cart").headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_a_pending_order_says_when_to_pay_and_can_be_cancelled_whole(app, db):
    buyer = factories.make_user()
    product = factories.make_product(stock=3)
    order = factories.make_order(buyer, [product], quantity=2)
    me = signed_in(app, buyer)
    html = me.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Please pay Rp 350,000 by" in html and f'href="/orders/{order.number}/pay"' in html
    assert "Ships within 2 days of payment." in html

    response = post_form(me, f"/orders/{order.number}/cancel", f"/orders/{order.number}")
    assert response.status_code == 302 and response.location == f"/orders/{order.number}"
    assert reload(db, order).status == "cancelled"
    assert product.variants[0].stock == 3
    again = post_form(me, f"/orders/{order.number}/cancel", f"/orders/{order.number}", )
    assert again.status_code == 302
    assert "A paid order can only be cancelled per shop" in me.get(again.location).get_data(as_text=True)


def test_tracking_shows_and_the_buyer_confirms_delivery_through_the_guest_link(client, db):
    order = factories.make_order(paid=True)
    shop_order = order.shop_orders[0]
    services.ship_shop_order(shop_order.shop.owner, shop_order.id, courier="jne", tracking_number="jp 1234 5678")
    token = services.guest_token(order)
    use_language(client, "en", f"/orders/guest/{token}")
    html = client.get(f"/orders/guest/{token}").get_data(as_text=True)
    assert "JNE" in html and "JP12345678" in html and "I received this parcel" in html

    path = f"/orders/guest/{token}/parcels/{shop_order.id}/delivered"
    response = post_form(client, path, f"/orders/guest/{token}")
    assert response.status_code == 302 and response.location == f"/orders/guest/{token}"
    order = reload(db, order)
    assert order.shop_orders[0].status == "delivered" and order.status == "completed"
    again = post_form(client, path, f"/orders/guest/{token}")
    assert again.status_code == 302
    assert "cannot become" in client.get(again.location).get_data(as_text=True)


@pytest.mark.parametrize("late", [True, False])
def test_a_late_parcel_and_only_a_late_one_can_be_cancelled(app, db, late):
    buyer = factories.make_user()
    product = factories.make_product(stock=2)
    order = factories.make_order(buyer, [product], paid=True)
    shop_order = order.shop_orders[0]
    if late:
        shop_order.ship_by = services.local_today() - timedelta(days=1)
        db.session.commit()
    me = signed_in(app, buyer)
    html = me.get(f"/orders/{order.number}").get_data(as_text=True)
    assert ("Cancel this parcel" in html) is late
    assert ('class="status status-late"' in html) is late

    response = post_form(me, f"/orders/{order.number}/parcels/{shop_order.id}/cancel", f"/orders/{order.number}")
    assert response.status_code == 302
    message = me.get(response.location).get_data(as_text=True)
    db.session.expire_all()
    status = db.session.get(ShopOrder, shop_order.id).status
    if late:
        assert status == "cancelled" and "The parcel is cancelled" in message
        assert product.variants[0].stock == 2
    else:
        assert status == "paid" and "once it is past its ship-by date" in message


def test_a_parcel_of_another_order_is_not_found(app, db):
    buyer = factories.make_user()
    mine = factories.make_order(buyer)
    other = factories.make_order(factories.make_user(), paid=True)
    me = signed_in(app, buyer)
    other_parcel = other.shop_orders[0].id
    for action in ("cancel", "delivered"):
        response = post_form(me, f"/orders/{mine.number}/parcels/{other_parcel}/{action}", "/orders")
        assert response.status_code == 404
    assert db.session.scalar(sa.select(ShopOrder.status).filter_by(id=other_parcel)) == "paid"
