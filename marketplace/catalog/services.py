"""Shop use cases."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from slugify import slugify

from marketplace.accounts.models import Role, User
from marketplace.catalog.models import Shop
from marketplace.core.errors import Conflict, NotFound, ValidationFailed
from marketplace.core.regions import PROVINCES
from marketplace.core.transaction import commit
from marketplace.extensions import db

SHOP_FIELDS = ("name", "story", "city", "province", "shipping_origin")


def _validate_shop(values: dict) -> None:
    if not (values.get("name") or "").strip():
        raise ValidationFailed(_("Enter a shop name."), field="name")
    if values.get("province") not in PROVINCES:
        raise ValidationFailed(_("Choose a province."), field="province")
    if not (values.get("city") or "").strip():
        raise ValidationFailed(_("Enter your regency or city."), field="city")


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


def open_shop(artisan: User, *, slug: str | None = None, **values) -> Shop:
    """An artisan opens their shop (one per artisan).

    Raises ValidationFailed, Conflict (already has a shop).
    """
    if not artisan.has_role(Role.ARTISAN.value):
        raise ValidationFailed(_("Only artisans can open a shop."), field="name")
    if db.session.scalar(sa.select(Shop.id).filter_by(owner_id=artisan.id)) is not None:
        raise Conflict(_("You already have a shop."), field="name")
    values = {k: (values.get(k) or "").strip() for k in SHOP_FIELDS}
    _validate_shop(values)
    shop = Shop(owner=artisan, slug=_slug_for(values["name"], slug), **values)
    db.session.add(shop)
    commit()
    return shop


def update_shop(artisan: User, *, slug: str | None = None, **values) -> Shop:
    """Edit the artisan's own shop. Raises NotFound (no shop), ValidationFailed."""
    shop = db.session.scalar(sa.select(Shop).filter_by(owner_id=artisan.id))
    if shop is None:
        raise NotFound(_("You have no shop yet."))
    merged = {k: getattr(shop, k) for k in SHOP_FIELDS}
    merged.update({k: (v or "").strip() for k, v in values.items() if k in SHOP_FIELDS and v is not None})
    _validate_shop(merged)
    if slug and slug != shop.slug:
        shop.slug = _slug_for(merged["name"], slug, shop.id)
    for key, value in merged.items():
        setattr(shop, key, value)
    commit()
    return shop
