"""A stock edit carries the stock the seller saw: a sale made while the page was open is never
undone, whether the seller saves the full form, the quick edit or the API."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from marketplace.catalog import services
from marketplace.catalog.models import Product, Variant
from marketplace.core.errors import Conflict
from tests import factories
from tests.conftest import form_fields


@pytest.fixture
def product(artisan_client):
    shop = factories.make_shop(artisan_client.user)
    return factories.make_product(shop, title="Kain Tulis Kopi", price=450_000, stock=3)


def sell(db, variant_id: int, units: int = 1) -> None:
    """A checkout that commits on its own connection while the seller's page is open."""
    variants = Variant.__table__
    with db.engine.begin() as connection:
        connection.execute(sa.update(variants).where(variants.c.id == variant_id)
                           .values(stock=variants.c.stock - units))


def stock_of(db, variant_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Variant, variant_id).stock


def test_the_edit_form_saved_after_a_sale_does_not_put_the_sold_piece_back(artisan_client, product, db):
    variant_id = product.variants[0].id
    edit = f"/dashboard/products/{product.id}/edit"
    fields = form_fields(artisan_client.get(edit).get_data(as_text=True))
    assert (fields["variants-0-stock"], fields["variants-0-stock_shown"]) == ("3", "3")

    sell(db, variant_id)
    refused = artisan_client.post(edit, data={**fields, "title": "Kain Tulis Kopi Semendo"})

    page = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert 'id="variants-0-stock-error"' in page
    assert "Stok Satu ukuran berubah sementara itu (sekarang 2); periksa lalu simpan lagi." in page
    assert stock_of(db, variant_id) == 2
    assert db.session.get(Product, product.id).title == "Kain Tulis Kopi"  # nothing of the form was written

    # The refused form now shows the stock as it is: checked and saved again, the sale stays.
    again = form_fields(page)
    assert (again["variants-0-stock"], again["variants-0-stock_shown"]) == ("2", "2")
    assert artisan_client.post(edit, data=again).status_code == 302
    assert stock_of(db, variant_id) == 2
    assert db.session.get(Product, product.id).title == "Kain Tulis Kopi Semendo"


def test_a_new_stock_typed_after_a_sale_is_refused_too(artisan_client, product, db):
    variant_id = product.variants[0].id
    edit = f"/dashboard/products/{product.id}/edit"
    fields = form_fields(artisan_client.get(edit).get_data(as_text=True))
    sell(db, variant_id)
    refused = artisan_client.post(edit, data={**fields, "variants-0-stock": "10"})
    assert 'id="variants-0-stock-error"' in refused.get_data(as_text=True)
    assert stock_of(db, variant_id) == 2

    # Without a sale in between, the typed stock is written.
    fields = form_fields(artisan_client.get(edit).get_data(as_text=True))
    assert artisan_client.post(edit, data={**fields, "variants-0-stock": "10"}).status_code == 302
    assert stock_of(db, variant_id) == 10


def test_an_edit_page_without_the_stock_it_showed_is_refused(artisan_client, product, db):
    variant_id = product.variants[0].id
    edit = f"/dashboard/products/{product.id}/edit"
    fields = form_fields(artisan_client.get(edit).get_data(as_text=True))
    for shown in (None, "", "banyak", "99999999"):
        sent = {k: v for k, v in fields.items() if k != "variants-0-stock_shown"}
        if shown is not None:
            sent["variants-0-stock_shown"] = shown
        refused = artisan_client.post(edit, data={**sent, "variants-0-stock": "7"})
        assert 'id="variants-0-stock-error"' in refused.get_data(as_text=True), shown
    assert stock_of(db, variant_id) == 3


def test_the_quick_edit_saved_after_a_sale_does_not_put_the_sold_piece_back(artisan_client, product, db):
    variant_id = product.variants[0].id
    quick = f"/dashboard/products/{product.id}/quick"
    fields = form_fields(artisan_client.get("/dashboard/products").get_data(as_text=True), quick)
    assert (fields[f"stock-{variant_id}"], fields[f"shown-{variant_id}"]) == ("3", "3")

    sell(db, variant_id)
    refused = artisan_client.post(quick, data={**fields, "price": "475.000"})

    page = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert f'id="stock-{variant_id}-error"' in page and "(sekarang 2)" in page
    assert stock_of(db, variant_id) == 2
    assert db.session.get(Product, product.id).price == 450_000

    again = form_fields(page, quick)
    assert (again[f"stock-{variant_id}"], again[f"shown-{variant_id}"], again["price"]) == ("2", "2", "475.000")
    assert artisan_client.post(quick, data=again).status_code == 302
    assert stock_of(db, variant_id) == 2
    assert db.session.get(Product, product.id).price == 475_000


