"""Products over the API: owner-only writes, 422 on bad input, filters, sorts, badges, query cost."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from marketplace.accounts.services import create_api_token
from marketplace.catalog import services
from marketplace.catalog.models import Product, Shop
from tests import factories

VALID = {
    "title": "Kain Batik Tulis Motif Kopi", "category": "cloth", "technique": "tulis", "motif": "Kopi",
    "weight_g": 300, "price": 450_000, "status": "active",
    "variants": [{"name": "2 x 1,15 m", "stock": 3}],
}


def bearer(user):
    return {"Authorization": f"Bearer {create_api_token(user, 't').secret}"}


@pytest.fixture
def seller():
    artisan = factories.make_user(roles=["buyer", "artisan"], name="Sari")
    services.open_shop(artisan, name="Batik Sari", city="Kota Palembang", province="Sumatera Selatan")
    return artisan


def create(client, user, **overrides):
    return client.post("/api/v1/products", json={**VALID, **overrides}, headers=bearer(user))


def test_owner_creates_edits_and_archives_a_product(client, seller):
    response = create(client, seller)
    assert response.status_code == 201, response.get_json()
    product = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/products/{product['id']}")
    assert product["price"] == 450_000 and product["variants"][0]["stock"] == 3
    assert product["shop"]["slug"] == "batik-sari"

    patched = client.patch(f"/api/v1/products/{product['id']}", json={"price": 475_000},
                           headers=bearer(seller))
    assert patched.status_code == 200 and patched.get_json()["price"] == 475_000
    assert client.get(f"/api/v1/products/{product['id']}").get_json()["price"] == 475_000

    archived = client.patch(f"/api/v1/products/{product['id']}", json={"status": "archived"},
                            headers=bearer(seller))
    assert archived.status_code == 200
    assert client.get(f"/api/v1/products/{product['id']}").status_code == 404
    assert client.get("/api/v1/products").get_json()["meta"]["total"] == 0


def test_someone_elses_product_is_not_found(client, seller):
    product_id = create(client, seller).get_json()["id"]
    other = factories.make_user(roles=["buyer", "artisan"])
    services.open_shop(other, name="Toko Lain", city="Kota Bekasi", province="Jawa Barat")
    response = client.patch(f"/api/v1/products/{product_id}", json={"price": 1}, headers=bearer(other))
    assert response.status_code == 404
    assert client.get(f"/api/v1/products/{product_id}").get_json()["price"] == 450_000


@pytest.mark.parametrize("overrides, field", [
    ({"price": -5}, "price"),
    ({"title": ""}, "title"),
    ({"technique": "sablon"}, "technique"),
    ({"variants": [{"name": "S", "stock": -1}]}, "variants"),
])
def test_invalid_product_is_422_with_the_field_and_nothing_written(client, seller, db, overrides, field):
    response = create(client, seller, **overrides)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Product)) == 0


def test_filters_and_sorts(client, seller, db):
    create(client, seller, title="Kain Tulis Kopi", price=500_000)
    create(client, seller, title="Kemeja Cap Durian", category="clothing", technique="cap", motif="Durian",
           price=250_000)
    create(client, seller, title="Kain Printing Parang", technique="printing", motif="Parang", price=90_000)
    create(client, seller, title="Selendang Mega Mendung", motif="Mega  Mendung ", price=300_000)
    create(client, seller, title="Syal Jumputan", category="accessory", technique="jumputan", motif="Jumputan",
           price=120_000, variants=[{"name": "Satu ukuran", "stock": 0}])
    create(client, seller, title="Draf Tersembunyi", status="draft")

    def titles(query):
        response = client.get(f"/api/v1/products?{query}")
        assert response.status_code == 200, response.get_json()
        return [p["title"] for p in response.get_json()["items"]]

    assert set(titles("")) == {"Kain Tulis Kopi", "Kemeja Cap Durian", "Kain Printing Parang", "Syal Jumputan",
                               "Selendang Mega Mendung"}
    assert "Kain Printing Parang" not in titles("technique=batik")
    assert set(titles("technique=batik")) == {"Kain Tulis Kopi", "Kemeja Cap Durian", "Syal Jumputan",
                                             "Selendang Mega Mendung"}
    assert titles("category=clothing") == ["Kemeja Cap Durian"]
    assert titles("motif=durian") == ["Kemeja Cap Durian"]
    assert titles("motif=%20MEGA%20mendung") == ["Selendang Mega Mendung"]  # spaces and case do not matter
    assert set(titles("min_price=100000&max_price=299999")) == {"Kemeja Cap Durian", "Syal Jumputan"}
    assert "Syal Jumputan" not in titles("in_stock=true")
    assert titles("sort=price_asc") == ["Kain Printing Parang", "Syal Jumputan", "Kemeja Cap Durian",
                                        "Selendang Mega Mendung", "Kain Tulis Kopi"]
    assert titles("sort=price_desc")[0] == "Kain Tulis Kopi"
    assert titles("province=Sumatera%20Selatan") and titles("province=Bali") == []
    assert client.get("/api/v1/products?min_price=5&max_price=1").status_code == 422
    assert client.get("/api/v1/products?technique=sablon").status_code == 422


def test_suspended_shop_products_disappear(client, seller, db):
    create(client, seller)
    shop = db.session.scalar(sa.select(Shop))
    shop.status, shop.suspended_reason = "suspended", "counterfeit batikmark"
    db.session.commit()
    assert client.get("/api/v1/products").get_json()["items"] == []


def test_program_filter_and_badges_use_only_verified_public_graduations(client, seller, db):
    create(client, seller)
    organization = factories.make_organization()
    program = factories.make_program(organization, slug="bimtek-2021")
    graduation = factories.make_graduation(seller, program, status="claimed", public=True)
    assert client.get("/api/v1/products?program=bimtek-2021").get_json()["items"] == []
    assert client.get("/api/v1/products").get_json()["items"][0]["badges"] == []
    graduation.status = "verified"
    db.session.commit()
    items = client.get("/api/v1/products?program=bimtek-2021").get_json()["items"]
    assert len(items) == 1 and items[0]["badges"][0]["program"] == "bimtek-2021"


def test_catalogue_query_count_is_constant_between_6_and_48_items(client, seller, db, query_counter):
    organization = factories.make_organization()
    program = factories.make_program(organization, slug="bimtek-2021")
    factories.make_graduation(seller, program, status="verified", public=True)
    for n in range(48):
        create(client, seller, title=f"Kain {n}", variants=[{"name": "A", "stock": 1}, {"name": "B", "stock": 2}])

    def cost(path):
        with query_counter() as statements:
            response = client.get(path)
            assert response.status_code == 200
        return len(statements), len(response.get_json()["items"]) if response.is_json else None

    small, n_small = cost("/api/v1/products?per_page=6")
    large, n_large = cost("/api/v1/products?per_page=48")
    assert (n_small, n_large) == (6, 48)
    assert small == large


def test_photo_upload_over_the_api(client, seller, db):
    import io

    from PIL import Image

    product_id = create(client, seller).get_json()["id"]
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "#7a3b12").save(buffer, "JPEG")
    response = client.post(f"/api/v1/products/{product_id}/images", headers=bearer(seller),
                           data={"image": (io.BytesIO(buffer.getvalue()), "kain.jpg")},
                           content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    image = response.get_json()["images"][0]
    assert client.get(image["thumbnail_url"].replace("http://localhost", "")).status_code == 200

    not_image = client.post(f"/api/v1/products/{product_id}/images", headers=bearer(seller),
                            data={"image": (io.BytesIO(b"hello"), "x.jpg")}, content_type="multipart/form-data")
    assert not_image.status_code == 422 and "image" in not_image.get_json()["errors"]

    other = factories.make_user(roles=["buyer", "artisan"])
    stranger = client.post(f"/api/v1/products/{product_id}/images", headers=bearer(other),
                           data={"image": (io.BytesIO(buffer.getvalue()), "kain.jpg")},
                           content_type="multipart/form-data")
    assert stranger.status_code == 404

    deleted = client.delete(f"/api/v1/products/{product_id}/images/{image['id']}", headers=bearer(seller))
    assert deleted.status_code == 204
    assert client.get(f"/api/v1/products/{product_id}").get_json()["images"] == []
