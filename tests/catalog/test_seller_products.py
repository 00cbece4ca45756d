"""The seller's full product form (with photos), the edit form and the photos page."""
from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from marketplace.catalog import services
from marketplace.catalog.images import add_product_image
from marketplace.catalog.models import Product, ProductImage
from tests import factories
from tests.conftest import csrf_token, use_language
from tests.factories import picture, variant_rows

NEW = "/dashboard/products/new"
FORM = {"title": "Kain Batik Tulis Motif Kopi", "category": "cloth", "technique": "tulis", "motif": "Kopi",
        "motif_story": "Biji kopi dari kebun Semendo.", "price": "Rp 1.250.000", **variant_rows(("Satu ukuran", 2)),
        "weight_g": "300", "length_cm": "200", "width_cm": "110", "description": "Tulis halus.",
        "material": "katun primisima", "dye": "natural", "batikmark_number": "BM-0042", "status": "active"}


@pytest.fixture
def shop(artisan_client):
    return services.open_shop(artisan_client.user, name="Batik Nurul", city="Kabupaten Muara Enim",
                              province="Sumatera Selatan")


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def noise_png(side: int) -> io.BytesIO:
    """A PNG that does not compress: about 3 * side² bytes."""
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG", compress_level=0)
    out.seek(0)
    return out


def test_new_product_with_every_detail_and_photos_lands_in_one_go(artisan_client, client, shop, uploads, db):
    token = csrf_token(artisan_client, NEW)
    response = artisan_client.post(NEW, data={
        **FORM, **variant_rows(("M", 4), ("XL", 2, "1.300.000")), "csrf_token": token,
        "photos": [(picture(color=(200, 10, 10)), "depan.png"), (picture("JPEG", (800, 600)), "detail.jpg")],
    }, content_type="multipart/form-data")
    assert response.status_code == 302

    product = db.session.scalar(sa.select(Product))
    assert (product.price, product.motif_story, product.length_cm, product.width_cm, product.batikmark_number,
            product.dye, product.material) == (1_250_000, "Biji kopi dari kebun Semendo.", 200, 110, "BM-0042",
                                               "natural", "katun primisima")
    assert [(v.name, v.stock, v.effective_price) for v in product.variants] == [
        ("M", 4, 1_250_000), ("XL", 2, 1_300_000)]
    assert [(i.position, i.width) for i in product.images] == [(0, 300), (1, 800)]
    assert len(stored_files(uploads)) == 4  # a display image and a thumbnail each

    found = client.get("/api/v1/products?q=kopi").get_json()["items"]
    assert [p["title"] for p in found] == ["Kain Batik Tulis Motif Kopi"]
    assert len(found[0]["images"]) == 2


def test_a_draft_stays_out_of_the_catalogue(artisan_client, client, shop, db):
    token = csrf_token(artisan_client, NEW)
    artisan_client.post(NEW, data={**FORM, "status": "draft", "csrf_token": token})
    assert db.session.scalar(sa.select(Product.status)) == "draft"
    assert client.get("/api/v1/products").get_json()["meta"]["total"] == 0


