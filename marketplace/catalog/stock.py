"""Taking and giving back units of a variant, inside the caller's transaction.

Checkout takes units with one conditional UPDATE per variant, so two buyers can never both get
the last unit: the database decides, on SQLite and PostgreSQL alike, and a refused take
changes nothing. Ready stock lowers `stock`; a made-to-order variant instead fills places up to
its cap (`made_to_order_open`), which are freed when the parcel ships or the order is cancelled.
None of these commit: the caller's service does, together with the order that needs the units.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from marketplace.catalog.models import Product, ProductStatus, Shop, ShopStatus, Variant
from marketplace.core.errors import OutOfStock
from marketplace.extensions import db


def purchasable_variants(variant_ids) -> dict[int, Variant]:
    """The variants among VARIANT_IDS that a buyer may order now (live variant of an active
    product in a public shop), with product and shop loaded; the others are left out."""
    ids = {int(i) for i in variant_ids}
    if not ids:
        return {}
    rows = db.session.scalars(
        sa.select(Variant).join(Variant.product).join(Product.shop)
        .where(Variant.id.in_(ids), Variant.archived_at.is_(None),
               Product.status == ProductStatus.ACTIVE.value, Shop.status == ShopStatus.ACTIVE.value)
        .options(sa.orm.contains_eager(Variant.product).contains_eager(Product.shop))
    ).all()
    return {variant.id: variant for variant in rows}


def take_stock(variant: Variant, quantity: int) -> None:
    """Hold QUANTITY units of VARIANT for an order. Raises OutOfStock naming the item when
    fewer are left; nothing is changed then."""
    table = Variant.__table__
    if variant.made_to_order:
        statement = (table.update()
                     .where(table.c.id == variant.id, table.c.archived_at.is_(None),
                            table.c.made_to_order_open + quantity <= table.c.made_to_order_cap)
                     .values(made_to_order_open=table.c.made_to_order_open + quantity))
    else:
        statement = (table.update()
                     .where(table.c.id == variant.id, table.c.archived_at.is_(None), table.c.stock >= quantity)
                     .values(stock=table.c.stock - quantity))
    if db.session.execute(statement).rowcount != 1:
        db.session.refresh(variant)
        raise OutOfStock(_("Only %(count)d left of %(item)s.", count=variant.available,
                           item=_item_label(variant)), field="items")
    db.session.expire(variant, ["stock", "made_to_order_open"])


def return_stock(variant_id: int, quantity: int, made_to_order: bool) -> None:
    """Give back units held by an order that will not ship (cancelled or expired)."""
    table = Variant.__table__
    if made_to_order:
        values = {"made_to_order_open": sa.func.max(table.c.made_to_order_open - quantity, 0)
                  if db.engine.dialect.name == "sqlite"
                  else sa.func.greatest(table.c.made_to_order_open - quantity, 0)}
    else:
        values = {"stock": table.c.stock + quantity}
    db.session.execute(table.update().where(table.c.id == variant_id).values(**values))


def release_made_to_order(variant_id: int, quantity: int) -> None:
    """A made-to-order piece has shipped: its place under the cap is free again."""
    return_stock(variant_id, quantity, made_to_order=True)


def _item_label(variant: Variant) -> str:
    product = variant.product
    if len(product.live_variants) > 1:
        return f"“{product.title}” ({variant.name})"
    return f"“{product.title}”"
