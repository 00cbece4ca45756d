"""Shop and product use cases. Each public function commits once; product writes reindex
the search document in the same transaction."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import format_decimal
from flask_babel import gettext as _
from slugify import slugify

from marketplace.accounts.models import Role, User
from marketplace.catalog import images, search
from marketplace.catalog.models import (
    CATEGORIES, DIMENSION_RANGE, DYES, HANDLING_DAYS_RANGE, LEAD_TIME_RANGE, MADE_TO_ORDER_CAP_RANGE,
    PRICE_RANGE, STOCK_RANGE, TECHNIQUES, WEIGHT_RANGE, Product, ProductStatus, Shop, ShopStatus, Variant,
)
from marketplace.core.errors import Conflict, NotFound, ValidationFailed
from marketplace.core.i18n import format_rupiah
from marketplace.core.numbers import IntRange
from marketplace.core.regions import PROVINCES
from marketplace.core.times import utcnow
from marketplace.core.transaction import atomic, commit
from marketplace.extensions import db

SHOP_FIELDS = ("name", "story", "city", "province", "shipping_origin")


def _validate_shop(values: dict, handling_days: int | None) -> None:
    if not (values.get("name") or "").strip():
        raise ValidationFailed(_("Enter a shop name."), field="name")
    if values.get("province") not in PROVINCES:
        raise ValidationFailed(_("Choose a province."), field="province")
    if not (values.get("city") or "").strip():
        raise ValidationFailed(_("Enter your regency or city."), field="city")
    if handling_days is not None and handling_days not in HANDLING_DAYS_RANGE:
        raise ValidationFailed(_range_error(_("Enter the days you need, from %(min)s to %(max)s."),
                                            HANDLING_DAYS_RANGE), field="handling_days")


def _range_error(message: str, allowed: IntRange) -> str:
    """MESSAGE (a translated text with %(min)s and %(max)s) filled in with ALLOWED's bounds."""
    return message % {"min": format_decimal(allowed.minimum), "max": format_decimal(allowed.maximum)}


def _slug_for(name: str, wanted: str | None, shop_id: int | None = None) -> str:
    slug = slugify(wanted or name)[:80] or "toko"
    taken = db.session.scalar(sa.select(Shop.id).where(Shop.slug == slug, Shop.id != (shop_id or 0)))
    if taken is not None:
        if wanted:
            raise ValidationFailed(_("Another shop already uses this address."), field="slug")
        base, n = slug[:75], 2
        while db.session.scalar(sa.select(Shop.id).filter_by(slug=slug)) is not None:
            slug, n = f"{base}-{n}", n + 1
    return slug


def _save_shop(shop: Shop, photo: images.PreparedImage | None) -> None:
    """Commit SHOP, with PHOTO (checked by images.prepare_upload) as its new photo if given.

    The old photo's file is deleted once the new one is committed; a failed commit deletes
    the new file instead.
    """
    stored: list[str] = []
    old_key = shop.photo_key if photo else None
    try:
        if photo:
            shop.photo_key = images.store_file(photo.display, images.SHOP_FOLDER, "jpg", stored)
        commit()
    except Exception:
        images.discard_files(stored)
        raise
    if old_key:
        images.discard_files([old_key])


def open_shop(artisan: User, *, slug: str | None = None, photo: images.PreparedImage | None = None,
              handling_days: int | None = None, **values) -> Shop:
    """An artisan opens their shop (one per artisan), with an optional PHOTO of the maker or
    the workshop (checked by images.prepare_upload) and the HANDLING_DAYS they need to hand
    ready stock to the courier (2 unless given).

    Raises ValidationFailed, Conflict (already has a shop).
    """
    if not artisan.has_role(Role.ARTISAN.value):
        raise ValidationFailed(_("Only artisans can open a shop."), field="name")
    if db.session.scalar(sa.select(Shop.id).filter_by(owner_id=artisan.id)) is not None:
        raise Conflict(_("You already have a shop."), field="name")
    values = {k: (values.get(k) or "").strip() for k in SHOP_FIELDS}
    _validate_shop(values, handling_days)
    shop = Shop(owner=artisan, slug=_slug_for(values["name"], slug), **values)
    if handling_days is not None:
        shop.handling_days = handling_days
    db.session.add(shop)
    _save_shop(shop, photo)
    return shop


