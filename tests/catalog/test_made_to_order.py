"""Made-to-order variants: no stock, a lead time and a cap on the pieces a maker takes on at once."""
from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from marketplace.catalog import services
from marketplace.catalog.models import Product, Variant
from marketplace.core.errors import ValidationFailed
from tests import factories
from tests.conftest import csrf_token, form_fields

NEW = "/dashboard/products/new"
FORM = {"title": "Kain Tulis Tiga Negeri", "category": "cloth", "technique": "tulis", "motif": "Tiga Negeri",
        "price": "2.500.000", "weight_g": "300", "description": "", "material": "", "dye": "", "status": "active",
        "variants-0-name": "Siap kirim", "variants-0-stock": "1", "variants-0-price": "",
        "variants-1-name": "Pesanan", "variants-1-stock": "7", "variants-1-price": "", "variants-1-made_to_order": "y",
        "variants-1-lead_time_days": "21", "variants-1-made_to_order_cap": "3"}


@pytest.fixture
def shop(artisan_client):
    return factories.make_shop(artisan_client.user)


def stored_variants(db) -> list[tuple]:
    db.session.expire_all()
    return db.session.execute(sa.select(Variant.name, Variant.stock, Variant.made_to_order, Variant.lead_time_days,
                                        Variant.made_to_order_cap).order_by(Variant.id)).all()


def test_a_seller_lists_a_made_to_order_variant_and_buyers_see_when_it_ships(artisan_client, client, shop, db):
    response = artisan_client.post(NEW, data={**FORM, "csrf_token": csrf_token(artisan_client, NEW)})
    assert response.status_code == 302
    # The stock typed beside "made to order" is not kept: nothing is made ahead.
    assert stored_variants(db) == [("Siap kirim", 1, False, None, None), ("Pesanan", 0, True, 21, 3)]

    product = db.session.scalar(sa.select(Product))
    page = client.get(f"/products/{product.id}/{product.slug}").get_data(as_text=True)
    assert "Stok siap: 1" in page
    assert "Dibuat sesuai pesanan: dikirim sekitar 21 hari setelah pembayaran" in page
    api = client.get(f"/api/v1/products/{product.id}").get_json()["variants"]
    assert [(v["made_to_order"], v["lead_time_days"], v["stock"], v["available"]) for v in api] == [
        (False, None, 1, 1), (True, 21, 0, 3)]

    edit = form_fields(artisan_client.get(f"/dashboard/products/{product.id}/edit").get_data(as_text=True))
    assert (edit["variants-1-made_to_order"], edit["variants-1-lead_time_days"],
            edit["variants-1-made_to_order_cap"], edit["variants-1-stock"]) == ("y", "21", "3", "")
    assert "variants-0-made_to_order" not in edit


def test_made_to_order_needs_a_lead_time_and_a_cap_in_range(artisan_client, shop, db):
    token = csrf_token(artisan_client, NEW)
    for lead, cap, wrong in [("", "3", "lead_time_days"), ("21", "", "made_to_order_cap"),
                             ("0", "3", "lead_time_days"), ("366", "3", "lead_time_days"),
                             ("21", "0", "made_to_order_cap"), ("21", "1001", "made_to_order_cap")]:
        response = artisan_client.post(NEW, data={**FORM, "variants-1-lead_time_days": lead,
                                                  "variants-1-made_to_order_cap": cap, "csrf_token": token})
        assert response.status_code == 200, (lead, cap)
        assert f'id="variants-1-{wrong}-error"' in response.get_data(as_text=True), (lead, cap)
    assert stored_variants(db) == []
    # Without "made to order" ticked, a row needs its stock.
    no_stock = artisan_client.post(NEW, data={**FORM, "variants-1-made_to_order": "", "variants-1-stock": "",
                                              "csrf_token": token})
    assert 'id="variants-1-stock-error"' in no_stock.get_data(as_text=True)
    assert stored_variants(db) == []


