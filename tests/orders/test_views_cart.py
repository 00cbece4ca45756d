"""The product page's "Add to cart", the header's cart count, the cart page with its flags, and
the guest's cart joining the account's at sign-in."""
from __future__ import annotations

import re

import sqlalchemy as sa

from marketplace.catalog.models import Variant
from marketplace.core.times import utcnow
from marketplace.orders.models import Cart, CartItem
from tests import factories
from tests.conftest import csrf_token, login, use_language


def product_path(product) -> str:
    return f"/products/{product.id}/{product.slug}"


def add(client, variant, quantity=1, back="/cart"):
    return client.post("/cart/add", data={"variant_id": str(variant.id), "quantity": str(quantity), "next": back,
                                          "csrf_token": csrf_token(client, "/cart")})


def cart_header(client) -> str:
    """The header's cart link as a visitor sees it ('Cart (3)')."""
    html = client.get("/").get_data(as_text=True)
    link = re.search(r'<a class="cart-link"[^>]*>(.*?)</a>', html, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", link).split())


def test_a_guest_adds_a_variant_from_the_product_page(client, db):
    product = factories.make_product(title="Kain Tulis Kopi", price=450_000, stock=3)
    use_language(client, "en", product_path(product))
    page = client.get(product_path(product)).get_data(as_text=True)
    assert 'action="/cart/add"' in page and "Ready stock: 3" in page and "Rp 450,000" in page
    assert cart_header(client) == "Cart (0)"

    response = add(client, product.variants[0], 2, back=product_path(product))
    assert response.status_code == 302 and response.location == product_path(product)
    page = client.get(product_path(product)).get_data(as_text=True)
    assert "Added to your cart" in page
    assert cart_header(client) == "Cart (2)"
    assert 'aria-label="Cart, 2 items"' in client.get("/").get_data(as_text=True)
    assert "Kain Tulis Kopi" in client.get("/cart").get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(CartItem.id))) == 0  # a guest's cart is not stored


def test_a_signed_in_buyer_adds_to_their_stored_cart(buyer_client, db):
    product = factories.make_product(stock=5)
    add(buyer_client, product.variants[0], 2)
    add(buyer_client, product.variants[0], 1)
    item = db.session.scalar(sa.select(CartItem))
    assert (item.variant_id, item.quantity, item.price_seen) == (product.variants[0].id, 3, 150_000)
    use_language(buyer_client, "en")
    assert cart_header(buyer_client) == "Cart (3)"


def test_made_to_order_and_sold_out_variants_on_the_product_page(client, db):
    product = factories.make_product(stock=0)
    product.variants.append(Variant(name="Pesanan", stock=0, made_to_order=True, lead_time_days=21,
                                    made_to_order_cap=2, position=1))
    db.session.commit()
    use_language(client, "en", product_path(product))
    page = client.get(product_path(product)).get_data(as_text=True)
    sold_out = re.search(r'<input ([^>]*)> <label for="[^"]+">Satu ukuran · Rp 150,000 · Sold out</label>', page)
    assert sold_out and "disabled" in sold_out.group(1)
    assert "Pesanan · Rp 150,000 · Made to order: ships about 21 days after payment" in page


def test_add_to_cart_refusals_are_messages_on_the_product_page(client, db):
    product = factories.make_product(stock=2)
    archived = factories.make_product(title="Kain Lama")
    archived.variants[0].archived_at = utcnow()
    db.session.commit()
    use_language(client, "en", product_path(product))

    too_many = add(client, product.variants[0], 3, back=product_path(product))
    assert too_many.status_code == 302 and too_many.location == product_path(product)
    assert "Only 2 left" in client.get(product_path(product)).get_data(as_text=True)

    gone = add(client, archived.variants[0], 1, back=product_path(product))
    assert gone.status_code == 302
    assert "This product is not available." in client.get(product_path(product)).get_data(as_text=True)

    for quantity in ("0", "abc", "100", "99999999999"):
        response = add(client, product.variants[0], quantity, back=product_path(product))
        assert response.status_code == 302, quantity
        assert "Choose a variant and a quantity" in client.get(product_path(product)).get_data(as_text=True)
    unknown = client.post("/cart/add", data={"variant_id": "99999999999", "quantity": "1", "next": "/",
                                             "csrf_token": csrf_token(client, "/cart")})
    assert unknown.status_code == 302
    assert cart_header(client) == "Cart (0)"


def test_add_to_cart_goes_back_only_to_a_page_of_this_site(client, db):
    product = factories.make_product(stock=2)
    response = add(client, product.variants[0], 1, back="https://evil.example/")
    assert response.status_code == 302 and response.location == "/cart"
    response = add(client, product.variants[0], 1, back="//evil.example")
    assert response.location == "/cart"


