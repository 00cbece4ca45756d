"""The seller's product pages: create from a phone form, quick edits, errors shown on the form."""
import sqlalchemy as sa

from marketplace.catalog import services
from marketplace.catalog.models import Product
from tests.conftest import csrf_token
from tests.factories import quick_edit, variant_rows

FORM = {"title": "Kemeja Batik Cap Durian", "category": "clothing", "technique": "cap", "motif": "Durian",
        "price": "285000", **variant_rows(("M", 4), ("L", 2)), "weight_g": "250", "description": "",
        "material": "", "dye": ""}


def test_artisan_lists_a_product_and_edits_price_stock_and_status(artisan_client, client, db):
    services.open_shop(artisan_client.user, name="Batik Nurul", city="Kabupaten Muara Enim",
                       province="Sumatera Selatan")
    response = artisan_client.post("/dashboard/products/new",
                                   data={**FORM, "csrf_token": csrf_token(artisan_client, "/dashboard/products/new")})
    assert response.status_code == 302
    product = db.session.scalar(sa.select(Product))
    assert [(v.name, v.stock) for v in product.variants] == [("M", 4), ("L", 2)]
    assert client.get("/api/v1/products").get_json()["meta"]["total"] == 1

    page = artisan_client.get("/dashboard/products").get_data(as_text=True)
    assert "Kemeja Batik Cap Durian" in page
    m, l = product.variants
    artisan_client.post(f"/dashboard/products/{product.id}/quick", data={
        "csrf_token": csrf_token(artisan_client, "/dashboard/products"),
        **quick_edit(product, price="300.000", stock={m.id: 0, l.id: 5}, status="archived")})
    db.session.expire_all()
    product = db.session.get(Product, product.id)
    assert product.price == 300_000 and [v.stock for v in product.variants] == [0, 5]
    assert product.status == "archived"
    assert client.get("/api/v1/products").get_json()["meta"]["total"] == 0


def test_bad_product_form_shows_errors_and_writes_nothing(artisan_client, db):
    services.open_shop(artisan_client.user, name="Batik Nurul", city="Kabupaten Muara Enim",
                       province="Sumatera Selatan")
    token = csrf_token(artisan_client, "/dashboard/products/new")
    negative = artisan_client.post("/dashboard/products/new", data={**FORM, "price": "-5", "csrf_token": token})
    assert negative.status_code == 200 and 'id="price-error"' in negative.get_data(as_text=True)
    empty = artisan_client.post("/dashboard/products/new", data={**FORM, "title": "", "csrf_token": token})
    assert 'id="title-error"' in empty.get_data(as_text=True)
    unknown = artisan_client.post("/dashboard/products/new", data={**FORM, "technique": "sablon", "csrf_token": token})
    assert 'id="technique-error"' in unknown.get_data(as_text=True)
    bad_stock = artisan_client.post("/dashboard/products/new",
                                    data={**FORM, **variant_rows(("M", "banyak")), "csrf_token": token})
    assert 'id="variants-0-stock-error"' in bad_stock.get_data(as_text=True)
    nameless = artisan_client.post("/dashboard/products/new",
                                   data={**FORM, **variant_rows(("M", 4), ("", 3)), "csrf_token": token})
    assert 'id="variants-1-name-error"' in nameless.get_data(as_text=True)
    none = artisan_client.post("/dashboard/products/new",
                               data={**FORM, **variant_rows(("", ""), ("", "")), "csrf_token": token})
    assert 'id="variants-error"' in none.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Product)) == 0


def test_another_sellers_product_cannot_be_quick_edited(artisan_client, make_user, db):
    other = make_user(roles=["buyer", "artisan"])
    services.open_shop(other, name="Toko Lain", city="Kota Bekasi", province="Jawa Barat")
    product = services.create_product(other, title="Kain", category="cloth", technique="tulis", weight_g=1, price=1)
    response = artisan_client.post(f"/dashboard/products/{product.id}/quick", data={
        "csrf_token": csrf_token(artisan_client, "/account"), "price": "1", "status": "archived"})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Product, product.id).status == "draft"