def update_shop(artisan: User, *, slug: str | None = None, photo: images.PreparedImage | None = None,
                handling_days: int | None = None, **values) -> Shop:
    """Edit the artisan's own shop; a PHOTO replaces the old one, HANDLING_DAYS the old ones.
    Raises NotFound (no shop), ValidationFailed."""
    shop = db.session.scalar(sa.select(Shop).filter_by(owner_id=artisan.id))
    if shop is None:
        raise NotFound(_("You have no shop yet."))
    merged = {k: getattr(shop, k) for k in SHOP_FIELDS}
    merged.update({k: (v or "").strip() for k, v in values.items() if k in SHOP_FIELDS and v is not None})
    _validate_shop(merged, handling_days)
    if slug and slug != shop.slug:
        shop.slug = _slug_for(merged["name"], slug, shop.id)
    if handling_days is not None:
        shop.handling_days = handling_days
    renamed = merged["name"] != shop.name
    for key, value in merged.items():
        setattr(shop, key, value)
    if renamed:  # the shop name is part of every product's search document
        db.session.flush()
        search.index_shop(shop.id)
    _save_shop(shop, photo)
    return shop


# --- products ------------------------------------------------------------------------------

PRODUCT_FIELDS = (
    "title", "description", "category", "technique", "motif", "motif_story", "material", "dye",
    "length_cm", "width_cm", "weight_g", "price", "batikmark_number",
)
MAX_VARIANTS = 30


def _own_shop(artisan: User) -> Shop:
    shop = db.session.scalar(sa.select(Shop).filter_by(owner_id=artisan.id))
    if shop is None:
        raise ValidationFailed(_("Open your shop before adding products."), field="shop")
    return shop


def owned_product(owner: User, product_id: int) -> Product:
    """The owner's product; anyone else's (or a missing one) is NotFound."""
    product = db.session.scalar(
        sa.select(Product).join(Product.shop).where(Product.id == product_id, Shop.owner_id == owner.id)
    )
    if product is None:
        raise NotFound(_("Product not found."))
    return product


def _validate_product(values: dict) -> None:
    if not (values.get("title") or "").strip():
        raise ValidationFailed(_("Enter a title."), field="title")
    if values.get("category") not in CATEGORIES:
        raise ValidationFailed(_("Choose a category."), field="category")
    if values.get("technique") not in TECHNIQUES:
        raise ValidationFailed(_("Choose a technique."), field="technique")
    if values.get("dye") not in (None, "", *DYES):
        raise ValidationFailed(_("Choose natural or synthetic dye."), field="dye")
    if values.get("price") not in PRICE_RANGE:
        raise ValidationFailed(_price_error(), field="price")
    if values.get("weight_g") not in WEIGHT_RANGE:
        raise ValidationFailed(_("Enter the weight in grams, from %(min)s to %(max)s.",
                                 min=format_decimal(WEIGHT_RANGE.minimum), max=format_decimal(WEIGHT_RANGE.maximum)),
                               field="weight_g")
    for field in ("length_cm", "width_cm"):
        if values.get(field) is not None and values[field] not in DIMENSION_RANGE:
            raise ValidationFailed(_("Enter centimetres, from %(min)s to %(max)s.",
                                     min=format_decimal(DIMENSION_RANGE.minimum),
                                     max=format_decimal(DIMENSION_RANGE.maximum)), field=field)


def _price_error() -> str:
    return _("Enter a price from %(min)s to %(max)s.", min=format_rupiah(PRICE_RANGE.minimum),
             max=format_rupiah(PRICE_RANGE.maximum))


@dataclass
class _VariantRow:
    """One variant as the seller asks for it, checked. `stock` None leaves a kept variant's stock
    as it is; `expected_stock` is the stock the seller saw before changing it."""

    variant: Variant | None  # None: a new variant
    name: str
    price: int | None
    made_to_order: bool
    lead_time_days: int | None
    made_to_order_cap: int | None
    stock: int | None
    expected_stock: int | None


