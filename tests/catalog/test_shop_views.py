"""The artisan's shop form: opening a shop with its photo, editing it, errors on the form."""
from __future__ import annotations

import io
from pathlib import Path

import sqlalchemy as sa

from marketplace.catalog import services
from marketplace.catalog.models import Shop
from tests.conftest import csrf_token
from tests.factories import picture

SHOP = "/dashboard/shop"
FORM = {"name": "Batik Nurul", "slug": "", "story": "Saya belajar membatik di Muara Enim.",
        "city": "Kabupaten Muara Enim", "province": "Sumatera Selatan", "shipping_origin": "Kantor Pos Muara Enim",
        "handling_days": "2"}


def files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_artisan_opens_a_shop_with_a_photo_that_buyers_see(artisan_client, client, uploads, db):
    response = artisan_client.post(SHOP, data={**FORM, "csrf_token": csrf_token(artisan_client, SHOP),
                                               "photo": (picture("JPEG", (1200, 800)), "bengkel.jpg")},
                                   content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith("/shops/batik-nurul")
    shop = db.session.scalar(sa.select(Shop))
    assert (shop.city, shop.shipping_origin) == ("Kabupaten Muara Enim", "Kantor Pos Muara Enim")
    assert files(uploads) == [shop.photo_key]

    page = client.get("/shops/batik-nurul").get_data(as_text=True)
    photo_path = f"/media/{shop.photo_key}"
    assert f'src="{photo_path}"' in page
    assert f'<meta property="og:image" content="http://localhost{photo_path}">' in page
    served = client.get(photo_path)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert client.get("/api/v1/shops/batik-nurul").get_json()["photo_url"] == f"http://localhost{photo_path}"


def test_a_new_photo_replaces_the_old_one_and_its_file(artisan_client, uploads, db):
    token = csrf_token(artisan_client, SHOP)
    artisan_client.post(SHOP, data={**FORM, "csrf_token": token, "photo": (picture(), "lama.png")},
                        content_type="multipart/form-data")
    old_key = db.session.scalar(sa.select(Shop.photo_key))
    artisan_client.post(SHOP, data={**FORM, "name": "Batik Nurul Aini", "csrf_token": token,
                                    "photo": (picture(color=(0, 90, 140)), "baru.png")},
                        content_type="multipart/form-data")
    db.session.expire_all()
    shop = db.session.scalar(sa.select(Shop))
    assert shop.name == "Batik Nurul Aini" and shop.photo_key != old_key
    assert files(uploads) == [shop.photo_key]

    artisan_client.post(SHOP, data={**FORM, "csrf_token": token}, content_type="multipart/form-data")
    db.session.expire_all()
    assert db.session.scalar(sa.select(Shop.photo_key)) == shop.photo_key  # no file chosen: photo kept


def test_a_bad_photo_is_a_form_error_and_changes_nothing(artisan_client, uploads, db):
    token = csrf_token(artisan_client, SHOP)
    refused = artisan_client.post(SHOP, data={**FORM, "csrf_token": token,
                                              "photo": (io.BytesIO(b"MZ\x90\x00 not a photo"), "foto.jpg")},
                                  content_type="multipart/form-data")
    assert refused.status_code == 200 and 'id="photo-error"' in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Shop)) == 0
    assert files(uploads) == []


def test_shop_form_errors_show_on_their_fields(artisan_client, make_user, db):
    token = csrf_token(artisan_client, SHOP)
    no_city = artisan_client.post(SHOP, data={**FORM, "city": "", "csrf_token": token})
    assert 'id="city-error"' in no_city.get_data(as_text=True)
    other = make_user(roles=["buyer", "artisan"])
    services.open_shop(other, name="Batik Sari", slug="batik-sari", city="Kota Palembang", province="Sumatera Selatan")
    taken = artisan_client.post(SHOP, data={**FORM, "slug": "batik-sari", "csrf_token": token})
    assert 'id="slug-error"' in taken.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Shop)) == 1
