"""Every order page in a 390 px phone browser, in Indonesian: nothing wider than the screen and
no axe-core violations, with the states that add the most to a page (flags in the cart, a
review with totals, a late parcel, a shipped one)."""
from __future__ import annotations

import re
from datetime import timedelta

from marketplace.orders import services
from tests import factories
from tests.browser.conftest import axe_violations, fill_checkout, sign_in


def check(page, screenshots, name: str) -> None:
    """The page as it is now fits a phone and passes axe; a screenshot is kept to look at."""
    page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= 390, f"{name}: {wide} px wide"
    assert axe_violations(page) == [], name


def printed_pages(page) -> list[tuple[int, int]]:
    """The size in millimetres of each sheet the page prints on, as the browser's print does."""
    pdf = page.pdf(prefer_css_page_size=True)
    return [tuple(round(float(number) * 25.4 / 72) for number in box.split()[2:])
            for box in re.findall(rb"/MediaBox \[([^\]]+)\]", pdf)]


def test_cart_checkout_and_guest_order_pages(phone, screenshots, db):
    shop = factories.make_shop(name="Batik Tulis Ibu Kartini Lasem", shipping_origin="Jl. Dasun 3, Lasem")
    product = factories.make_product(shop, title="Kain Batik Tulis Tiga Negeri Latohan", price=1_250_000, stock=3)
    scarce = factories.make_product(title="Selendang Sutra Jumputan", price=350_000, stock=2)

    phone.goto(f"/products/{product.id}/{product.slug}")
    check(phone, screenshots, "1-product")
    phone.fill("#quantity", "2")
    phone.click("text=Tambah ke keranjang")
    phone.goto(f"/products/{scarce.id}/{scarce.slug}")
    phone.fill("#quantity", "2")
    phone.click("text=Tambah ke keranjang")
    scarce.variants[0].stock = 1
    db.session.commit()
    phone.goto("/cart")
    check(phone, screenshots, "2-cart-flagged")
    phone.click("text=Hapus >> nth=1")
    phone.wait_for_load_state()
    check(phone, screenshots, "3-cart")

    phone.goto("/checkout")
    check(phone, screenshots, "4-checkout")
    fill_checkout(phone, "tamu@example.test", factories.SHIPPING_ADDRESS)
    check(phone, screenshots, "5-checkout-review")
    phone.click("button[value=place]")
    phone.wait_for_load_state()
    assert "/orders/guest/" in phone.url
    check(phone, screenshots, "6-guest-order")


def test_buyer_seller_and_admin_order_pages(browser, live_server, screenshots, db):
    artisan = factories.make_artisan(name="Ibu Kartini")
    shop = factories.make_shop(artisan, name="Batik Tulis Ibu Kartini Lasem", shipping_origin="Jl. Dasun 3, Lasem")
    buyer = factories.make_user(name="Siti Aminah")
    products = [factories.make_product(shop, title="Kain Batik Tulis Tiga Negeri Latohan", stock=5),
                factories.make_product(title="Selendang Sutra Jumputan", stock=5)]
    shipped = factories.make_order(buyer, products, paid=True)
    services.ship_shop_order(artisan, shipped.shop_orders[0].id, courier="anteraja", tracking_number="10009988776655")
    late = factories.make_order(buyer, products[:1], paid=True)
    late.shop_orders[0].ship_by = services.local_today() - timedelta(days=3)
    db.session.commit()
    factories.make_order(buyer, products[1:])
    admin = factories.make_user(roles=["admin"])

    def tab(user):
        context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=live_server, locale="id-ID",
                                      bypass_csp=True)
        page = context.new_page()
        sign_in(page, user, factories.PASSWORD)
        return context, page

    context, page = tab(buyer)
    for name, path in (("7-my-orders", "/orders"), ("8-order-shipped", f"/orders/{shipped.number}"),
                       ("9-order-late", f"/orders/{late.number}")):
        page.goto(path)
        check(page, screenshots, name)
    context.close()

    context, page = tab(artisan)
    for name, path in (("10-shop-orders", "/dashboard/orders"),
                       ("11-shop-order", f"/dashboard/orders/{late.shop_orders[0].id}"),
                       ("12-slip-a6", f"/dashboard/orders/{late.shop_orders[0].id}/packing-slip?size=a6"),
                       ("13-slip-a4", f"/dashboard/orders/{late.shop_orders[0].id}/packing-slip?size=a4")):
        page.goto(path)
        check(page, screenshots, name)
    for size, sheet in (("a6", (105, 148)), ("a4", (210, 297))):
        page.goto(f"/dashboard/orders/{late.shop_orders[0].id}/packing-slip?size={size}")
        assert printed_pages(page) == [sheet], size
    context.close()

    context, page = tab(admin)
    page.goto("/admin/orders")
    check(page, screenshots, "14-admin-orders")
    context.close()
