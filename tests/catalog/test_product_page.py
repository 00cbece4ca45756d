"""A product's public page and its API twin show only products on sale: a draft, an archived
product and a suspended shop's product are not found by their id, for buyers and their owner
alike. The owner works on them from the dashboard."""
from __future__ import annotations

import pytest

from tests import factories
from tests.factories import make_product


def not_found_anywhere_public(client, product, headers=None) -> None:
    for path in (f"/products/{product.id}", f"/products/{product.id}/{product.slug}"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Kain Rahasia" not in response.get_data(as_text=True), path
    response = client.get(f"/api/v1/products/{product.id}", headers=headers or {})
    assert response.status_code == 404
    assert response.mimetype == "application/json"


@pytest.mark.parametrize("case", ["draft", "archived", "suspended shop"])
def test_a_product_not_on_sale_is_not_found_by_its_id(db, client, artisan_client, case):
    shop = factories.make_shop(artisan_client.user, slug="batik-nurul")
    hidden = make_product(shop, title="Kain Rahasia", status="active" if case == "suspended shop" else case)
    on_sale = make_product(title="Kain Dijual")
    if case == "suspended shop":
        shop.status, shop.suspended_reason = "suspended", "Batikmark palsu"
        db.session.commit()

    not_found_anywhere_public(client, hidden)
    # Its owner, signed in or with a token, sees the public page as buyers do...
    not_found_anywhere_public(artisan_client, hidden, headers=factories.bearer(artisan_client.user))
    # ...and finds it on the dashboard, where it can be edited.
    assert "Kain Rahasia" in artisan_client.get("/dashboard/products").get_data(as_text=True)
    assert artisan_client.get(f"/dashboard/products/{hidden.id}/edit").status_code == 200

    page = client.get(f"/products/{on_sale.id}/{on_sale.slug}")
    assert page.status_code == 200 and "Kain Dijual" in page.get_data(as_text=True)
    assert client.get(f"/products/{on_sale.id}").status_code == 301
    assert client.get(f"/api/v1/products/{on_sale.id}").get_json()["title"] == "Kain Dijual"
    shop_page = client.get("/shops/batik-nurul")
    assert shop_page.status_code == (404 if case == "suspended shop" else 200)
    assert "Kain Rahasia" not in shop_page.get_data(as_text=True)