def _variant_row(spec: dict, variant: Variant | None) -> tuple[_VariantRow | None, dict]:
    """SPEC checked, with what it leaves out taken from VARIANT (the kept variant it names), and
    the errors of this row by key."""
    def given(key, default=None):
        if key in spec:
            return spec[key]
        return getattr(variant, key) if variant is not None else default

    errors: dict[str, list[str]] = {}
    name = (given("name") or "").strip()
    if not name:
        errors["name"] = [_("Every variant needs a name.")]
    price = given("price")
    if price is not None and price not in PRICE_RANGE:
        errors["price"] = [_price_error()]
    made_to_order = given("made_to_order", False) is True
    lead_time_days = made_to_order_cap = None
    stock, expected_stock = spec.get("stock"), spec.get("expected_stock")
    if made_to_order:
        # Nothing is made ahead: no ready stock, whatever was typed in the stock box.
        lead_time_days, made_to_order_cap = given("lead_time_days"), given("made_to_order_cap")
        stock, expected_stock = 0, None
        if lead_time_days not in LEAD_TIME_RANGE:
            errors["lead_time_days"] = [_range_error(
                _("Enter the days you need to make one, from %(min)s to %(max)s."), LEAD_TIME_RANGE)]
        if made_to_order_cap not in MADE_TO_ORDER_CAP_RANGE:
            errors["made_to_order_cap"] = [_range_error(
                _("Enter how many pieces you take on at once, from %(min)s to %(max)s."), MADE_TO_ORDER_CAP_RANGE)]
    elif stock is None:
        if variant is None:
            errors["stock"] = [_("Enter the stock (0 if sold out).")]
    elif stock not in STOCK_RANGE:
        errors["stock"] = [_range_error(_("Stock must be a whole number from %(min)s to %(max)s."), STOCK_RANGE)]
    elif variant is not None and expected_stock not in STOCK_RANGE:
        errors["expected_stock"] = [_("Send expected_stock, the stock you last read, with a new stock: "
                                      "a sale made meanwhile must not be undone.")]
    if errors:
        return None, errors
    return _VariantRow(variant, name[:80], price, made_to_order, lead_time_days, made_to_order_cap,
                       stock, expected_stock), {}


def _apply_variants(product: Product, variants: list[dict]) -> None:
    """Make VARIANTS the product's live variants, in their order.

    A spec with an `id` edits that live variant (keys it leaves out keep their value); one
    without adds a variant. A new `stock` for a kept variant comes with `expected_stock`, the
    stock the seller saw, and is written only if the stock is still that: one conditional
    UPDATE, since a checkout may commit between our read and our write. Live variants left out
    are archived, never deleted: orders point at them. Names are unique among live variants.

    Raises ValidationFailed, Conflict (a stock changed meanwhile); errors about one variant are
    under `variants` by its index in VARIANTS.
    """
    if not variants:
        raise ValidationFailed(_("A product needs at least one variant."), field="variants")
    if len(variants) > MAX_VARIANTS:
        raise ValidationFailed(_("At most %(n)d variants.", n=MAX_VARIANTS), field="variants")
    live = {v.id: v for v in product.live_variants}
    rows: list[_VariantRow] = []
    errors: dict[int, dict] = {}
    named: set[int] = set()
    for index, spec in enumerate(variants):
        variant = live.get(spec["id"]) if spec.get("id") else None
        if spec.get("id") and (variant is None or variant.id in named):
            errors[index] = {"id": [_("Unknown variant.") if variant is None else _("List each variant once.")]}
            continue
        if variant is not None:
            named.add(variant.id)
        row, row_errors = _variant_row(spec, variant)
        if row_errors:
            errors[index] = row_errors
        else:
            rows.append(row)
    if errors:
        raise ValidationFailed(_first_message(errors), errors={"variants": errors})
    names = [row.name.casefold() for row in rows]
    if len(set(names)) != len(names):
        raise ValidationFailed(_("Give each variant its own name."), field="variants")
    _write_variants(product, rows)


def _write_variants(product: Product, rows: list[_VariantRow]) -> None:
    archived_at = utcnow()
    kept = {row.variant.id for row in rows if row.variant is not None}
    for variant in product.live_variants:
        if variant.id not in kept:
            variant.archived_at = archived_at
    stale: dict[int, dict] = {}
    refused: dict[int, dict] = {}
    for position, row in enumerate(rows):
        values = {"name": row.name, "price": row.price, "position": position, "made_to_order": row.made_to_order,
                  "lead_time_days": row.lead_time_days, "made_to_order_cap": row.made_to_order_cap}
        if row.variant is None:
            product.variants.append(Variant(stock=row.stock, **values))
            continue
        guards = [Variant.id == row.variant.id]
        if row.stock is not None:
            values["stock"] = row.stock
            if row.expected_stock is not None:
                guards.append(Variant.stock == row.expected_stock)
        if row.made_to_order_cap is not None:  # the orders' units not yet shipped must fit under it
            guards.append(Variant.made_to_order_open <= row.made_to_order_cap)
        written = db.session.execute(
            sa.update(Variant).where(*guards).values(**values).execution_options(synchronize_session=False)
        ).rowcount
        if written:
            db.session.expire(row.variant)
            continue
        stock, ordered = db.session.execute(
            sa.select(Variant.stock, Variant.made_to_order_open).where(Variant.id == row.variant.id)).one()
        if row.expected_stock is not None and stock != row.expected_stock:
            stale[position] = {"expected_stock": [_(
                "Stock of %(name)s changed meanwhile (now %(stock)s); check and save again.",
                name=row.variant.name, stock=format_decimal(stock))]}
        else:
            refused[position] = {"made_to_order_cap": [_(
                "%(count)s pieces are ordered and not yet shipped: the cap cannot be lower.",
                count=format_decimal(ordered))]}
    if stale:
        raise Conflict(_first_message(stale), errors={"variants": stale | refused})
    if refused:
        raise ValidationFailed(_first_message(refused), errors={"variants": refused})


