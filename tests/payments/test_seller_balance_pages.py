"""The seller's balance page with every entry and the bank details form, and the admin's payout
pages: the next batch, a batch with its CSV, and "Mark paid" behind a confirmation."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.payments import ledger
from marketplace.payments.models import LedgerEntry, PayoutAccount, PayoutBatch
from tests import factories
from tests.conftest import csrf_token
from tests.orders.conftest import signed_in
from tests.payments.sellers import net, sell, with_account


@pytest.fixture
def seller(app, db):
    artisan = factories.make_artisan(name="Bu Nurul")
    client = signed_in(app, artisan)
    client.user, client.shop = artisan, factories.make_shop(artisan, name="Batik Nurul", slug="batik-nurul")
    return client


@pytest.fixture
def admin(app, db):
    client = signed_in(app, factories.make_user("bendahara@canting.test", roles=["admin"]))
    return client


@pytest.fixture(autouse=True)
def minimum(app, monkeypatch):
    monkeypatch.setitem(app.config, "PAYOUT_MINIMUM", 100_000)


def rupiah(amount: int) -> str:
    return f"Rp {amount:,}"  # English grouping


def test_the_balance_shows_the_three_figures_and_every_entry(seller):
    delivered = sell(seller.shop, price=150_000, deliver=True)
    on_its_way = sell(seller.shop, price=90_000, ship=True)
    response = seller.get("/dashboard/balance")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "Balance of Batik Nurul" in html
    assert rupiah(net(delivered)) in html and rupiah(net(on_its_way)) in html
    for shop_order in (delivered, on_its_way):
        assert shop_order.order.number in html
        assert f'href="/dashboard/orders/{shop_order.id}"' in html
        assert rupiah(shop_order.items_total + shop_order.shipping_fee) in html
    assert html.count("Platform commission") == 2 and html.count(">Sale<") == 2
    assert "Add bank details" in html
    assert 'href="/dashboard/balance"' in html  # in the artisan's menu


def test_the_entries_are_paged_fifty_at_a_time(seller):
    shop_order = sell(seller.shop, deliver=True)
    db.session.add_all([LedgerEntry(shop_id=seller.shop.id, kind="refund", amount=-(i + 1),
                                    shop_order_id=shop_order.id) for i in range(50)])
    db.session.commit()
    first = seller.get("/dashboard/balance").get_data(as_text=True)
    second = seller.get("/dashboard/balance?page=2").get_data(as_text=True)
    assert "Page 1 of 2" in first and 'rel="next"' in first
    assert first.count("Refund to the buyer") == 50 and ">Sale<" not in first
    assert second.count("Refund to the buyer") == 0 and ">Sale<" in second and "Platform commission" in second
    assert seller.get("/dashboard/balance?page=x").status_code == 200


def test_bank_details_form_saves_and_the_page_shows_them_masked(seller):
    page = seller.get("/dashboard/balance/bank-account").get_data(as_text=True)
    assert 'value="014"' in page and "BPD Bali" in page
    response = seller.post("/dashboard/balance/bank-account", data={
        "csrf_token": csrf_token(seller, "/dashboard/balance/bank-account"), "bank_code": "014",
        "account_number": "123 456 7890", "holder_name": "Nurul Aini"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard/balance")
    html = seller.get("/dashboard/balance").get_data(as_text=True)
    assert "•••• 7890" in html and "1234567890" not in html and "BCA" in html and "Nurul Aini" in html
    form = seller.get("/dashboard/balance/bank-account").get_data(as_text=True)
    assert "1234567890" not in form and "•••• 7890" in form


def test_bad_bank_details_are_shown_on_their_fields_and_nothing_is_saved(seller):
    response = seller.post("/dashboard/balance/bank-account", data={
        "csrf_token": csrf_token(seller, "/dashboard/balance/bank-account"), "bank_code": "",
        "account_number": "12-34", "holder_name": "N"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert len(re.findall(r'class="error" id="(bank_code|account_number|holder_name)-error"', html)) == 3
    assert "Choose your bank from the list." in html and "6 to 20 digits" in html
    assert db.session.scalar(sa.select(sa.func.count(PayoutAccount.id))) == 0


def test_bank_details_locked_while_a_payout_is_with_the_bank(seller, admin):
    sell(seller.shop, deliver=True)
    with_account(seller.shop)
    admin.post("/admin/payouts", data={"csrf_token": csrf_token(admin, "/admin/payouts")})
    response = seller.post("/dashboard/balance/bank-account", data={
        "csrf_token": csrf_token(seller, "/dashboard/balance/bank-account"), "bank_code": "002",
        "account_number": "5555555555", "holder_name": "Nurul Aini"})
    assert response.status_code == 200 and "being transferred by the bank" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(PayoutAccount.bank_code)) == "014"


def test_an_artisan_without_a_shop_is_sent_to_open_one(app, db):
    client = signed_in(app, factories.make_artisan())
    for path in ("/dashboard/balance", "/dashboard/balance/bank-account"):
        response = client.get(path)
        assert response.status_code == 302 and "/dashboard/shop" in response.headers["Location"]


def test_only_artisans_and_admins_reach_these_pages(app, db, seller):
    buyer = signed_in(app, factories.make_user())
    for path in ("/dashboard/balance", "/dashboard/balance/bank-account", "/admin/payouts"):
        assert buyer.get(path).status_code == 403
    assert seller.get("/admin/payouts").status_code == 403
    assert app.test_client().get("/dashboard/balance").status_code == 302  # to sign in


def test_another_sellers_entries_are_not_on_my_page(seller):
    theirs = sell(factories.make_shop(), price=99_000)
    mine = sell(seller.shop, price=88_000)
    html = seller.get("/dashboard/balance").get_data(as_text=True)
    assert mine.order.number in html and theirs.order.number not in html


def test_admin_creates_a_batch_downloads_it_and_marks_it_paid_after_confirming(seller, admin, outbox):
    delivered = sell(seller.shop, price=150_000, deliver=True)
    with_account(seller.shop)
    page = admin.get("/admin/payouts").get_data(as_text=True)
    assert "Batik Nurul" in page and rupiah(net(delivered)) in page and "Create payout batch" in page
    assert "•••• 7890" in page

    created = admin.post("/admin/payouts", data={"csrf_token": csrf_token(admin, "/admin/payouts")})
    batch_id = db.session.scalar(sa.select(PayoutBatch.id))
    assert created.status_code == 302 and created.headers["Location"].endswith(f"/admin/payouts/{batch_id}")
    batch_page = admin.get(f"/admin/payouts/{batch_id}").get_data(as_text=True)
    assert "Download CSV" in batch_page and "Mark paid" in batch_page and "1234567890" in batch_page
    listing = admin.get("/admin/payouts").get_data(as_text=True)
    assert f"#{batch_id}" in listing and "sent to the bank, not yet paid" in listing

    download = admin.get(f"/admin/payouts/{batch_id}/payouts.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert "attachment" in download.headers["Content-Disposition"]
    assert f"CANTING-PAYOUT-{batch_id}-batik-nurul" in download.get_data(as_text=True)

    token = csrf_token(admin, f"/admin/payouts/{batch_id}")
    unconfirmed = admin.post(f"/admin/payouts/{batch_id}/paid", data={"csrf_token": token})
    assert unconfirmed.status_code == 422 and "Tick the box" in unconfirmed.get_data(as_text=True)
    assert ledger.shop_balance(seller.shop.id).paid_out == 0

    paid = admin.post(f"/admin/payouts/{batch_id}/paid", data={"csrf_token": token, "confirm": "y"})
    assert paid.status_code == 302
    again = admin.post(f"/admin/payouts/{batch_id}/paid", data={"csrf_token": token, "confirm": "y"}, follow_redirects=True)
    assert "already marked paid" in again.get_data(as_text=True)
    assert ledger.shop_balance(seller.shop.id).paid_out == net(delivered)
    assert db.session.scalar(sa.select(sa.func.count(LedgerEntry.id)).where(LedgerEntry.kind == "payout")) == 1

    html = seller.get("/dashboard/balance").get_data(as_text=True)
    assert "Payout to your bank" in html and "Paid out so far" in html


def test_creating_a_batch_with_nobody_eligible_says_why(admin):
    response = admin.post("/admin/payouts", data={"csrf_token": csrf_token(admin, "/admin/payouts")},
                          follow_redirects=True)
    assert "No shop can be paid out now" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(PayoutBatch.id))) == 0


def test_an_unknown_batch_is_not_found(admin):
    assert admin.get("/admin/payouts/999").status_code == 404
    assert admin.get("/admin/payouts/999/payouts.csv").status_code == 404