@pytest.mark.parametrize("content, filename, message", [
    # Bytes, not a file object: a stream made once at collection is read to its end by the first
    # run, and a second run in the same process (mutmut's) would upload an empty file.
    (b"%PDF-1.4 not a photo", "nota.pdf", "not a readable image"),
    (b"", "kosong.jpg", "empty"),
])
def test_a_bad_photo_refuses_the_whole_product(artisan_client, shop, uploads, db, content, filename, message):
    use_language(artisan_client, "en")
    token = csrf_token(artisan_client, NEW)
    response = artisan_client.post(NEW, data={
        **FORM, "csrf_token": token, "photos": [(picture(), "baik.png"), (io.BytesIO(content), filename)],
    }, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="photos-error"' in page and message in page
    assert count(db, Product) == 0 and count(db, ProductImage) == 0
    assert stored_files(uploads) == []


def test_other_errors_ask_for_the_photos_again(artisan_client, shop, uploads, db):
    use_language(artisan_client, "en")
    token = csrf_token(artisan_client, NEW)
    response = artisan_client.post(NEW, data={**FORM, "title": "", "csrf_token": token,
                                              "photos": [(picture(), "baik.png")]},
                                   content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert 'id="title-error"' in page and "Choose the photos again" in page
    assert count(db, Product) == 0 and stored_files(uploads) == []


def test_nine_photos_are_refused(artisan_client, shop, uploads, db):
    token = csrf_token(artisan_client, NEW)
    response = artisan_client.post(NEW, data={**FORM, "csrf_token": token,
                                              "photos": [(picture(), f"{n}.png") for n in range(9)]},
                                   content_type="multipart/form-data")
    assert 'id="photos-error"' in response.get_data(as_text=True)
    assert count(db, Product) == 0 and stored_files(uploads) == []


def test_several_phone_photos_fit_in_one_form_but_other_forms_keep_the_small_limit(app, artisan_client, shop,
                                                                                      uploads, db):
    photos = [FileStorage(noise_png(1150), f"{n}.png") for n in range(3)]  # ~4 MB each, ~12 MB in all
    token = csrf_token(artisan_client, NEW)
    # Encoded here, in memory: the test client would spool a body this large to a file it never closes.
    boundary, body = encode_multipart(MultiDict([*FORM.items(), ("csrf_token", token),
                                                 *(("photos", p) for p in photos)]))
    assert len(body) > app.config["MAX_CONTENT_LENGTH"]
    response = artisan_client.post(NEW, data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 302
    assert count(db, ProductImage) == 3

    too_big = artisan_client.post("/dashboard/shop", data=b"x" * (11 * 1024 * 1024),
                                  content_type="multipart/form-data; boundary=canting")
    assert too_big.status_code == 413


def test_motif_suggestions_offer_classic_and_catalogue_motifs(artisan_client, shop):
    services.create_product(artisan_client.user, title="Selendang", category="cloth", technique="cap",
                            motif="Bunga Duku", weight_g=100, price=90_000, status="active")
    page = artisan_client.get(NEW).get_data(as_text=True)
    assert 'list="motif-suggestions"' in page
    assert '<option value="Bunga Duku">' in page and '<option value="Kawung">' in page


def test_edit_form_changes_every_detail_and_keeps_variant_identity(artisan_client, client, shop, db):
    product = services.create_product(
        artisan_client.user, title="Kemeja Cap", category="clothing", technique="cap", motif="Durian",
        weight_g=250, price=285_000, status="active",
        variants=[{"name": "M", "stock": 4}, {"name": "L", "stock": 2}, {"name": "XL", "stock": 1}])
    m_id, l_id, xl_id = (v.id for v in product.variants)
    edit = f"/dashboard/products/{product.id}/edit"

    page = artisan_client.get(edit).get_data(as_text=True)
    assert 'value="Kemeja Cap"' in page
    assert 'name="variants-2-name" type="text" value="XL"' in page and 'name="variants-4-name"' in page  # 2 blank rows

    response = artisan_client.post(edit, data={
        **FORM, "title": "Kemeja Batik Cap Durian Lengan Panjang", "category": "clothing", "technique": "cap",
        "motif": "Durian", "price": "300.000", "csrf_token": csrf_token(artisan_client, edit),
        # M renamed, L given its own price, XL removed (name emptied), XXL added
        **variant_rows((m_id, "M (lingkar dada 100 cm)", 3, ""), (l_id, "L", 2, "320000"), (xl_id, "", "", ""),
                       ("XXL", 1))})
    assert response.status_code == 302

    db.session.expire_all()
    product = db.session.get(Product, product.id)
    assert product.title == "Kemeja Batik Cap Durian Lengan Panjang" and product.price == 300_000
    assert (product.length_cm, product.batikmark_number, product.motif_story) == (200, "BM-0042",
                                                                                  "Biji kopi dari kebun Semendo.")
    assert [(v.id, v.name, v.stock, v.price) for v in product.variants][:2] == [
        (m_id, "M (lingkar dada 100 cm)", 3, None), (l_id, "L", 2, 320_000)]
    assert [v.name for v in product.live_variants] == ["M (lingkar dada 100 cm)", "L", "XXL"]
    # XL stays for the orders that name it, archived.
    assert [(v.id, v.name) for v in product.variants if v.archived_at is not None] == [(xl_id, "XL")]
    found = client.get("/api/v1/products?q=lengan").get_json()["items"]
    assert [p["id"] for p in found] == [product.id]


def test_edit_errors_show_on_the_form_and_change_nothing(artisan_client, shop, db):
    product = services.create_product(artisan_client.user, title="Kain Cap", category="cloth", technique="cap",
                                      weight_g=250, price=285_000, status="active")
    edit = f"/dashboard/products/{product.id}/edit"
    token = csrf_token(artisan_client, edit)
    duplicate = artisan_client.post(edit, data={**FORM, **variant_rows(("M", 1), ("m", 2)), "csrf_token": token})
    assert 'id="variants-error"' in duplicate.get_data(as_text=True)
    negative = artisan_client.post(edit, data={**FORM, "price": "-5", "csrf_token": token})
    assert 'id="price-error"' in negative.get_data(as_text=True)
    bad_size = artisan_client.post(edit, data={**FORM, "length_cm": "0", "csrf_token": token})
    assert 'id="length_cm-error"' in bad_size.get_data(as_text=True)
    db.session.expire_all()
    product = db.session.get(Product, product.id)
    assert (product.title, product.price, [v.name for v in product.variants]) == ("Kain Cap", 285_000, ["Satu ukuran"])


def test_another_sellers_product_pages_are_404(artisan_client, db, uploads):
    other = factories.make_artisan()
    services.open_shop(other, name="Toko Lain", city="Kota Bekasi", province="Jawa Barat")
    product = services.create_product(other, title="Kain", category="cloth", technique="tulis", weight_g=1,
                                      price=1, photos=[])
    image = add_product_image(other, product.id, picture())
    token = csrf_token(artisan_client, "/account")
    base = f"/dashboard/products/{product.id}"
    assert artisan_client.get(f"{base}/edit").status_code == 404
    assert artisan_client.post(f"{base}/edit", data={**FORM, "csrf_token": token}).status_code == 404
    assert artisan_client.get(f"{base}/photos").status_code == 404
    assert artisan_client.post(f"{base}/photos", data={"csrf_token": token, "photos": [(picture(), "a.png")]},
                               content_type="multipart/form-data").status_code == 404
    assert artisan_client.post(f"{base}/photos/{image.id}/delete", data={"csrf_token": token}).status_code == 404
    assert artisan_client.post(f"{base}/photos/{image.id}/move",
                               data={"csrf_token": token, "to": "first"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Product, product.id).title == "Kain" and count(db, ProductImage) == 1


def test_photos_page_adds_reorders_and_deletes(artisan_client, shop, uploads, db):
    product = services.create_product(artisan_client.user, title="Kain Jumputan", category="cloth",
                                      technique="jumputan", weight_g=200, price=150_000, status="active")
    photos_url = f"/dashboard/products/{product.id}/photos"
    use_language(artisan_client, "en")
    token = csrf_token(artisan_client, photos_url)
    added = artisan_client.post(photos_url, data={"csrf_token": token, "photos": [
        (picture(size=(300, 200)), "a.png"), (picture(size=(320, 200)), "b.png"), (picture(size=(340, 200)), "c.png")]},
        content_type="multipart/form-data")
    assert added.status_code == 302

    def widths():
        db.session.expire_all()
        return [i.width for i in db.session.get(Product, product.id).images]

    assert widths() == [300, 320, 340]
    first, second, third = db.session.get(Product, product.id).images
    artisan_client.post(f"{photos_url}/{third.id}/move", data={"csrf_token": token, "to": "first"})
    assert widths() == [340, 300, 320]
    artisan_client.post(f"{photos_url}/{first.id}/move", data={"csrf_token": token, "to": "later"})
    assert widths() == [340, 320, 300]
    artisan_client.post(f"{photos_url}/{first.id}/move", data={"csrf_token": token, "to": "later"})
    assert widths() == [340, 320, 300]  # already last
    artisan_client.post(f"{photos_url}/{second.id}/delete", data={"csrf_token": token})
    assert widths() == [340, 300]
    assert len(stored_files(uploads)) == 4

    page = artisan_client.get(photos_url).get_data(as_text=True)
    assert page.count('class="thumb"') == 2 and "You can add 6 more photos." in page


def test_photos_page_refuses_bad_files_and_a_ninth_photo(artisan_client, shop, uploads, db):
    product = services.create_product(artisan_client.user, title="Kain", category="cloth", technique="tulis",
                                      weight_g=200, price=150_000)
    photos_url = f"/dashboard/products/{product.id}/photos"
    use_language(artisan_client, "en")
    token = csrf_token(artisan_client, photos_url)
    bad = artisan_client.post(photos_url, data={"csrf_token": token, "photos": [
        (picture(), "a.png"), (io.BytesIO(b"GIF89a..."), "b.gif")]}, content_type="multipart/form-data")
    assert bad.status_code == 200 and 'id="photos-error"' in bad.get_data(as_text=True)
    assert count(db, ProductImage) == 0 and stored_files(uploads) == []

    none_chosen = artisan_client.post(photos_url, data={"csrf_token": token}, content_type="multipart/form-data")
    assert 'id="photos-error"' in none_chosen.get_data(as_text=True)

    artisan_client.post(photos_url, data={"csrf_token": token, "photos": [(picture(), f"{n}.png") for n in range(8)]},
                        content_type="multipart/form-data")
    assert count(db, ProductImage) == 8
    ninth = artisan_client.post(photos_url, data={"csrf_token": token, "photos": [(picture(), "9.png")]},
                                content_type="multipart/form-data")
    assert 'id="photos-error"' in ninth.get_data(as_text=True)
    assert count(db, ProductImage) == 8
    assert "Delete one to add another" in artisan_client.get(photos_url).get_data(as_text=True)
