"""Product photos: upload, reorder, delete.

Every upload is opened and fully decoded by Pillow (core/uploads.open_image: JPEG, PNG or WebP
only, decompression bombs refused), turned upright from its EXIF orientation, and written out
again from the pixels alone, so EXIF (GPS, camera), ICC profiles, comments and anything hidden
after the image never reach a buyer. Two files are stored under random keys in "products/":

* display: JPEG, long side at most 1600 px (never enlarged). JPEG rather than WebP because the
  display photo is also the Open Graph image of the product page, and link previews (WhatsApp
  above all) read JPEG everywhere. Transparent PNGs are laid on white; colours in a wide-gamut
  profile (iPhone Display P3) are converted to sRGB before the profile is dropped.
* thumbnail: WebP, long side at most 400 px, for product grids (about a third smaller than JPEG).

Both keep the photo's proportions; the width and height stored are the display image's.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageCms, ImageOps

from marketplace.accounts.models import User
from marketplace.catalog.models import Product, ProductImage, Shop
from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.core.storage import storage
from marketplace.core.transaction import atomic, commit
from marketplace.core.uploads import open_image, read_capped, reencode_image
from marketplace.extensions import db

MAX_IMAGES_PER_PRODUCT = 8
DISPLAY_MAX_SIDE = 1600
THUMB_MAX_SIDE = 400
FOLDER = "products"
SHOP_FOLDER = "shops"
FIELD = "image"


# --- pixels ---------------------------------------------------------------------------------

def _srgb(image: Image.Image) -> Image.Image:
    """The image's colours in sRGB, so dropping its ICC profile does not shift them."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"),
                                         outputMode=image.mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile: keep the pixels as they are


def _flat_rgb(image: Image.Image) -> Image.Image:
    """RGB pixels only; transparent areas become white rather than black."""
    if image.mode.startswith("I"):  # 16-bit greyscale PNG: keep the tones, in 8 bits
        image = image.convert("I").point(lambda v: v / 256).convert("L")
    elif image.mode == "CMYK":
        image = image.convert("RGB")
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    image = image.convert("RGBA" if has_alpha else "RGB")
    image = _srgb(image)
    if has_alpha:
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    image.info = {}  # nothing from the upload (EXIF, ICC, comments) rides along
    return image


def _shrunk(image: Image.Image, max_side: int) -> Image.Image:
    copy = image.copy()
    copy.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    copy.info = {}
    return copy


@dataclass(frozen=True)
class PreparedImage:
    """A checked upload, re-encoded and ready to store: nothing of it is written yet."""

    display: bytes
    thumb: bytes
    size: tuple[int, int]


def prepare_image(data: bytes) -> PreparedImage:
    """Display JPEG and thumbnail WebP from an uploaded file's bytes.

    Raises ValidationFailed (not a JPEG/PNG/WebP, unreadable, too many pixels).
    """
    image = open_image(data, FIELD)
    try:
        image = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError):
        pass  # an unreadable EXIF block: keep the pixels as they are
    image = _flat_rgb(image)
    display = _shrunk(image, DISPLAY_MAX_SIDE)
    thumb = _shrunk(image, THUMB_MAX_SIDE)
    return PreparedImage(reencode_image(display, "JPEG"), reencode_image(thumb, "WEBP"), display.size)


def max_upload_bytes() -> int:
    return current_app.config["PRODUCT_IMAGE_MAX_BYTES"]


def prepare_upload(stream) -> PreparedImage:
    """Read a file-like STREAM (capped at the photo size limit) and prepare it.

    Raises ValidationFailed on field "image" (empty, too large, not an image, too many pixels).
    """
    return prepare_image(read_capped(stream, max_upload_bytes(), FIELD))


def store_file(data: bytes, folder: str, extension: str, stored_keys: list[str]) -> str:
    """Save DATA under a new random key and append the key to STORED_KEYS, so a caller whose
    transaction fails can delete the file again (see discard_files)."""
    key = storage().save(data, folder=folder, extension=extension)
    stored_keys.append(key)
    return key


def store_images(product_id: int, prepared: list[PreparedImage], first_position: int, stored_keys: list[str]) -> None:
    """Save PREPARED photos' files and add their rows to the session, without committing.

    Every key written is appended to STORED_KEYS (see store_file).
    """
    for offset, photo in enumerate(prepared):
        display_key = store_file(photo.display, FOLDER, "jpg", stored_keys)
        thumb_key = store_file(photo.thumb, FOLDER, "webp", stored_keys)
        width, height = photo.size
        db.session.add(ProductImage(product_id=product_id, position=first_position + offset,
                                    display_key=display_key, thumb_key=thumb_key, width=width, height=height))


# --- use cases ------------------------------------------------------------------------------

def _own_product(owner: User, product_id: int, *, lock: bool = False) -> Product:
    query = (sa.select(Product).join(Shop, Product.shop_id == Shop.id)
             .where(Product.id == product_id, Shop.owner_id == owner.id))
    if lock:
        # Serialises uploads and reorders of one product on PostgreSQL (the 8-photo limit,
        # positions); NO KEY UPDATE leaves rows that merely reference the product unblocked.
        query = query.with_for_update(of=Product, key_share=True)
    product = db.session.scalar(query)
    if product is None:
        raise NotFound(_("Product not found."))
    return product


