"""The admin's refund page in a 390 px phone browser, in Indonesian: it fits and axe-core finds
nothing, with a refund already made and with the form's errors showing."""
from __future__ import annotations

from marketplace.payments import refunds
from tests import factories
from tests.browser.conftest import axe_violations, sign_in


def check(page, screenshots, name: str) -> None:
    page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= 390, f"{name}: {wide} px wide"
    assert axe_violations(page) == [], name


def test_the_refund_page_on_a_phone(browser, live_server, screenshots, db):
    products = [factories.make_product(title="Kain Batik Tulis Tiga Negeri Latohan Motif Sekar Jagad", stock=5,
                                       price=1_250_000),
                factories.make_product(title="Selendang Sutra Jumputan", stock=5)]
    order = factories.make_order(None, products, quantity=2, paid=True)
    admin = factories.make_user(roles=["admin"])
    refunds.refund_order(admin, order.id, scope="items", items={order.shop_orders[0].items[0].id: 1},
                         include_shipping=True, reason="Kain sobek di pinggir saat diterima pembeli")
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=live_server, locale="id-ID",
                                  bypass_csp=True)
    page = context.new_page()
    sign_in(page, admin, factories.PASSWORD)
    page.goto(f"/admin/orders/{order.id}/refunds")
    check(page, screenshots, "refunds-1-page")
    page.fill(f"#quantity-{order.shop_orders[0].items[0].id}", "4")
    page.fill("#reason", "Salah hitung")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_selector(".form-errors")
    check(page, screenshots, "refunds-2-errors")
    context.close()
