"""The sellers' balance, ledger and bank details over the API, the admin's payout batches, and
their place in the OpenAPI document."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.payments.models import PayoutAccount
from tests import factories
from tests.factories import bearer
from tests.payments.sellers import net, sell, with_account


@pytest.fixture
def shop(db):
    return factories.make_shop(name="Batik Nurul", slug="batik-nurul")


@pytest.fixture
def admin_headers(db):
    return bearer(factories.make_user("bendahara@canting.test", roles=["admin"]))


@pytest.fixture(autouse=True)
def minimum(app, monkeypatch):
    monkeypatch.setitem(app.config, "PAYOUT_MINIMUM", 100_000)


def test_balance_with_and_without_bank_details(client, shop):
    delivered = sell(shop, price=150_000, deliver=True)
    pending = sell(shop, price=90_000)
    headers = bearer(shop.owner)
    body = client.get("/api/v1/seller/balance", headers=headers).get_json()
    assert body == {"available": net(delivered), "pending": net(pending), "paid_out": 0,
                    "total": net(delivered) + net(pending), "currency": "idr", "payout_account": None}
    with_account(shop)
    body = client.get("/api/v1/seller/balance", headers=headers).get_json()
    assert body["payout_account"] == {"bank_code": "014", "bank_name": "BCA", "account_number_masked": "•••• 7890",
                                      "holder_name": "Nurul Aini"}


def test_the_ledger_pages_like_the_other_lists(client, shop):
    first = sell(shop, price=120_000)
    second = sell(shop, price=80_000)
    response = client.get("/api/v1/seller/ledger?per_page=3", headers=bearer(shop.owner))
    body = response.get_json()
    assert response.status_code == 200 and response.headers["X-Total-Count"] == "4"
    assert body["meta"] == {"page": 1, "per_page": 3, "total": 4, "pages": 2}
    top = body["items"][0]
    assert set(top) == {"id", "kind", "amount", "shop_order_id", "order_number", "created_at"}
    assert top["shop_order_id"] == second.id and top["order_number"] == second.order.number
    assert {item["kind"] for item in body["items"][:2]} == {"sale", "commission"}
    rest = client.get("/api/v1/seller/ledger?page=2&per_page=3", headers=bearer(shop.owner)).get_json()
    assert [item["shop_order_id"] for item in rest["items"]] == [first.id]
    assert client.get("/api/v1/seller/ledger?per_page=500", headers=bearer(shop.owner)).status_code == 422


def test_another_sellers_entries_never_show(client, shop):
    sell(shop)
    other = factories.make_shop()
    body = client.get("/api/v1/seller/ledger", headers=bearer(other.owner)).get_json()
    assert body["items"] == [] and body["meta"]["total"] == 0
    assert client.get("/api/v1/seller/balance", headers=bearer(other.owner)).get_json()["total"] == 0


def test_payout_account_put_saves_and_answers_masked(client, shop):
    response = client.put("/api/v1/seller/payout-account", headers=bearer(shop.owner), json={
        "bank_code": "451", "account_number": "7123-456-789", "holder_name": "Nurul Aini"})
    assert response.status_code == 200
    assert response.get_json() == {"bank_code": "451", "bank_name": "BSI (Bank Syariah Indonesia)",
                                   "account_number_masked": "•••• 6789", "holder_name": "Nurul Aini"}
    assert db.session.scalar(sa.select(PayoutAccount.account_number)) == "7123456789"


@pytest.mark.parametrize(("body", "fields"), [
    ({"bank_code": "000", "account_number": "1234567890", "holder_name": "Nurul"}, {"bank_code"}),
    ({"bank_code": "014", "account_number": "12", "holder_name": "No"}, {"account_number", "holder_name"}),
    ({"bank_code": "014"}, {"account_number", "holder_name"}),
    ({"bank_code": "014", "account_number": 1234567890, "holder_name": "Nurul"}, {"account_number"}),
])
def test_bad_payout_accounts_are_422_with_field_errors(client, shop, body, fields):
    response = client.put("/api/v1/seller/payout-account", headers=bearer(shop.owner), json=body)
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == fields
    assert db.session.scalar(sa.select(sa.func.count(PayoutAccount.id))) == 0


def test_seller_endpoints_need_an_artisan_with_a_shop(client, db):
    buyer = bearer(factories.make_user())
    no_shop = bearer(factories.make_artisan())
    for path in ("/api/v1/seller/balance", "/api/v1/seller/ledger"):
        assert client.get(path).status_code == 401
        assert client.get(path, headers=buyer).status_code == 403
        assert client.get(path, headers=no_shop).status_code == 404
    assert client.put("/api/v1/seller/payout-account", headers=no_shop, json={
        "bank_code": "014", "account_number": "1234567890", "holder_name": "Nurul"}).status_code == 404


def test_admin_runs_a_batch_over_the_api(client, shop, admin_headers):
    delivered = sell(shop, price=150_000, deliver=True)
    with_account(shop)
    created = client.post("/api/v1/admin/payout-batches", headers=admin_headers)
    assert created.status_code == 201
    batch = created.get_json()
    assert created.headers["Location"].endswith(f"/api/v1/admin/payout-batches/{batch['id']}")
    assert batch["status"] == "exported" and batch["paid_at"] is None and batch["total"] == net(delivered)
    assert batch["payouts"] == [{
        "id": batch["payouts"][0]["id"], "shop_id": shop.id, "shop_name": "Batik Nurul", "amount": net(delivered),
        "bank_code": "014", "bank_name": "BCA", "account_number": "1234567890", "holder_name": "Nurul Aini",
        "reference": f"CANTING-PAYOUT-{batch['id']}-batik-nurul"}]
    assert client.get(f"/api/v1/admin/payout-batches/{batch['id']}", headers=admin_headers).get_json() == batch

    conflict = client.put("/api/v1/seller/payout-account", headers=bearer(shop.owner), json={
        "bank_code": "002", "account_number": "5555555555", "holder_name": "Nurul Aini"})
    assert conflict.status_code == 409

    paid = client.post(f"/api/v1/admin/payout-batches/{batch['id']}/paid", headers=admin_headers)
    assert paid.status_code == 200 and paid.get_json()["status"] == "paid"
    again = client.post(f"/api/v1/admin/payout-batches/{batch['id']}/paid", headers=admin_headers)
    assert again.status_code == 409
    balance = client.get("/api/v1/seller/balance", headers=bearer(shop.owner)).get_json()
    assert (balance["available"], balance["paid_out"]) == (0, net(delivered))
    kinds = [item["kind"] for item in client.get("/api/v1/seller/ledger", headers=bearer(shop.owner))
             .get_json()["items"]]
    assert kinds[0] == "payout"


def test_a_batch_with_nobody_eligible_is_a_409_conflict_not_bad_input(client, admin_headers):
    response = client.post("/api/v1/admin/payout-batches", headers=admin_headers)
    assert response.status_code == 409 and "Belum ada toko yang dapat dicairkan" in response.get_json()["message"]


def test_payout_batches_are_for_admins_only(client, shop, admin_headers):
    sell(shop, deliver=True)
    with_account(shop)
    batch_id = client.post("/api/v1/admin/payout-batches", headers=admin_headers).get_json()["id"]
    seller = bearer(shop.owner)
    assert client.post("/api/v1/admin/payout-batches", headers=seller).status_code == 403
    assert client.get(f"/api/v1/admin/payout-batches/{batch_id}", headers=seller).status_code == 403
    assert client.post(f"/api/v1/admin/payout-batches/{batch_id}/paid", headers=seller).status_code == 403
    assert client.get("/api/v1/admin/payout-batches/999", headers=admin_headers).status_code == 404


def test_the_bank_list_is_public(client, db):
    banks = client.get("/api/v1/seller/banks").get_json()
    assert {"code": "014", "name": "BCA"} in banks and len(banks) >= 20


def test_the_openapi_document_describes_them(client, db):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, method in (("/api/v1/seller/balance", "get"), ("/api/v1/seller/ledger", "get"),
                         ("/api/v1/seller/payout-account", "put"), ("/api/v1/admin/payout-batches", "post"),
                         ("/api/v1/admin/payout-batches/{batch_id}", "get"),
                         ("/api/v1/admin/payout-batches/{batch_id}/paid", "post")):
        assert method in spec["paths"][path], path
    schemas = spec["components"]["schemas"]
    assert {"available", "pending", "paid_out", "total", "payout_account"} <= set(schemas["BalanceOut"]["properties"])
    assert "LedgerEntryPage" in schemas