def test_made_to_order_over_the_api(client, artisan_client, shop, db):
    headers = factories.bearer(artisan_client.user)
    body = {"title": "Kain Tulis", "category": "cloth", "technique": "tulis", "weight_g": 300, "price": 900_000,
            "status": "active", "variants": [{"name": "Pesanan", "made_to_order": True, "lead_time_days": 30,
                                              "made_to_order_cap": 2}]}
    created = client.post("/api/v1/products", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["variants"][0] | {"id": 0} == {
        "id": 0, "name": "Pesanan", "stock": 0, "price": 900_000, "made_to_order": True, "lead_time_days": 30,
        "available": 2}
    assert created.get_json()["in_stock"] is True

    for terms, field in [({"lead_time_days": None}, "lead_time_days"), ({"made_to_order_cap": None}, "made_to_order_cap"),
                         ({"lead_time_days": 366}, "lead_time_days"), ({"made_to_order_cap": 1001}, "made_to_order_cap")]:
        refused = client.post("/api/v1/products", json={**body, "variants": [{**body["variants"][0], **terms}]},
                              headers=headers)
        assert refused.status_code == 422, terms
        assert field in refused.get_json()["errors"]["variants"]["0"], terms
    no_stock = client.post("/api/v1/products", json={**body, "variants": [{"name": "Siap kirim"}]}, headers=headers)
    assert no_stock.status_code == 422 and "stock" in no_stock.get_json()["errors"]["variants"]["0"]
    assert len(stored_variants(db)) == 1


def test_open_orders_count_against_the_cap(client, artisan_client, shop, db):
    product = factories.make_product(shop, made_to_order=True, lead_time_days=14, made_to_order_cap=3)
    variant_id = product.variants[0].id
    db.session.execute(sa.update(Variant).where(Variant.id == variant_id).values(made_to_order_open=2))
    db.session.commit()
    path = f"/api/v1/products/{product.id}"
    assert client.get(path).get_json()["variants"][0]["available"] == 1

    headers = factories.bearer(artisan_client.user)
    lower = client.patch(path, json={"variants": [{"id": variant_id, "made_to_order_cap": 1}]}, headers=headers)
    assert lower.status_code == 422
    assert "made_to_order_cap" in lower.get_json()["errors"]["variants"]["0"]
    assert client.patch(path, json={"variants": [{"id": variant_id, "made_to_order_cap": 2}]},
                        headers=headers).get_json()["variants"][0]["available"] == 0
    # Fully booked: listed, but neither in stock nor sold as in stock.
    assert client.get("/api/v1/products", query_string={"in_stock": "true"}).get_json()["items"] == []
    page = client.get(f"/products/{product.id}/{product.slug}").get_data(as_text=True)
    assert "Penuh untuk saat ini" in page


def test_the_catalogue_counts_made_to_order_places_as_orderable(client, shop):
    ready = factories.make_product(shop, title="Kain Siap", stock=0)
    made = factories.make_product(shop, title="Kain Pesanan", made_to_order=True, lead_time_days=21,
                                  made_to_order_cap=2)
    found = client.get("/api/v1/products", query_string={"in_stock": "true"}).get_json()["items"]
    assert [p["title"] for p in found] == ["Kain Pesanan"]
    page = client.get(f"/products/{made.id}/{made.slug}").get_data(as_text=True)
    offers = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))["offers"]
    assert [o["availability"] for o in offers] == ["https://schema.org/MadeToOrder"]
    assert ready.id != made.id


def test_switching_a_variant_to_made_to_order_drops_its_ready_stock(artisan_client, shop, db):
    product = factories.make_product(shop, stock=4)
    variant_id = product.variants[0].id
    services.update_product(artisan_client.user, product.id, variants=[
        {"id": variant_id, "made_to_order": True, "lead_time_days": 10, "made_to_order_cap": 4}])
    assert stored_variants(db) == [("Satu ukuran", 0, True, 10, 4)]
    services.update_product(artisan_client.user, product.id, variants=[
        {"id": variant_id, "made_to_order": False, "stock": 2, "expected_stock": 0}])
    assert stored_variants(db) == [("Satu ukuran", 2, False, None, None)]
    with pytest.raises(ValidationFailed):
        services.update_product(artisan_client.user, product.id, variants=[
            {"id": variant_id, "made_to_order": True, "lead_time_days": 10}])
    assert stored_variants(db) == [("Satu ukuran", 2, False, None, None)]


def test_the_quick_edit_has_no_stock_box_for_made_to_order(artisan_client, shop, db):
    product = factories.make_product(shop, price=100_000, variants=[
        {"name": "Siap", "stock": 2}, {"name": "Pesanan", "made_to_order": True}])
    ready, made = product.variants
    quick = f"/dashboard/products/{product.id}/quick"
    page = artisan_client.get("/dashboard/products").get_data(as_text=True)
    fields = form_fields(page, quick)
    assert f"stock-{ready.id}" in fields and f"stock-{made.id}" not in fields
    assert "Pesanan: dibuat sesuai pesanan, tanpa stok" in page
    assert artisan_client.post(quick, data={**fields, "price": "120.000"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Product, product.id).price == 120_000
    assert stored_variants(db) == [("Siap", 2, False, None, None), ("Pesanan", 0, True, 14, 5)]
