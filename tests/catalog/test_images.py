"""Product photos: re-encoding, limits, refusals, reorder and delete, and how they are served."""
from __future__ import annotations

import io
import itertools
import struct
import zlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import render_template_string
from flask_babel import force_locale
from PIL import ExifTags, Image

from marketplace.catalog.demo_images import MOTIFS, draw_batik
from marketplace.catalog.images import add_product_image, delete_product_image, reorder_product_images
from marketplace.catalog.models import Product, ProductImage, Variant
from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.core.storage import storage
from marketplace.extensions import db as database
from tests import factories
from tests.factories import picture

_seq = itertools.count(1)


@pytest.fixture
def seller():
    return factories.make_artisan(name="Sari")


@pytest.fixture
def product(db, seller):
    return make_product(seller)


def make_product(owner) -> Product:
    shop = factories.make_shop(owner=owner)
    n = next(_seq)
    product = Product(shop=shop, title=f"Kain Batik Tulis {n}", slug=f"kain-batik-tulis-{n}",
                      category="cloth", technique="tulis", weight_g=300, price=450_000,
                      variants=[Variant(name="Satu ukuran", stock=3)])
    database.session.add(product)
    database.session.commit()
    return product




def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def opened(key: str) -> Image.Image:
    image = Image.open(io.BytesIO(storage().read(key)))
    image.load()
    return image


def png_bomb(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of WIDTH x HEIGHT black pixels: a few kilobytes on disk."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", body) + chunk(b"IEND", b""))


def photo_ids(product_id: int) -> list[int]:
    return list(database.session.scalars(
        sa.select(ProductImage.id).filter_by(product_id=product_id)
        .order_by(ProductImage.position, ProductImage.id)
    ))


# --- happy path -----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_an_upload_is_stored_as_a_display_jpeg_and_a_small_webp_thumbnail(uploads, seller, product, fmt):
    image = add_product_image(seller, product.id, picture(fmt, size=(2400, 1800)))

    assert len(stored_files(uploads)) == 2
    assert image.display_key.startswith("products/") and image.display_key.endswith(".jpg")
    assert image.thumb_key.startswith("products/") and image.thumb_key.endswith(".webp")
    display, thumb = opened(image.display_key), opened(image.thumb_key)
    assert display.format == "JPEG" and display.size == (1600, 1200)
    assert (image.width, image.height) == (1600, 1200)
    assert thumb.format == "WEBP" and thumb.size == (400, 300)
    assert image.position == 0 and image.product_id == product.id


def test_a_small_photo_is_never_enlarged(uploads, seller, product):
    image = add_product_image(seller, product.id, picture("PNG", size=(300, 500)))
    assert (image.width, image.height) == (300, 500)
    assert opened(image.thumb_key).size == (240, 400)


