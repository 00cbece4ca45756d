"""Paying in a phone's browser (issue 11, "must show" 3): a guest checks out, lands on the
payment page, is declined by Stripe's declined test card, pays with the one that succeeds
(localstripe, confirmed from the server), and sees the order paid; the artisan then sees the
sale pending in their balance. A second buyer picks bank transfer and the admin confirms it.
Every page is checked with axe-core and kept as a 390 px screenshot (JOURNEY_SCREENSHOTS)."""
from __future__ import annotations

import sqlalchemy as sa

from marketplace.orders.models import Order
from tests import factories
from tests.browser.conftest import fill_checkout
from tests.browser.test_journey import GUEST_ADDRESS, open_tab, step
from tests.orders.conftest import rated_shop
from tests.payments.conftest import localstripe, stripe_app  # noqa: F401  (fixtures)


def checkout_as_guest(browser, live_server, product, email):
    context, page = open_tab(browser, live_server)
    page.goto(f"/products/{product.id}")
    page.click("text=Tambah ke keranjang")
    page.wait_for_load_state()
    page.goto("/cart")
    page.click("main a.button:has-text('Checkout')")
    page.wait_for_load_state()
    fill_checkout(page, email, GUEST_ADDRESS)
    page.click("button[value=place]")
    page.wait_for_load_state()
    return context, page


def test_a_guest_pays_by_card_and_the_artisan_sees_the_sale_pending(browser, live_server, screenshots, db,
                                                                    stripe_app):  # noqa: F811
    shop = rated_shop(name="Batik Tulis Lasem Sekar", city="Kabupaten Rembang", province="Jawa Tengah")
    kain = factories.make_product(shop, title="Kain Tulis Latohan", price=1_250_000, stock=2, weight_g=450)
    context, guest = checkout_as_guest(browser, live_server, kain, "dewi@example.test")
    assert guest.url.endswith("/pay")
    order = db.session.scalar(sa.select(Order).filter_by(email="dewi@example.test"))
    text = guest.inner_text("main")
    assert "Bayar dengan kartu" in text and "Bayar dengan transfer bank" in text and "Rp 1.282.000" in text
    step(guest, screenshots, "pay-1-payment-page")

    guest.click("button[value=pm_card_chargeCustomerFail]")
    guest.wait_for_load_state()
    assert guest.url.endswith("/pay") and "Kartu Anda ditolak" in guest.inner_text("main")
    step(guest, screenshots, "pay-2-declined")

    guest.click("button[value=pm_card_visa]")
    guest.wait_for_load_state()
    assert "/pay" not in guest.url and "Pembayaran diterima" in guest.inner_text("main")
    step(guest, screenshots, "pay-3-order-paid")
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "paid"
    context.close()

    seller_context, seller = open_tab(browser, live_server, shop.owner)
    seller.goto("/dashboard/orders")
    assert order.number in seller.inner_text("main")
    seller.goto("/dashboard/balance")
    figures = seller.inner_text("#figures-title + dl")
    # 1 250 000 + 32 000 shipping, less 5 % commission on the items (62 500): pending until delivery.
    assert "Tertunda\nRp 1.219.500" in figures and "Tersedia\nRp 0" in figures
    assert "Penjualan" in seller.inner_text("main") and "Komisi platform" in seller.inner_text("main")
    step(seller, screenshots, "pay-4-seller-balance-pending")
    seller_context.close()


def test_a_guest_chooses_bank_transfer_and_the_admin_confirms_it(browser, live_server, screenshots, db):
    shop = rated_shop(name="Jumputan Palembang Indah")
    selendang = factories.make_product(shop, title="Selendang Jumputan Pelangi", price=325_000, stock=4,
                                       weight_g=300)
    admin = factories.make_user(roles=["admin"])
    context, guest = checkout_as_guest(browser, live_server, selendang, "rina@example.test")
    assert "Bayar dengan kartu" not in guest.inner_text("main")  # no Stripe keys: transfer only
    guest.click("#bank-transfer button[type=submit]")
    guest.wait_for_load_state()
    order = db.session.scalar(sa.select(Order).filter_by(email="rina@example.test"))
    payment_amount = guest.inner_text(".big-amount")
    assert payment_amount.startswith("Rp ") and "Nomor rekening" in guest.inner_text("main")
    step(guest, screenshots, "transfer-1-instructions")

    admin_context, admin_page = open_tab(browser, live_server, admin)
    admin_page.goto("/admin/payments/transfers")
    assert payment_amount in admin_page.inner_text("main")
    step(admin_page, screenshots, "transfer-2-admin-list")
    admin_page.fill("input[name=bank_reference]", "MANDIRI 3011")
    admin_page.click(f"button:has-text('{order.number}')")
    admin_page.wait_for_load_state()
    admin_context.close()

    guest.reload()
    assert "/pay" not in guest.url  # paid: the page sends the buyer to the order
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "paid"
    context.close()
