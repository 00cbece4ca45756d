"""Checkout in the browser: address, each shop's shipping and the total, then "Place order".
Prices come from the database, a repeated submit gives the first order, and a refused
checkout leaves stock, orders and mail as they were."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from marketplace.catalog.models import Variant
from marketplace.core.models import OutboxMail
from marketplace.orders import services
from marketplace.orders.models import CartItem, Order
from tests import factories
from tests.conftest import csrf_token, use_language

ADDRESS = factories.SHIPPING_ADDRESS


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html)
    assert match, f"no hidden {name}"
    return match.group(1)


def fill_cart(client, *lines):
    token = csrf_token(client, "/cart")
    for variant, quantity in lines:
        response = client.post("/cart/add", data={"variant_id": str(variant.id), "quantity": str(quantity),
                                                  "next": "/cart", "csrf_token": token})
        assert response.status_code == 302


def start(client, **fields) -> dict:
    """The checkout form as a buyer fills it in on a fresh page."""
    page = client.get("/checkout").get_data(as_text=True)
    data = {**ADDRESS, "idempotency_key": hidden(page, "idempotency_key"), "reviewed": "",
            "csrf_token": hidden(page, "csrf_token")}
    if 'name="email"' in page:
        data["email"] = "tamu@example.test"
    data.update(fields)
    return data


def review(client, data: dict):
    """Press "Show shipping and total"; DATA then carries the totals the buyer saw."""
    response = client.post("/checkout", data={**data, "action": "review"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    data["reviewed"] = hidden(html, "reviewed")
    return html


def place(client, data: dict):
    return client.post("/checkout", data={**data, "action": "place"})


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def two_shops(db):
    """A shop in Palembang (Sumatra) and one in Solo (Java), a product each."""
    parang = factories.make_product(factories.make_shop(name="Batik Anom"), title="Kain Parang", price=200_000,
                                    stock=4, weight_g=400)
    sogan = factories.make_product(factories.make_shop(name="Batik Bening", city="Kota Surakarta",
                                                       province="Jawa Tengah"),
                                   title="Selendang Sogan", price=90_000, stock=4, weight_g=300)
    return parang, sogan


def test_a_guest_sees_each_shops_shipping_then_places_the_order(client, db, outbox, two_shops):
    parang, sogan = two_shops
    use_language(client, "en", "/cart")
    fill_cart(client, (parang.variants[0], 3), (sogan.variants[0], 1))
    data = start(client)
    first_page = client.get("/checkout").get_data(as_text=True)
    assert "after you enter the address" in first_page and "Place order" not in first_page

    html = review(client, data)
    # Palembang → Bandung: other island group, 1.2 kg = 2 started kg: 30,000 + 2 × 20,000.
    # Solo → Bandung: same island group, 300 g = 1 kg: 20,000 + 12,000.
    anom = html[html.index("Parcel from Batik Anom"):html.index("Parcel from Batik Bening")]
    assert "Rp 600,000" in anom and "Rp 70,000" in anom and "Rest of Indonesia" in anom and "Ships by" in anom
    bening = html[html.index("Parcel from Batik Bening"):]
    assert "Rp 90,000" in bening and "Rp 32,000" in bening and "Same island group" in bening
    assert "Rp 792,000" in html and "Place order" in html
    assert count(db, Order) == 0  # nothing is held before "Place order"

    response = place(client, data)
    order = db.session.scalar(sa.select(Order))
    assert response.status_code == 302
    assert response.location == f"/orders/guest/{services.guest_token(order)}/pay"  # checkout lands on the payment page
    assert (order.email, order.buyer_id, order.status) == ("tamu@example.test", None, "pending_payment")
    assert (order.items_total, order.shipping_total, order.total) == (690_000, 102_000, 792_000)
    assert [(so.shop.name, so.items_total, so.shipping_fee) for so in order.shop_orders] == [
        ("Batik Anom", 600_000, 70_000), ("Batik Bening", 90_000, 32_000)]
    db.session.expire_all()
    assert [parang.variants[0].stock, sogan.variants[0].stock] == [1, 3]

    page = client.get(response.location)
    assert page.status_code == 200 and order.number in page.get_data(as_text=True)
    assert "Thank you! Order" in page.get_data(as_text=True)
    assert '<span class="cart-count">(0)</span>' in page.get_data(as_text=True)
    assert "Your cart is empty." in client.get("/cart").get_data(as_text=True)


def test_a_signed_in_buyer_checks_out_to_their_order_page(buyer_client, db):
    product = factories.make_product(title="Kain Kawung", price=300_000, stock=2)
    fill_cart(buyer_client, (product.variants[0], 2))
    page = buyer_client.get("/checkout").get_data(as_text=True)
    assert 'name="email"' not in page  # the order goes to the account's address
    data = start(buyer_client)
    review(buyer_client, data)
    response = place(buyer_client, data)
    order = db.session.scalar(sa.select(Order))
    assert response.status_code == 302 and response.location == f"/orders/{order.number}/pay"
    assert order.buyer_id == buyer_client.user.id and order.email == buyer_client.user.email
    assert order.total == order.items_total + order.shipping_total == 600_000 + 50_000
    assert count(db, CartItem) == 0
    db.session.expire_all()
    assert product.variants[0].stock == 0
    assert buyer_client.get(response.location).status_code == 200

    # The next checkout starts from this order's address.
    other = factories.make_product(stock=1)
    fill_cart(buyer_client, (other.variants[0], 1))
    assert "Jl. Braga No. 12</textarea>" in buyer_client.get("/checkout").get_data(as_text=True)


def test_prices_and_totals_posted_by_the_browser_are_ignored(client, db):
    product = factories.make_product(price=250_000, stock=3)
    fill_cart(client, (product.variants[0], 1))
    data = start(client)
    review(client, data)
    forged = {"price": "1", "unit_price": "1", "items_total": "1", "shipping_fee": "0", "shipping_total": "0",
              "total": "1", "items-0-price": "1", "variant_id": str(product.variants[0].id), "quantity": "3"}
    place(client, {**data, **forged})
    order = db.session.scalar(sa.select(Order))
    assert (order.items_total, order.shipping_total, order.total) == (250_000, 50_000, 300_000)
    assert order.shop_orders[0].items[0].quantity == 1


def test_a_changed_address_is_shown_with_its_shipping_before_any_order(client, db):
    product = factories.make_product(price=100_000, stock=3)  # ships from Sumatera Selatan
    use_language(client, "en", "/cart")
    fill_cart(client, (product.variants[0], 1))
    data = start(client)
    review(client, data)  # to Bandung: 50,000
    data.update(city="Kota Palembang", province="Sumatera Selatan", postal_code="30111")
    response = place(client, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "The shipping or a price has changed" in html
    assert "Rp 15,000" in html  # same city now: 10,000 + 5,000
    assert count(db, Order) == 0
    data["reviewed"] = hidden(html, "reviewed")
    assert place(client, data).status_code == 302
    assert db.session.scalar(sa.select(Order.shipping_total)) == 15_000


def test_field_errors_land_on_their_fields_and_nothing_is_ordered(client, db):
    product = factories.make_product(stock=3)
    use_language(client, "en", "/cart")
    fill_cart(client, (product.variants[0], 1))
    data = start(client, phone="12", email="", postal_code="abc")
    response = client.post("/checkout", data={**data, "action": "place"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="email-error"' in html
    data["email"] = "tamu@example.test"
    html = client.post("/checkout", data={**data, "action": "place"}).get_data(as_text=True)
    assert 'id="phone-error"' in html and 'id="postal_code-error"' in html
    assert count(db, Order) == 0
    db.session.expire_all()
    assert product.variants[0].stock == 3


def test_a_shop_that_does_not_ship_abroad_cannot_be_ordered_from_abroad(client, db):
    product = factories.make_product(stock=3)
    use_language(client, "en", "/cart")
    fill_cart(client, (product.variants[0], 1))
    data = start(client, country="MY", province="", city="Kuala Lumpur", postal_code="50450", phone="+60 12 345 6789")
    html = review(client, data)
    assert "does not ship abroad" in html and 'value="place"' not in html
    assert place(client, data).status_code == 200
    assert count(db, Order) == 0


def test_the_same_submit_twice_gives_one_order(client, db, outbox):
    product = factories.make_product(stock=5)
    fill_cart(client, (product.variants[0], 2))
    data = start(client)
    review(client, data)
    before_first = client.get_cookie("session").value  # the cart as the double click still sees it
    first = place(client, data)
    assert first.status_code == 302
    client.set_cookie("session", before_first)
    second = place(client, data)
    third = place(client, data)  # the cart is empty by now: the key still finds the order
    assert second.location == third.location == first.location
    assert count(db, Order) == 1
    db.session.expire_all()
    assert product.variants[0].stock == 3


def test_the_same_submit_twice_signed_in(buyer_client, db):
    product = factories.make_product(stock=5)
    fill_cart(buyer_client, (product.variants[0], 1))
    data = start(buyer_client)
    review(buyer_client, data)
    assert place(buyer_client, data).location == place(buyer_client, data).location
    assert count(db, Order) == 1


def test_out_of_stock_at_the_last_moment_changes_nothing(client, db, monkeypatch, two_shops):
    parang, sogan = two_shops
    use_language(client, "en", "/cart")
    fill_cart(client, (parang.variants[0], 1), (sogan.variants[0], 2))
    data = start(client)
    review(client, data)
    mails_before = count(db, OutboxMail)

    real_expire = services.expire_unpaid_orders

    def another_buyer_takes_the_selendang(*args, **kwargs):
        # Someone else's checkout commits between this buyer's review and their "Place order".
        db.session.execute(sa.update(Variant).where(Variant.id == sogan.variants[0].id).values(stock=1))
        db.session.commit()
        return real_expire(*args, **kwargs)

    monkeypatch.setattr(services, "expire_unpaid_orders", another_buyer_takes_the_selendang)
    response = place(client, data)
    assert response.status_code == 302 and response.location == "/cart"
    page = client.get("/cart").get_data(as_text=True)
    assert "Only 1 left of “Selendang Sogan”" in page and "Nothing was ordered" in page
    assert count(db, Order) == 0 and count(db, OutboxMail) == mails_before
    db.session.expire_all()
    assert [parang.variants[0].stock, sogan.variants[0].stock] == [4, 1]


def test_checkout_is_refused_while_the_cart_is_short_or_empty(client, db):
    assert client.get("/checkout").location == "/cart"
    product = factories.make_product(stock=2)
    fill_cart(client, (product.variants[0], 2))
    data = start(client)
    review(client, data)
    product.variants[0].stock = 1
    db.session.commit()
    response = place(client, data)
    assert response.status_code == 302 and response.location == "/cart"
    assert count(db, Order) == 0


def test_the_order_mail_links_to_the_guest_page(client, db, outbox):
    product = factories.make_product(stock=2)
    fill_cart(client, (product.variants[0], 1))
    data = start(client)
    review(client, data)
    place(client, data)
    order = db.session.scalar(sa.select(Order))
    buyer_mail = next(m for m in outbox if m.to == ["tamu@example.test"])
    seller_mail = next(m for m in outbox if m.to == [product.shop.owner.email])
    link = re.search(r"https?://\S+/orders/guest/\S+", buyer_mail.body).group(0)
    assert order.number in buyer_mail.body
    assert client.get(link.split("localhost", 1)[1]).status_code == 200
    seller_link = re.search(r"https?://\S+/dashboard/orders/\d+", seller_mail.body).group(0)
    assert seller_link.endswith(f"/dashboard/orders/{order.shop_orders[0].id}")