def test_exif_and_comments_are_stripped_after_turning_the_photo_upright(uploads, seller, product):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SecretCam"
    exif[ExifTags.Base.Model] = "Model X"
    exif[ExifTags.Base.Orientation] = 6  # the camera was held on its side: turn 90 degrees
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (2.0, 59.0, 0.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (104.0, 45.0, 0.0)
    upload = picture("JPEG", size=(300, 200), exif=exif, comment=b"shot at Jl. Merdeka 12")
    original = Image.open(io.BytesIO(upload.getvalue()))
    assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test file really carries GPS
    assert b"SecretCam" in upload.getvalue() and b"Merdeka" in upload.getvalue()

    image = add_product_image(seller, product.id, upload)

    assert (image.width, image.height) == (200, 300)  # upright
    for key in (image.display_key, image.thumb_key):
        data = storage().read(key)
        assert b"SecretCam" not in data and b"Model X" not in data and b"Merdeka" not in data
        stored = opened(key)
        assert not stored.getexif()
        assert not {"exif", "comment", "icc_profile", "xmp"} & set(stored.info)
    assert opened(image.thumb_key).size == (200, 300)  # under 400 px already: not enlarged


def test_transparent_areas_of_a_png_become_white(uploads, seller, product):
    image = add_product_image(seller, product.id, picture("PNG", mode="RGBA", color=(0, 0, 0, 0)))
    assert opened(image.display_key).convert("RGB").getpixel((10, 10)) >= (250, 250, 250)


def test_photos_are_appended_in_order(uploads, seller, product):
    first = add_product_image(seller, product.id, picture())
    second = add_product_image(seller, product.id, picture("JPEG"))
    assert (first.position, second.position) == (0, 1)
    assert photo_ids(product.id) == [first.id, second.id]


# --- refusals -------------------------------------------------------------------------------

def refused(uploads, seller, product, stream) -> ValidationFailed:
    with force_locale("en"), pytest.raises(ValidationFailed) as caught:
        add_product_image(seller, product.id, stream)
    assert caught.value.field == "image"
    assert stored_files(uploads) == []
    assert photo_ids(product.id) == []
    return caught.value


def test_a_text_file_is_refused(uploads, seller, product):
    error = refused(uploads, seller, product, io.BytesIO(b"just some words, not a photo\n" * 10))
    assert error.message == "This file is not a readable image."


def test_other_image_formats_are_refused(uploads, seller, product):
    error = refused(uploads, seller, product, picture("GIF"))
    assert error.message == "Use a JPEG, PNG or WebP image."


def test_an_empty_file_is_refused(uploads, seller, product):
    assert refused(uploads, seller, product, io.BytesIO(b"")).message == "The file is empty."


def test_a_file_over_the_size_limit_is_refused(app, uploads, seller, product, monkeypatch):
    monkeypatch.setitem(app.config, "PRODUCT_IMAGE_MAX_BYTES", 2000)
    noisy = Image.effect_noise((200, 200), 64).convert("RGB")
    big = io.BytesIO()
    noisy.save(big, "PNG")
    assert big.tell() > 2000
    big.seek(0)
    error = refused(uploads, seller, product, big)
    assert error.message.startswith("The file is larger than")


@pytest.mark.parametrize("size", [(20000, 20000), (8000, 6000)], ids=["bomb", "over-40-megapixels"])
def test_a_decompression_bomb_is_refused_before_it_is_decoded(uploads, seller, product, size):
    bomb = png_bomb(*size)
    assert len(bomb) < 100_000  # tiny file, huge picture
    error = refused(uploads, seller, product, io.BytesIO(bomb))
    assert error.message == "The image has too many pixels."


def test_a_ninth_photo_is_refused(uploads, seller, product):
    for _ in range(8):
        add_product_image(seller, product.id, picture(size=(40, 30)))
    with pytest.raises(ValidationFailed) as caught:
        add_product_image(seller, product.id, picture(size=(40, 30)))
    assert caught.value.field == "image"
    assert "8" in caught.value.message
    assert len(photo_ids(product.id)) == 8
    assert len(stored_files(uploads)) == 16


def test_stored_files_are_removed_when_the_commit_fails(uploads, seller, product, monkeypatch):
    def failing_commit():
        raise RuntimeError("database went away")

    monkeypatch.setattr(database.session, "commit", failing_commit)
    with pytest.raises(RuntimeError):
        add_product_image(seller, product.id, picture())
    monkeypatch.undo()
    assert stored_files(uploads) == []
    assert photo_ids(product.id) == []


# --- ownership, delete, reorder -------------------------------------------------------------

def test_another_user_cannot_touch_the_photos(uploads, seller, product):
    image = add_product_image(seller, product.id, picture())
    other = factories.make_artisan()
    make_product(other)  # has a shop of their own
    buyer = factories.make_user()

    for intruder in (other, buyer):
        with pytest.raises(NotFound):
            add_product_image(intruder, product.id, picture())
        with pytest.raises(NotFound):
            delete_product_image(intruder, product.id, image.id)
        with pytest.raises(NotFound):
            reorder_product_images(intruder, product.id, [image.id])
    with pytest.raises(NotFound):
        add_product_image(seller, 999_999, picture())
    assert photo_ids(product.id) == [image.id]
    assert len(stored_files(uploads)) == 2


def test_deleting_a_photo_removes_its_row_and_both_files(uploads, seller, product):
    kept = add_product_image(seller, product.id, picture())
    gone = add_product_image(seller, product.id, picture())
    gone_id, gone_keys = gone.id, (gone.display_key, gone.thumb_key)

    other = Product(shop=product.shop, title="Kain Lain", slug="kain-lain", category="cloth", technique="cap",
                    weight_g=300, price=1, variants=[Variant(name="Satu ukuran", stock=1)])
    database.session.add(other)
    database.session.commit()
    with pytest.raises(NotFound):  # the photo is not one of that product's
        delete_product_image(seller, other.id, gone_id)
    delete_product_image(seller, product.id, gone_id)

    assert photo_ids(product.id) == [kept.id]
    assert not any(storage().exists(key) for key in gone_keys)
    assert storage().exists(kept.display_key) and storage().exists(kept.thumb_key)
    assert len(stored_files(uploads)) == 2
    with pytest.raises(NotFound):
        delete_product_image(seller, product.id, gone_id)


def test_reordering_puts_the_photos_in_the_given_order(uploads, seller, product):
    a, b, c = (add_product_image(seller, product.id, picture(size=(40, 30))).id for _ in range(3))

    ordered = reorder_product_images(seller, product.id, [c, a, b])

    assert [image.id for image in ordered] == [c, a, b]
    assert photo_ids(product.id) == [c, a, b]
    database.session.expire_all()
    assert [image.id for image in database.session.get(Product, product.id).images] == [c, a, b]


def test_reordering_needs_exactly_the_products_photos(uploads, seller, product):
    a, b = (add_product_image(seller, product.id, picture(size=(40, 30))).id for _ in range(2))
    other_product = make_product(factories.make_artisan())
    foreign = add_product_image(other_product.shop.owner, other_product.id, picture(size=(40, 30))).id

    for wrong in ([b, foreign], [a, b, foreign], [a], [a, a], [a, b, b], []):
        with pytest.raises(ValidationFailed) as caught:
            reorder_product_images(seller, product.id, wrong)
        assert caught.value.field == "images"
    assert photo_ids(product.id) == [a, b]


# --- serving --------------------------------------------------------------------------------

def test_photos_are_served_with_long_cache_headers(client, uploads, seller, product):
    image = add_product_image(seller, product.id, picture("JPEG"))

    response = client.get(f"/media/{image.display_key}")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in response.headers and "Vary" not in response.headers
    assert response.data == storage().read(image.display_key)

    thumb = client.get(f"/media/{image.thumb_key}")
    assert thumb.status_code == 200 and thumb.mimetype == "image/webp"
    assert thumb.headers["Cache-Control"] == "public, max-age=31536000, immutable"

    again = client.get(f"/media/{image.display_key}", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_a_signed_in_visitor_gets_the_same_cacheable_photo(app, uploads, seller, product):
    from tests.conftest import login

    image = add_product_image(seller, product.id, picture("JPEG"))
    browser = app.test_client()
    assert login(browser, seller.email).status_code == 302
    response = browser.get(f"/media/{image.thumb_key}")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers and "Vary" not in response.headers
    assert browser.get("/account").status_code == 200  # the session itself still works


def test_only_product_photos_are_served(client, uploads):
    certificate = storage().save(b"%PDF-1.4 certificate", folder="certificates", extension="pdf")
    certificate_jpg = storage().save(b"\xff\xd8 scan", folder="certificates", extension="jpg")
    name = certificate_jpg.split("/", 1)[1]
    for path in (
        f"/media/{certificate}",
        f"/media/{certificate_jpg}",
        f"/media/products/../{certificate_jpg}",
        f"/media/products/%2e%2e/{certificate_jpg}",
        f"/media/products/..%2f{certificate_jpg}",
        f"/media/products//{name}",
        f"/media/products/{'0' * 32}.jpg",        # well formed, but no such file
        "/media/products/",
        "/media/",
    ):
        assert client.get(path).status_code == 404, path


def test_media_url_is_a_template_global(app, uploads, seller, product):
    image = add_product_image(seller, product.id, picture())
    with app.test_request_context():
        html = render_template_string("{{ media_url(key) }}|{{ media_url(none) }}|{{ media_url(key, true) }}",
                                      key=image.thumb_key)
    assert html == f"/media/{image.thumb_key}||http://localhost/media/{image.thumb_key}"


def test_media_url_points_at_a_cdn_when_configured(app, monkeypatch):
    monkeypatch.setitem(app.config, "MEDIA_BASE_URL", "https://cdn.example.test/canting/")
    with app.test_request_context():
        html = render_template_string("{{ media_url('products/abc.jpg') }}")
    assert html == "https://cdn.example.test/canting/products/abc.jpg"


# --- demo pictures --------------------------------------------------------------------------

@pytest.mark.parametrize("motif", MOTIFS)
def test_demo_batik_pictures_are_jpegs_that_the_pipeline_accepts(uploads, seller, product, motif):
    data = draw_batik(7, motif, size=(480, 360))
    assert draw_batik(7, motif, size=(480, 360)) == data  # same seed, same picture
    drawn = Image.open(io.BytesIO(data))
    assert drawn.format == "JPEG" and drawn.size == (480, 360)
    assert len(drawn.convert("RGB").resize((24, 18)).getcolors(1000)) > 20  # a pattern, not a fill
    image = add_product_image(seller, product.id, io.BytesIO(data))
    assert (image.width, image.height) == (480, 360)


def test_a_motif_name_picks_the_drawing_and_anything_else_falls_back_to_the_seed():
    from marketplace.catalog.demo_images import motif_for

    assert motif_for("Parang Rusak", 0) == "parang"
    assert motif_for("Mega Mendung Cirebon", 0) == "mega_mendung"
    assert motif_for("Jumputan Palembang", 0) == "jumputan"
    assert {motif_for("Kopi", seed) for seed in range(10)} == set(MOTIFS)
