"""Every form of the catalogue's seller and admin pages refuses a POST without the page's CSRF
token (400) and changes nothing; the same POST with the token does change things, so the refusal
is the token's doing. The quick edit reads request.form without a form class: only the app-wide
CSRF protection guards it."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from marketplace.catalog import images
from marketplace.catalog.models import Product, Shop
from tests import factories
from tests.conftest import csrf_token
from tests.factories import make_product, picture, quick_edit, variant_rows

PRODUCT_FIELDS = {"category": "clothing", "technique": "cap", "motif": "Durian", "price": "285000",
                  "weight_g": "250", "description": "", "material": "", "dye": "", "status": "active"}


@pytest.fixture
def seller(artisan_client, uploads):
    """The artisan's shop, one product with one variant and two photos."""
    shop = factories.make_shop(artisan_client.user, name="Batik Nurul", slug="batik-nurul")
    product = make_product(shop, title="Kemeja Batik Cap Durian", price=285_000, stock=4)
    for _ in range(2):
        images.add_product_image(artisan_client.user, product.id, picture())
    return artisan_client, shop, product


def state(db, shop_id: int, product_id: int):
    """What a buyer or the seller would notice of the shop and its products."""
    db.session.expire_all()
    shop = db.session.get(Shop, shop_id)
    products = db.session.scalars(sa.select(Product).where(Product.shop_id == shop_id).order_by(Product.id)).all()
    return (shop.name, shop.status,
            [(p.title, p.price, p.status, [v.stock for v in p.variants]) for p in products],
            [i.id for i in db.session.get(Product, product_id).images])


def seller_posts(shop: Shop, product: Product) -> dict:
    """Each seller form: (page holding the form, path it posts to, fields, files or None)."""
    variant = product.variants[0]
    first, second = (image.id for image in product.images)
    photos = f"/dashboard/products/{product.id}/photos"
    return {
        "quick edit": ("/dashboard/products", f"/dashboard/products/{product.id}/quick",
                       quick_edit(product, price="1.000", stock={variant.id: 0}, status="archived")),
        "new product": ("/dashboard/products/new", "/dashboard/products/new",
                        {**PRODUCT_FIELDS, "title": "Kain Baru", **variant_rows(("M", 4))}),
        "edit product": (f"/dashboard/products/{product.id}/edit", f"/dashboard/products/{product.id}/edit",
                         {**PRODUCT_FIELDS, "title": "Judul Baru",
                          **variant_rows((variant.id, variant.name, 9, ""))}),
        "add photos": (photos, photos, {"photos": [(picture(), "baru.png")]}),
        "move photo": (photos, f"{photos}/{second}/move", {"to": "first"}),
        "delete photo": (photos, f"{photos}/{first}/delete", {}),
        "shop form": ("/dashboard/shop", "/dashboard/shop",
                      {"name": "Nama Baru", "slug": shop.slug, "story": "", "city": shop.city,
                       "province": shop.province, "shipping_origin": "",
                       "handling_days": "3"}),
    }


FORMS = ["quick edit", "new product", "edit product", "add photos", "move photo", "delete photo", "shop form"]


@pytest.mark.parametrize("form", FORMS)
def test_a_seller_form_without_csrf_token_is_refused_and_changes_nothing(seller, db, form):
    client, shop, product = seller
    page, path, data = seller_posts(shop, product)[form]
    before = state(db, shop.id, product.id)
    refused = client.post(path, data=data, content_type="multipart/form-data")
    assert refused.status_code == 400, form
    assert state(db, shop.id, product.id) == before

    page, path, data = seller_posts(shop, product)[form]  # fresh uploads
    accepted = client.post(path, data={**data, "csrf_token": csrf_token(client, page)},
                           content_type="multipart/form-data")
    assert accepted.status_code == 302, (form, accepted.get_data(as_text=True)[:2000])
    assert state(db, shop.id, product.id) != before, form


def test_suspending_a_shop_without_csrf_token_is_refused(admin_client, db):
    shop = factories.make_shop(name="Batik Nurul")
    make_product(shop)
    data = {"shop_id": str(shop.id), "action": "suspend", "reason": "Batikmark palsu"}
    assert admin_client.post("/admin/shops", data=data).status_code == 400
    db.session.expire_all()
    assert db.session.get(Shop, shop.id).status == "active"

    admin_client.post("/admin/shops", data={**data, "csrf_token": csrf_token(admin_client, "/admin/shops")})
    db.session.expire_all()
    assert db.session.get(Shop, shop.id).status == "suspended"
