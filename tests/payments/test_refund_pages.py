"""The admin's refund page and the refunds API: wiring, permissions, errors as form or JSON errors."""
from __future__ import annotations

import sqlalchemy as sa

from marketplace.payments import refunds
from marketplace.payments.models import Refund
from tests import factories
from tests.conftest import form_fields


def refund_count(db) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Refund))


def paid_order(buyer=None, quantity=2):
    return factories.make_order(buyer, [factories.make_product(title="Kain Sogan", price=85_000, stock=4)],
                                quantity=quantity, paid=True)


def page(client, order):
    return client.get(f"/admin/orders/{order.id}/refunds")


def test_the_admin_refunds_chosen_items_from_the_page(db, admin_client):
    order = paid_order()
    item = order.shop_orders[0].items[0]
    listing = admin_client.get("/admin/orders").get_data(as_text=True)
    assert f"/admin/orders/{order.id}/refunds" in listing
    html = page(admin_client, order).get_data(as_text=True)
    assert "Kain Sogan" in html and "<legend>" in html and f'for="quantity-{item.id}"' in html
    fields = form_fields(html, f"/admin/orders/{order.id}/refunds")
    fields.update({"scope": "items", f"quantity-{item.id}": "1", "include_shipping": "y", "reason": "Sobek di pinggir"})
    response = admin_client.post(f"/admin/orders/{order.id}/refunds", data=fields)
    assert response.status_code == 302
    (refund,) = db.session.scalars(sa.select(Refund)).all()
    assert refund.amount == 85_000 + order.shop_orders[0].shipping_fee and refund.created_by_id == admin_client.user.id
    after = page(admin_client, order).get_data(as_text=True)
    assert "Sobek di pinggir" in after


def test_errors_come_back_on_the_form_and_nothing_is_written(db, admin_client):
    order = paid_order()
    item = order.shop_orders[0].items[0]
    fields = form_fields(page(admin_client, order).get_data(as_text=True), f"/admin/orders/{order.id}/refunds")
    fields.update({"scope": "items", f"quantity-{item.id}": "5", "reason": "Too many"})
    response = admin_client.post(f"/admin/orders/{order.id}/refunds", data=fields)
    assert response.status_code == 422
    assert "Kain Sogan" in response.get_data(as_text=True) and 'role="alert"' in response.get_data(as_text=True)
    fields.update({f"quantity-{item.id}": "dua", "reason": ""})
    response = admin_client.post(f"/admin/orders/{order.id}/refunds", data=fields)
    assert response.status_code == 422 and 'value="dua"' in response.get_data(as_text=True)
    assert refund_count(db) == 0


def test_only_admins_see_the_refund_page(db, client, buyer_client, artisan_client):
    order = paid_order()
    assert page(buyer_client, order).status_code == 403
    assert page(artisan_client, order).status_code == 403
    assert buyer_client.post(f"/admin/orders/{order.id}/refunds", data={"scope": "order"}).status_code in (400, 403)
    assert page(client, order).status_code == 302  # to sign in
    assert refund_count(db) == 0


def test_the_api_refunds_and_lists(db, client):
    buyer = factories.make_user()
    order = paid_order(buyer)
    admin = factories.make_user(roles=["admin"])
    item = order.shop_orders[0].items[0]
    created = client.post(f"/api/v1/orders/{order.id}/refunds", headers=factories.bearer(admin), json={
        "scope": "items", "items": [{"order_item_id": item.id, "quantity": 1}], "reason": "Luntur"})
    assert created.status_code == 201, created.json
    body = created.json
    assert body["amount"] == 85_000 and body["status"] == "succeeded"
    assert body["lines"] == [{"shop_order_id": item.shop_order_id, "order_item_id": item.id, "quantity": 1,
                              "amount": 85_000}]
    assert created.headers["Location"].endswith(f"/api/v1/orders/{order.id}/refunds")
    listed = client.get(f"/api/v1/orders/{order.id}/refunds", headers=factories.bearer(buyer))
    assert listed.status_code == 200 and [r["id"] for r in listed.json] == [body["id"]]


def test_the_api_refuses_bad_input_with_field_errors(db, client):
    buyer = factories.make_user()
    order = paid_order(buyer)
    admin = factories.bearer(factories.make_user(roles=["admin"]))
    item = order.shop_orders[0].items[0]
    url = f"/api/v1/orders/{order.id}/refunds"
    bad_scope = client.post(url, headers=admin, json={"scope": "all", "reason": "x"})
    assert bad_scope.status_code == 422 and "scope" in bad_scope.json["errors"]
    no_items = client.post(url, headers=admin, json={"scope": "items", "reason": "x"})
    assert no_items.status_code == 422 and "items" in no_items.json["errors"]
    too_many = client.post(url, headers=admin, json={
        "scope": "items", "items": [{"order_item_id": item.id, "quantity": 3}], "reason": "x"})
    # Well formed, but more than is left: a conflict with what was bought and refunded, not bad input.
    assert too_many.status_code == 409 and too_many.json["reason"] == "more_than_left_to_refund"
    assert "items" in too_many.json["errors"]
    no_reason = client.post(url, headers=admin, json={"scope": "order"})
    assert no_reason.status_code == 422 and "reason" in no_reason.json["errors"]
    wrong_parcel = client.post(url, headers=admin, json={"scope": "shop_order", "shop_order_id": 999_999,
                                                         "reason": "x"})
    assert wrong_parcel.status_code == 404 and "shop_order_id" in wrong_parcel.json["errors"]
    assert refund_count(db) == 0


def test_the_api_lets_only_admins_refund_and_only_the_buyer_list(db, client):
    buyer = factories.make_user()
    order = paid_order(buyer)
    as_buyer = client.post(f"/api/v1/orders/{order.id}/refunds", headers=factories.bearer(buyer),
                           json={"scope": "order", "reason": "Give it back"})
    assert as_buyer.status_code == 403
    stranger = client.get(f"/api/v1/orders/{order.id}/refunds", headers=factories.bearer(factories.make_user()))
    assert stranger.status_code == 404
    assert client.get(f"/api/v1/orders/{order.id}/refunds").status_code == 401
    assert refund_count(db) == 0
    refunds.refund_order(factories.make_user(roles=["admin"]), order.id, scope="order", reason="Lost")
    unpaid = factories.make_order(buyer, [factories.make_product()])
    conflict = client.post(f"/api/v1/orders/{unpaid.id}/refunds",
                           headers=factories.bearer(factories.make_user(roles=["admin"])),
                           json={"scope": "order", "reason": "x"})
    assert conflict.status_code == 409