def test_a_quick_edit_without_the_stock_it_showed_is_refused(artisan_client, product, db):
    variant_id = product.variants[0].id
    quick = f"/dashboard/products/{product.id}/quick"
    fields = form_fields(artisan_client.get("/dashboard/products").get_data(as_text=True), quick)
    for shown in (None, "", "-1"):
        sent = {k: v for k, v in fields.items() if k != f"shown-{variant_id}"}
        if shown is not None:
            sent[f"shown-{variant_id}"] = shown
        refused = artisan_client.post(quick, data={**sent, f"stock-{variant_id}": "7"})
        assert f'id="stock-{variant_id}-error"' in refused.get_data(as_text=True), shown
    assert stock_of(db, variant_id) == 3


def test_the_api_changes_a_stock_only_from_the_stock_the_client_read(client, artisan_client, product, db):
    headers = factories.bearer(artisan_client.user)
    path = f"/api/v1/products/{product.id}"
    read = client.get(path).get_json()["variants"][0]
    assert (read["stock"], read["available"]) == (3, 3)

    sell(db, read["id"])
    stale = client.patch(path, headers=headers, json={
        "price": 475_000, "variants": [{"id": read["id"], "stock": 5, "expected_stock": read["stock"]}]})
    assert stale.status_code == 409
    assert "(sekarang 2)" in stale.get_json()["errors"]["variants"]["0"]["expected_stock"][0]
    assert stock_of(db, read["id"]) == 2 and db.session.get(Product, product.id).price == 450_000

    blind = client.patch(path, headers=headers, json={"variants": [{"id": read["id"], "stock": 5}]})
    assert blind.status_code == 422
    assert "expected_stock" in blind.get_json()["errors"]["variants"]["0"]
    assert stock_of(db, read["id"]) == 2

    fresh = client.patch(path, headers=headers, json={"variants": [{"id": read["id"], "stock": 5, "expected_stock": 2}]})
    assert fresh.status_code == 200 and fresh.get_json()["variants"][0]["stock"] == 5

    # A variant sent without a stock keeps the one it has, sales included.
    sell(db, read["id"])
    renamed = client.patch(path, headers=headers, json={"variants": [{"id": read["id"], "name": "2 x 1,15 m"}]})
    assert renamed.status_code == 200
    assert [(v["name"], v["stock"]) for v in renamed.get_json()["variants"]] == [("2 x 1,15 m", 4)]


def test_one_stale_variant_refuses_the_whole_edit(client, artisan_client, db):
    shop = factories.make_shop(artisan_client.user)
    product = factories.make_product(shop, variants=[{"name": "M", "stock": 3}, {"name": "L", "stock": 2}])
    m, l = (v.id for v in product.variants)
    sell(db, l)
    response = client.patch(f"/api/v1/products/{product.id}", headers=factories.bearer(artisan_client.user), json={
        "variants": [{"id": m, "stock": 5, "expected_stock": 3}, {"id": l, "stock": 4, "expected_stock": 2},
                     {"name": "XL", "stock": 1}]})
    assert response.status_code == 409
    assert list(response.get_json()["errors"]["variants"]) == ["1"]
    db.session.expire_all()
    assert [(v.name, v.stock) for v in db.session.get(Product, product.id).variants] == [("M", 3), ("L", 1)]


def test_a_sale_committed_between_the_services_read_and_its_write_is_kept(artisan_client, product, db):
    """The comparison is part of the write (one conditional UPDATE): reading the stock, comparing
    it and then writing would undo a checkout that commits in between."""
    variant_id = product.variants[0].id
    sales = []

    def checkout_in_between(connection, cursor, statement, *args):
        if statement.lstrip().upper().startswith("UPDATE VARIANTS") and not sales:
            sales.append(variant_id)
            sell(db, variant_id)

    sa.event.listen(db.engine, "before_cursor_execute", checkout_in_between)
    try:
        with pytest.raises(Conflict):
            services.update_product(artisan_client.user, product.id,
                                    variants=[{"id": variant_id, "stock": 3, "expected_stock": 3}])
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", checkout_in_between)
    assert sales == [variant_id]
    assert stock_of(db, variant_id) == 2