def _first_message(errors: dict[int, dict]) -> str:
    """The first message of errors by variant index, then key (as marshmallow nests a list's)."""
    return next(iter(errors[min(errors)].values()))[0]


def _product_slug(title: str, product_id: int | None = None) -> str:
    base = slugify(title)[:160] or "produk"
    slug, n = base, 2
    while db.session.scalar(sa.select(Product.id).where(Product.slug == slug, Product.id != (product_id or 0))) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_product(owner: User, *, variants: list[dict] | None = None, status: str = ProductStatus.DRAFT.value,
                   photos: list[images.PreparedImage] = (), **values) -> Product:
    """An artisan lists a product in their shop (draft unless STATUS says active), with up to
    eight PHOTOS already checked by images.prepare_upload; product and photos land together.

    Without variants the product gets one, "Satu ukuran", with stock 1.
    Raises ValidationFailed.
    """
    shop = _own_shop(owner)
    values = {k: values.get(k) for k in PRODUCT_FIELDS}
    for key in ("title", "description", "motif", "motif_story", "material"):
        values[key] = (values[key] or "").strip()
    values["dye"] = values["dye"] or None
    _validate_product(values)
    if status not in (ProductStatus.DRAFT.value, ProductStatus.ACTIVE.value):
        raise ValidationFailed(_("A new product is a draft or active."), field="status")
    if len(photos) > images.MAX_IMAGES_PER_PRODUCT:
        raise ValidationFailed(_("A product can have at most %(count)d photos. Delete one first.",
                                 count=images.MAX_IMAGES_PER_PRODUCT), field=images.FIELD)
    stored: list[str] = []
    try:  # nothing of a refused product may stay in the session, nor its files on disk
        with atomic():
            product = Product(shop=shop, slug=_product_slug(values["title"]), status=status, **values)
            db.session.add(product)
            _apply_variants(product, variants or [{"name": _("One size"), "stock": 1}])
            db.session.flush()
            search.index_product(product.id)
            images.store_images(product.id, list(photos), 0, stored)
    except Exception:
        images.discard_files(stored)
        raise
    return product


def update_product(owner: User, product_id: int, *, variants: list[dict] | None = None, **values) -> Product:
    """Edit an owned product: details, price, status, variants and their stock (see
    _apply_variants: a stock is changed only from the stock the seller saw).

    Raises NotFound (not the owner's), ValidationFailed, Conflict (a stock changed meanwhile).
    """
    product = owned_product(owner, product_id)
    status = values.pop("status", None)
    merged = {k: getattr(product, k) for k in PRODUCT_FIELDS}
    merged.update({k: v for k, v in values.items() if k in PRODUCT_FIELDS})
    _validate_product(merged)
    if status is not None and status not in {s.value for s in ProductStatus}:
        raise ValidationFailed(_("Unknown status."), field="status")
    with atomic():  # a refused variant list must not leave the other changes pending in the session
        for key, value in merged.items():
            setattr(product, key, value)
        if status is not None:
            product.status = status
        if variants is not None:
            _apply_variants(product, variants)
        db.session.flush()
        search.index_product(product.id)
    return product


# --- moderation ----------------------------------------------------------------------------

def suspend_shop(admin: User, shop_id: int, *, reason: str) -> Shop:
    """An admin takes a shop and all its products out of the public catalogue, saying why.

    Raises NotFound, ValidationFailed (no reason).
    """
    if not admin.has_role(Role.ADMIN.value):
        raise NotFound(_("Shop not found."))
    shop = db.session.get(Shop, shop_id)
    if shop is None:
        raise NotFound(_("Shop not found."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the shop is suspended."), field="reason")
    shop.status, shop.suspended_reason = ShopStatus.SUSPENDED.value, reason[:2000]
    commit()
    return shop


def reinstate_shop(admin: User, shop_id: int) -> Shop:
    """Put a suspended shop back in the catalogue. Raises NotFound."""
    if not admin.has_role(Role.ADMIN.value):
        raise NotFound(_("Shop not found."))
    shop = db.session.get(Shop, shop_id)
    if shop is None:
        raise NotFound(_("Shop not found."))
    shop.status, shop.suspended_reason = ShopStatus.ACTIVE.value, None
    commit()
    return shop
