"""A shop's handling days: how long its maker needs to hand ready stock to the courier."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from marketplace.catalog import services
from marketplace.catalog.models import Shop
from marketplace.core.errors import ValidationFailed
from tests import factories
from tests.conftest import csrf_token, form_fields

SHOP = "/dashboard/shop"
FORM = {"name": "Batik Nurul", "slug": "", "story": "", "city": "Kabupaten Muara Enim",
        "province": "Sumatera Selatan", "shipping_origin": ""}


def handling_days(db) -> list[int]:
    db.session.expire_all()
    return db.session.scalars(sa.select(Shop.handling_days)).all()


def test_the_shop_form_asks_for_handling_days_within_range(artisan_client, db):
    page = artisan_client.get(SHOP).get_data(as_text=True)
    assert form_fields(page)["handling_days"] == "2"
    assert "Hari yang Anda perlukan untuk mengemas dan menyerahkan stok siap ke kurir." in page

    token = csrf_token(artisan_client, SHOP)
    for sent in ("61", "-1", "", "dua"):
        refused = artisan_client.post(SHOP, data={**FORM, "handling_days": sent, "csrf_token": token})
        assert 'id="handling_days-error"' in refused.get_data(as_text=True), sent
    assert handling_days(db) == []

    assert artisan_client.post(SHOP, data={**FORM, "handling_days": "5", "csrf_token": token}).status_code == 302
    assert handling_days(db) == [5]
    assert form_fields(artisan_client.get(SHOP).get_data(as_text=True))["handling_days"] == "5"
    assert artisan_client.post(SHOP, data={**FORM, "handling_days": "0", "csrf_token": token}).status_code == 302
    assert handling_days(db) == [0]


def test_the_shop_api_takes_and_shows_handling_days(client, db):
    artisan = factories.make_artisan()
    body = {"name": "Batik Sari", "city": "Kota Palembang", "province": "Sumatera Selatan"}
    for sent in (61, -1, None, "dua", 1.5):
        refused = client.post("/api/v1/shops", json={**body, "handling_days": sent}, headers=factories.bearer(artisan))
        assert refused.status_code == 422 and "handling_days" in refused.get_json()["errors"], sent
    created = client.post("/api/v1/shops", json={**body, "handling_days": 7}, headers=factories.bearer(artisan))
    assert created.status_code == 201 and created.get_json()["handling_days"] == 7
    assert client.get(f"/api/v1/shops/{created.get_json()['slug']}").get_json()["handling_days"] == 7

    other = factories.make_artisan()
    default = client.post("/api/v1/shops", json={**body, "name": "Batik Lain"}, headers=factories.bearer(other))
    assert default.get_json()["handling_days"] == 2


def test_services_refuse_handling_days_out_of_range(db):
    artisan = factories.make_artisan()
    with pytest.raises(ValidationFailed) as refused:
        services.open_shop(artisan, name="Batik Sari", city="Kota Palembang", province="Sumatera Selatan",
                           handling_days=61)
    assert refused.value.field == "handling_days"
    services.open_shop(artisan, name="Batik Sari", city="Kota Palembang", province="Sumatera Selatan")
    with pytest.raises(ValidationFailed):
        services.update_shop(artisan, handling_days=-1)
    assert handling_days(db) == [2]
