"""The whole journey of a sale, as people do it in a phone's browser (issue 10, "must show" 4):
a guest finds two pieces from two shops in the catalogue, puts both in the cart, checks out;
the admin records the bank transfer; one artisan ships; the guest's order page shows the
courier and tracking number. Every page on the way is checked with axe-core and kept as a
390 px screenshot (set JOURNEY_SCREENSHOTS to a folder to look at them)."""
from __future__ import annotations

import re

import sqlalchemy as sa

from marketplace.catalog.models import Variant
from marketplace.orders.models import Order
from tests import factories
from tests.browser.conftest import axe_violations, fill_checkout, sign_in
from tests.orders.conftest import rated_shop

GUEST_ADDRESS = {"recipient_name": "Rina Wulandari", "phone": "0813 1122 3344", "street": "Jl. Cikini Raya 73",
                 "city": "Jakarta Pusat", "province": "DKI Jakarta", "postal_code": "10330", "country": "ID"}


def step(page, screenshots, name: str) -> None:
    page.screenshot(path=str(screenshots / f"journey-{name}.png"), full_page=True)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, name
    assert axe_violations(page) == [], name


def open_tab(browser, live_server, user=None):
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=live_server, locale="id-ID",
                                  bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    if user is not None:
        sign_in(page, user, factories.PASSWORD)
    return context, page


def test_a_guest_buys_from_two_shops_and_follows_the_parcel(browser, live_server, screenshots, db):
    lasem = rated_shop(name="Batik Tulis Lasem Sekar", city="Kabupaten Rembang", province="Jawa Tengah")
    palembang = rated_shop(name="Jumputan Palembang Indah")
    kain = factories.make_product(lasem, title="Kain Tulis Latohan Tiga Negeri", price=1_250_000, stock=2,
                                  weight_g=450)
    selendang = factories.make_product(palembang, title="Selendang Jumputan Pelangi", price=325_000, stock=4,
                                       weight_g=300)
    admin = factories.make_user(roles=["admin"])

    guest_context, guest = open_tab(browser, live_server)
    guest.goto("/products")
    step(guest, screenshots, "1-catalogue")
    for product in (kain, selendang):
        guest.goto("/products")
        guest.click(f"a:has-text('{product.title}')")
        guest.wait_for_load_state()
        assert product.title in guest.title()
        if product is kain:
            step(guest, screenshots, "2-product")
        guest.click("text=Tambah ke keranjang")
        guest.wait_for_load_state()

    guest.goto("/cart")
    body = guest.inner_text("main")
    assert "Batik Tulis Lasem Sekar" in body and "Jumputan Palembang Indah" in body
    step(guest, screenshots, "3-cart-two-shops")

    guest.click("main a.button:has-text('Checkout')")
    guest.wait_for_load_state()
    fill_checkout(guest, "rina@example.test", GUEST_ADDRESS)
    review = guest.inner_text("main")
    # Jakarta from Rembang is the Java–Bali group; from Palembang, the rest of Indonesia.
    assert "Rp 32.000" in review and "Rp 51.000" in review  # 21 000 + 11 000; 32 000 + 19 000
    assert "Rp 1.658.000" in review  # 1 250 000 + 325 000 + 32 000 + 51 000
    step(guest, screenshots, "4-checkout-review")
    guest.click("button[value=place]")
    guest.wait_for_load_state()
    assert "/orders/guest/" in guest.url
    guest_link = guest.url
    order = db.session.scalar(sa.select(Order).filter_by(email="rina@example.test"))
    assert order is not None and order.total == 1_658_000 and len(order.shop_orders) == 2
    assert order.number in guest.inner_text("main")
    step(guest, screenshots, "5-guest-order-placed")
    db.session.expire_all()
    assert db.session.get(Variant, kain.variants[0].id).stock == 1

    admin_context, admin_page = open_tab(browser, live_server, admin)
    admin_page.goto("/admin/orders")
    admin_page.click(f"button:has-text('{order.number}')")
    admin_page.wait_for_load_state()
    admin_context.close()

    seller_context, seller = open_tab(browser, live_server, lasem.owner)
    seller.goto("/dashboard/orders")
    step(seller, screenshots, "6-seller-queue")
    seller.click(f"a:has-text('{order.number}')")
    seller.wait_for_load_state()
    assert "Rina Wulandari" in seller.inner_text("main") and "Jl. Cikini Raya 73" in seller.inner_text("main")
    seller.select_option("#courier", "jne")
    seller.fill("#tracking_number", "JNE0123456789")
    step(seller, screenshots, "7-seller-ships")
    seller.click("button:has-text('Tandai sudah dikirim')")
    seller.wait_for_load_state()
    seller_context.close()

    guest.goto(guest_link)
    page_text = guest.inner_text("main")
    assert "JNE0123456789" in page_text and "JNE" in page_text
    assert re.search(r"dikirim", page_text, re.IGNORECASE)
    step(guest, screenshots, "8-guest-sees-tracking")
    guest_context.close()