def _image_count(product_id: int) -> tuple[int, int]:
    """(number of photos, next free position) of a product."""
    count, last = db.session.execute(
        sa.select(sa.func.count(ProductImage.id), sa.func.max(ProductImage.position))
        .where(ProductImage.product_id == product_id)
    ).one()
    return count, (last + 1 if last is not None else 0)


def _check_room(count: int, adding: int = 1) -> None:
    if count + adding > MAX_IMAGES_PER_PRODUCT:
        raise ValidationFailed(
            _("A product can have at most %(count)d photos. Delete one first.", count=MAX_IMAGES_PER_PRODUCT),
            field=FIELD,
        )


def discard_files(keys: list[str]) -> None:
    """Delete stored files, logging (not raising) what cannot be deleted."""
    for key in keys:
        try:
            storage().delete(key)
        except OSError:
            current_app.logger.warning("Could not delete stored file %s", key, exc_info=True)


def add_product_images(owner: User, product_id: int, streams: list) -> list[ProductImage]:
    """The shop's owner adds photos (file-like STREAMS) after the product's other photos.

    Every file is checked before anything is stored: one bad file adds none of them.
    Raises NotFound (no such product in the owner's shop), ValidationFailed on field "image"
    (no file, more than 8 photos in all, an empty or too large file, not a JPEG/PNG/WebP
    image, too many pixels).
    """
    if not streams:
        raise ValidationFailed(_("Choose a photo."), field=FIELD)
    product = _own_product(owner, product_id)
    _check_room(_image_count(product.id)[0], len(streams))  # answer early, before the costly decoding
    prepared = [prepare_upload(stream) for stream in streams]

    product = _own_product(owner, product_id, lock=True)
    count, position = _image_count(product.id)
    _check_room(count, len(prepared))  # again under the lock: another upload may have finished meanwhile
    keys: list[str] = []
    try:
        with atomic():
            store_images(product.id, prepared, position, keys)
    except Exception:
        discard_files(keys)
        raise
    return db.session.scalars(
        sa.select(ProductImage).where(ProductImage.product_id == product.id, ProductImage.position >= position)
        .order_by(ProductImage.position)
    ).all()


def add_product_image(owner: User, product_id: int, stream) -> ProductImage:
    """One photo: see add_product_images."""
    return add_product_images(owner, product_id, [stream])[0]


def delete_product_image(owner: User, product_id: int, image_id: int) -> None:
    """The shop's owner removes a photo of one product; its files go once the deletion is committed.

    Raises NotFound (no such photo on that product of the owner's shop).
    """
    image = db.session.scalar(
        sa.select(ProductImage).join(Product, ProductImage.product_id == Product.id)
        .join(Shop, Product.shop_id == Shop.id)
        .where(ProductImage.id == image_id, Product.id == product_id, Shop.owner_id == owner.id)
    )
    if image is None:
        raise NotFound(_("Photo not found."))
    keys = [image.display_key, image.thumb_key]
    db.session.delete(image)
    commit()
    discard_files(keys)


def reorder_product_images(owner: User, product_id: int, image_ids: list[int]) -> list[ProductImage]:
    """Put the product's photos in the order of IMAGE_IDS (the first is the cover photo).

    IMAGE_IDS must name every photo of the product exactly once. Returns the photos in their
    new order. Raises NotFound (no such product in the owner's shop), ValidationFailed on
    field "images" (ids missing, repeated or of another product).
    """
    product = _own_product(owner, product_id, lock=True)
    images = {image.id: image for image in db.session.scalars(
        sa.select(ProductImage).where(ProductImage.product_id == product.id)
    )}
    wanted = list(image_ids)
    if len(wanted) != len(images) or set(wanted) != set(images):
        raise ValidationFailed(_("List each photo of this product exactly once."), field="images")
    for position, image_id in enumerate(wanted):
        images[image_id].position = position
    commit()
    return [images[image_id] for image_id in wanted]


MOVES = ("first", "earlier", "later")


def move_product_image(owner: User, product_id: int, image_id: int, to: str) -> list[ProductImage]:
    """Move one photo of the owner's product: to "first" (the cover photo), one place "earlier"
    or one place "later". Returns the photos in their new order.

    Raises NotFound (no such photo on the owner's product), ValidationFailed (unknown move).
    """
    if to not in MOVES:
        raise ValidationFailed(_("Unknown move."), field="images")
    product = _own_product(owner, product_id)
    order = list(db.session.scalars(
        sa.select(ProductImage.id).where(ProductImage.product_id == product.id)
        .order_by(ProductImage.position, ProductImage.id)
    ))
    if image_id not in order:
        raise NotFound(_("Photo not found."))
    index = order.index(image_id)
    order.pop(index)
    order.insert({"first": 0, "earlier": max(index - 1, 0), "later": index + 1}[to], image_id)
    return reorder_product_images(owner, product_id, order)
