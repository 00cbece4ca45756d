"""The orders API: checkout as a guest or with a token, idempotent retries, who sees what."""
from __future__ import annotations

import sqlalchemy as sa

from marketplace.catalog.models import Variant
from marketplace.orders.models import Order
from tests import factories
from tests.orders.conftest import ADDRESS, rated_shop, variant_of


def checkout(client, variant, quantity=1, headers=None, **extra):
    body = {"items": [{"variant_id": variant.id, "quantity": quantity}], "shipping_address": ADDRESS,
            "email": "tamu@example.test"}
    body.update(extra)
    return client.post("/api/v1/orders", json=body, headers=headers or {})


def order_count(db):
    return db.session.scalar(sa.select(sa.func.count()).select_from(Order))


def test_a_guest_checks_out(client, db):
    variant = variant_of(price=120_000, stock=3)
    response = checkout(client, variant, 2)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "pending_payment" and body["number"].startswith("CNT-")
    assert body["items_total"] == 240_000 and body["currency"] == "IDR"
    assert body["total"] == body["items_total"] + body["shipping_total"]
    [shop_order] = body["shop_orders"]
    assert shop_order["status"] == "awaiting_payment" and shop_order["items"][0]["quantity"] == 2
    assert response.headers["Location"].endswith(f"/api/v1/orders/{body['id']}")


def test_prices_sent_by_the_client_are_ignored(client, db):
    variant = variant_of(price=300_000)
    body = {"items": [{"variant_id": variant.id, "quantity": 1, "unit_price": 1, "price": 1}],
            "shipping_address": ADDRESS, "email": "tamu@example.test"}
    response = client.post("/api/v1/orders", json=body)
    assert response.status_code == 201, response.json
    assert response.json["items_total"] == 300_000
    assert response.json["shop_orders"][0]["items"][0]["unit_price"] == 300_000


def test_a_retry_with_the_same_idempotency_key_returns_the_first_order(client, db):
    variant = variant_of(stock=5)
    key = {"Idempotency-Key": "2c7d0b8e-retry"}
    first = checkout(client, variant, headers=key)
    again = checkout(client, variant, headers=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"]
    assert order_count(db) == 1
    db.session.expire_all()
    assert db.session.get(Variant, variant.id).stock == 4


def test_out_of_stock_is_a_409_naming_the_item(client, db):
    variant = variant_of(stock=1, title="Kain Sidomukti")
    response = checkout(client, variant, 3)
    assert response.status_code == 409
    assert response.json["reason"] == "out_of_stock" and "Kain Sidomukti" in response.json["message"]
    assert order_count(db) == 0


def test_bad_input_gets_field_errors_and_writes_nothing(client, db):
    variant = variant_of()
    for body, field in (
        ({"items": [], "shipping_address": ADDRESS, "email": "a@b.test"}, "items"),
        ({"items": [{"variant_id": variant.id, "quantity": 0}], "shipping_address": ADDRESS, "email": "a@b.test"},
         "items"),
        ({"items": [{"variant_id": variant.id, "quantity": 1}], "shipping_address": {**ADDRESS, "phone": "abc"},
          "email": "a@b.test"}, "shipping_address"),
        ({"items": [{"variant_id": variant.id, "quantity": 1}], "shipping_address": ADDRESS}, "email"),
        ({"items": [{"variant_id": 2**40, "quantity": 1}], "shipping_address": ADDRESS, "email": "a@b.test"},
         "items"),
    ):
        response = client.post("/api/v1/orders", json=body)
        assert response.status_code == 422, (body, response.json)
        assert field in str(response.json["errors"]), response.json
    assert order_count(db) == 0


def test_a_buyer_with_a_token_orders_for_their_account_and_reads_it(client, db):
    buyer = factories.make_user()
    variant = variant_of()
    response = client.post("/api/v1/orders", headers=factories.bearer(buyer), json={
        "items": [{"variant_id": variant.id, "quantity": 1}], "shipping_address": ADDRESS})
    assert response.status_code == 201, response.json
    assert response.json["email"] == buyer.email
    order_id = response.json["id"]
    assert client.get(f"/api/v1/orders/{order_id}", headers=factories.bearer(buyer)).status_code == 200
    assert client.get(f"/api/v1/orders/{order_id}",
                      headers=factories.bearer(factories.make_user())).status_code == 404
    assert client.get(f"/api/v1/orders/{order_id}").status_code == 401


def test_a_wrong_token_is_401_not_a_guest_order(client, db):
    response = checkout(client, variant_of(), headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert order_count(db) == 0


def test_the_seller_ships_through_the_api_and_nobody_else_can(client, db):
    shop = rated_shop()
    order_id = checkout(client, variant_of(shop)).json["id"]
    admin = factories.make_user(roles=["admin"])
    assert client.post(f"/api/v1/orders/{order_id}/mark-paid", headers=factories.bearer(shop.owner)).status_code == 403
    assert client.post(f"/api/v1/orders/{order_id}/mark-paid", headers=factories.bearer(admin)).status_code == 200
    shop_order_id = db.session.get(Order, order_id).shop_orders[0].id
    ship = {"courier": "sicepat", "tracking_number": "004512345678"}
    intruder = rated_shop().owner
    assert client.post(f"/api/v1/shop-orders/{shop_order_id}/ship", json=ship,
                       headers=factories.bearer(intruder)).status_code == 404
    response = client.post(f"/api/v1/shop-orders/{shop_order_id}/ship", json=ship,
                           headers=factories.bearer(shop.owner))
    assert response.status_code == 200, response.json
    assert response.json["status"] == "shipped" and response.json["tracking_number"] == "004512345678"
    again = client.post(f"/api/v1/shop-orders/{shop_order_id}/ship", json=ship, headers=factories.bearer(shop.owner))
    assert again.status_code == 409 and again.json["reason"] == "invalid_transition"
    listed = client.get("/api/v1/shop-orders", headers=factories.bearer(shop.owner)).json
    assert [so["id"] for so in listed["items"]] == [shop_order_id] and listed["meta"]["total"] == 1
    assert client.get("/api/v1/shop-orders", headers=factories.bearer(intruder)).json["items"] == []


def test_a_sellers_orders_come_in_pages_and_by_status(client, db):
    shop = rated_shop()
    ids = [checkout(client, variant_of(shop)).json["id"] for _ in range(3)]
    admin = factories.make_user(roles=["admin"])
    client.post(f"/api/v1/orders/{ids[0]}/mark-paid", headers=factories.bearer(admin))
    token = factories.bearer(shop.owner)
    first = client.get("/api/v1/shop-orders?per_page=2", headers=token)
    assert first.headers["X-Total-Count"] == "3" and len(first.json["items"]) == 2
    assert first.json["items"][0]["status"] == "paid"  # open parcels first
    second = client.get("/api/v1/shop-orders?per_page=2&page=2", headers=token).json["items"]
    assert len(second) == 1 and second[0]["id"] not in {so["id"] for so in first.json["items"]}
    paid = client.get("/api/v1/shop-orders?status=paid", headers=token).json
    assert [so["status"] for so in paid["items"]] == ["paid"]
    assert client.get("/api/v1/shop-orders?status=lost", headers=token).status_code == 422


def test_a_guest_chooses_the_language_of_the_order_mail(client, db, outbox):
    response = checkout(client, variant_of(), locale="en")
    assert response.status_code == 201, response.json
    [mail] = [m for m in outbox if m.to == ["tamu@example.test"]]
    assert mail.subject == f"Order {response.json['number']} received: waiting for payment"
    assert checkout(client, variant_of(), locale="fr").status_code == 422
