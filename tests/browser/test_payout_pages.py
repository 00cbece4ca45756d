"""The sellers' balance and bank details pages and the admin's payout pages in a 390 px phone
browser, in Indonesian: nothing wider than the screen and no axe-core violations."""
from __future__ import annotations

from tests import factories
from tests.browser.conftest import sign_in
from tests.browser.test_order_pages import check
from tests.payments.sellers import sell, with_account


def test_balance_bank_details_and_payout_pages(browser, live_server, screenshots, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAYOUT_MINIMUM", 100_000)
    artisan = factories.make_artisan(name="Ibu Kartini")
    shop = factories.make_shop(artisan, name="Batik Tulis Ibu Kartini Lasem", slug="batik-kartini")
    sell(shop, price=1_250_000, deliver=True)
    sell(shop, price=350_000, ship=True)
    with_account(shop, bank_code="451", account_number="7123456789", holder_name="Kartini Wulandari")
    admin = factories.make_user(roles=["admin"])

    def tab(user):
        context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=live_server, locale="id-ID",
                                      bypass_csp=True)
        page = context.new_page()
        sign_in(page, user, factories.PASSWORD)
        return context, page

    context, page = tab(artisan)
    page.goto("/dashboard/balance")
    check(page, screenshots, "20-balance")
    page.goto("/dashboard/balance/bank-account")
    check(page, screenshots, "21-bank-account")
    page.fill("#account_number", "12")
    page.click("button[type=submit] >> nth=-1")
    page.wait_for_load_state()
    check(page, screenshots, "22-bank-account-errors")
    context.close()

    context, page = tab(admin)
    page.goto("/admin/payouts")
    check(page, screenshots, "23-admin-payouts")
    page.click("form[action='/admin/payouts'] button")
    page.wait_for_load_state()
    check(page, screenshots, "24-admin-batch")
    context.close()