def test_the_cart_groups_lines_by_shop_with_items_total_and_shipping_from(client, db):
    first = factories.make_product(factories.make_shop(name="Batik Anom"), title="Kain Parang", price=200_000, stock=4)
    second = factories.make_product(factories.make_shop(name="Batik Bening", province="Jawa Tengah", city="Kota Solo"),
                                    title="Selendang Sogan", price=90_000, stock=4)
    use_language(client, "en", "/cart")
    add(client, first.variants[0], 2)
    add(client, second.variants[0], 1)
    page = client.get("/cart").get_data(as_text=True)
    assert page.index("From Batik Anom") < page.index("Kain Parang") < page.index("From Batik Bening") \
        < page.index("Selendang Sogan")
    assert "Rp 400,000" in page and "Rp 90,000" in page and "Rp 490,000" in page
    # Each shop's same-province rate for a parcel under 1 kg: 15,000 + 8,000.
    assert page.count("from Rp 23,000") == 2
    assert 'href="/checkout"' in page


def test_quantity_change_and_remove(client, db):
    product = factories.make_product(stock=5)
    use_language(client, "en", "/cart")
    add(client, product.variants[0], 1)
    token = csrf_token(client, "/cart")
    assert client.post(f"/cart/{product.variants[0].id}", data={"quantity": "4", "csrf_token": token}).status_code == 302
    assert cart_header(client) == "Cart (4)"
    too_many = client.post(f"/cart/{product.variants[0].id}", data={"quantity": "6", "csrf_token": token},
                           follow_redirects=True)
    assert "Only 5 left" in too_many.get_data(as_text=True)
    assert cart_header(client) == "Cart (4)"
    client.post(f"/cart/{product.variants[0].id}/remove", data={"csrf_token": token})
    assert cart_header(client) == "Cart (0)"
    assert "Your cart is empty." in client.get("/cart").get_data(as_text=True)


def test_flags_block_checkout_until_the_buyer_has_dealt_with_them(buyer_client, db):
    repriced = factories.make_product(title="Kain Naik Harga", price=100_000, stock=5)
    scarce = factories.make_product(title="Kain Langka", stock=3)
    sold_out = factories.make_product(title="Kain Habis", stock=3)
    archived = factories.make_product(title="Kain Diarsip", stock=3)
    use_language(buyer_client, "en", "/cart")
    for product, quantity in ((repriced, 1), (scarce, 3), (sold_out, 1), (archived, 1)):
        add(buyer_client, product.variants[0], quantity)
    repriced.price = 125_000
    scarce.variants[0].stock = 1
    sold_out.variants[0].stock = 0
    archived.variants[0].archived_at = utcnow()
    db.session.commit()

    page = buyer_client.get("/cart").get_data(as_text=True)
    assert "Price changed: Rp 100,000 → Rp 125,000." in page
    assert "Only 1 left." in page and "Out of stock." in page
    gone = page[page.index("No longer available"):]
    assert "Kain Diarsip" in gone and "Remove" in gone
    assert 'href="/checkout"' not in page and "disabled" in page
    assert "A price changed since you added the item" in page
    follow = buyer_client.get("/checkout", follow_redirects=True)
    assert "need your attention" in follow.get_data(as_text=True)

    token = csrf_token(buyer_client, "/cart")
    buyer_client.post(f"/cart/{repriced.variants[0].id}", data={"quantity": "1", "csrf_token": token})  # accept
    buyer_client.post(f"/cart/{scarce.variants[0].id}", data={"quantity": "1", "csrf_token": token})  # take 1
    buyer_client.post(f"/cart/{sold_out.variants[0].id}/remove", data={"csrf_token": token})
    buyer_client.post(f"/cart/{archived.variants[0].id}/remove", data={"csrf_token": token})
    page = buyer_client.get("/cart").get_data(as_text=True)
    assert "Price changed" not in page and "left." not in page and "No longer available" not in page
    assert 'href="/checkout"' in page
    assert buyer_client.get("/checkout").status_code == 200


def test_the_guest_cart_joins_the_account_at_sign_in(client, db):
    buyer = factories.make_user()
    both = factories.make_product(title="Kain Dua Kali", stock=9)
    guest_only = factories.make_product(title="Kain Tamu", stock=9)
    db.session.add(Cart(user_id=buyer.id, items=[CartItem(variant_id=both.variants[0].id, quantity=2,
                                                          price_seen=150_000)]))
    db.session.commit()

    add(client, both.variants[0], 3)
    add(client, guest_only.variants[0], 1)
    assert login(client, buyer.email).status_code == 302
    use_language(client, "en", "/cart")
    quantities = dict(db.session.execute(sa.select(CartItem.variant_id, CartItem.quantity)).all())
    assert quantities == {both.variants[0].id: 5, guest_only.variants[0].id: 1}
    assert cart_header(client) == "Cart (6)"
    # The session's copy is gone: signing out does not bring back the guest's lines.
    client.post("/logout", data={"csrf_token": csrf_token(client, "/cart")})
    assert cart_header(client) == "Cart (0)"

