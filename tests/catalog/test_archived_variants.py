"""A variant its seller removes is archived, never deleted (orders point at it), and from then on
nobody sees it: not the product page, the catalogue, the API or the seller's forms."""
from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from marketplace.catalog import services
from marketplace.catalog.models import Variant
from marketplace.core.errors import ValidationFailed
from tests import factories
from tests.conftest import form_fields


@pytest.fixture
def product(artisan_client):
    shop = factories.make_shop(artisan_client.user)
    return factories.make_product(shop, title="Kemeja Cap Durian", variants=[
        {"name": "Lengan pendek", "stock": 0}, {"name": "Lengan panjang", "stock": 5}])


def variants_in_db(db, product_id: int) -> list[tuple[str, int, bool]]:
    db.session.expire_all()
    return [(v.name, v.stock, v.archived_at is not None) for v in db.session.scalars(
        sa.select(Variant).where(Variant.product_id == product_id).order_by(Variant.id))]


def jsonld_offers(html: str) -> list[str]:
    data = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    return [offer["name"] for offer in json.loads(data)["offers"]]


def test_a_variant_removed_in_the_edit_form_is_archived_and_shown_nowhere(artisan_client, client, product, db):
    edit = f"/dashboard/products/{product.id}/edit"
    fields = form_fields(artisan_client.get(edit).get_data(as_text=True))
    assert fields["variants-1-name"] == "Lengan panjang"
    assert artisan_client.post(edit, data={**fields, "variants-1-name": "", "variants-1-stock": "",
                                           "variants-1-price": ""}).status_code == 302

    assert variants_in_db(db, product.id) == [("Lengan pendek", 0, False), ("Lengan panjang", 5, True)]
    page = client.get(f"/products/{product.id}/{product.slug}").get_data(as_text=True)
    assert "Lengan pendek" in page and "Lengan panjang" not in page
    assert jsonld_offers(page) == ["Lengan pendek"]
    api = client.get(f"/api/v1/products/{product.id}").get_json()
    assert [v["name"] for v in api["variants"]] == ["Lengan pendek"]
    # Its 5 pieces no longer count: the product is sold out.
    assert api["in_stock"] is False
    assert client.get("/api/v1/products", query_string={"in_stock": "true"}).get_json()["items"] == []
    assert "Habis" in client.get("/").get_data(as_text=True)
    assert "Lengan panjang" not in artisan_client.get(edit).get_data(as_text=True)
    assert "Lengan panjang" not in artisan_client.get("/dashboard/products").get_data(as_text=True)


def test_a_variant_left_out_of_the_api_list_is_archived(client, artisan_client, product, db):
    short, long = (v.id for v in product.variants)
    response = client.patch(f"/api/v1/products/{product.id}", headers=factories.bearer(artisan_client.user),
                            json={"variants": [{"id": long}]})
    assert response.status_code == 200
    assert [v["id"] for v in response.get_json()["variants"]] == [long]
    assert variants_in_db(db, product.id) == [("Lengan pendek", 0, True), ("Lengan panjang", 5, False)]

    # An archived variant cannot be named again: it stays as the orders knew it.
    again = client.patch(f"/api/v1/products/{product.id}", headers=factories.bearer(artisan_client.user),
                         json={"variants": [{"id": long}, {"id": short, "name": "Lengan pendek"}]})
    assert again.status_code == 422 and "id" in again.get_json()["errors"]["variants"]["1"]
    assert variants_in_db(db, product.id) == [("Lengan pendek", 0, True), ("Lengan panjang", 5, False)]


def test_the_quick_edit_leaves_archived_variants_alone(artisan_client, product, db):
    services.update_product(artisan_client.user, product.id, variants=[{"id": product.variants[1].id}])
    quick = f"/dashboard/products/{product.id}/quick"
    fields = form_fields(artisan_client.get("/dashboard/products").get_data(as_text=True), quick)
    assert [name for name in fields if name.startswith("stock-")] == [f"stock-{product.variants[1].id}"]
    assert artisan_client.post(quick, data=fields).status_code == 302
    assert variants_in_db(db, product.id) == [("Lengan pendek", 0, True), ("Lengan panjang", 5, False)]


def test_a_name_is_free_again_once_its_variant_is_archived(artisan_client, product, db):
    short, long = (v.id for v in product.variants)
    services.update_product(artisan_client.user, product.id, variants=[{"id": long}])
    services.update_product(artisan_client.user, product.id,
                            variants=[{"id": long}, {"name": "Lengan pendek", "stock": 2}])
    assert variants_in_db(db, product.id) == [
        ("Lengan pendek", 0, True), ("Lengan panjang", 5, False), ("Lengan pendek", 2, False)]
    # Among live variants names stay unique.
    with pytest.raises(ValidationFailed):
        services.update_product(artisan_client.user, product.id,
                                variants=[{"id": long, "name": "lengan PENDEK"}, {"name": "Lengan pendek", "stock": 1}])


def test_a_product_keeps_at_least_one_live_variant(client, artisan_client, product, db):
    edit = f"/dashboard/products/{product.id}/edit"
    fields = form_fields(artisan_client.get(edit).get_data(as_text=True))
    emptied = {**fields, **{f"variants-{i}-{key}": "" for i in (0, 1) for key in ("name", "stock", "price")}}
    refused = artisan_client.post(edit, data=emptied)
    assert 'id="variants-error"' in refused.get_data(as_text=True)
    api = client.patch(f"/api/v1/products/{product.id}", headers=factories.bearer(artisan_client.user),
                       json={"variants": []})
    assert api.status_code == 422 and "variants" in api.get_json()["errors"]
    with pytest.raises(ValidationFailed):
        services.update_product(artisan_client.user, product.id, variants=[])
    assert variants_in_db(db, product.id) == [("Lengan pendek", 0, False), ("Lengan panjang", 5, False)]
