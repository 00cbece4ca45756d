"""Named catalogue queries: what buyers may see, filtered and sorted, as select()s."""
from __future__ import annotations

import sqlalchemy as sa

from marketplace.catalog import search
from marketplace.catalog.models import BATIK_TECHNIQUES, Product, ProductStatus, Shop, ShopStatus, Variant
from marketplace.programs.models import Graduation, GraduationStatus, TrainingProgram

SORTS = ("relevance", "newest", "price_asc", "price_desc")


def public_products():
    """Active products of active shops."""
    return (
        sa.select(Product).join(Product.shop)
        .where(Product.status == ProductStatus.ACTIVE.value, Shop.status == ShopStatus.ACTIVE.value)
    )


def products_filtered(*, q=None, category=None, technique=None, motif=None, program=None, province=None,
                      min_price=None, max_price=None, in_stock=None, sort="relevance"):
    """The public catalogue with the buyer's filters. `technique=batik` means any real batik
    technique; printing (imitation batik) never matches a batik filter."""
    query = public_products()
    if category:
        query = query.where(Product.category == category)
    if technique == "batik":
        query = query.where(Product.technique.in_(BATIK_TECHNIQUES))
    elif technique:
        query = query.where(Product.technique == technique)
    if motif:
        query = query.where(sa.func.lower(Product.motif) == motif.strip().lower())
    if province:
        query = query.where(Shop.province == province)
    if min_price is not None:
        query = query.where(Product.price >= min_price)
    if max_price is not None:
        query = query.where(Product.price <= max_price)
    if in_stock:
        query = query.where(
            sa.exists().where(Variant.product_id == Product.id, Variant.stock > 0)
        )
    if program:
        query = query.where(
            sa.exists().where(
                Graduation.artisan_id == Shop.owner_id,
                Graduation.status == GraduationStatus.VERIFIED.value,
                Graduation.public.is_(True),
                Graduation.program_id == TrainingProgram.id,
                TrainingProgram.slug == program,
            )
        )
    rank = None
    if q and q.strip():
        query, rank = search.apply_search(query, q)
    if sort == "price_asc":
        order = (Product.price.asc(), Product.id.desc())
    elif sort == "price_desc":
        order = (Product.price.desc(), Product.id.desc())
    elif sort == "relevance" and rank is not None:
        order = (rank.desc(), Product.id.desc())
    else:
        order = (Product.created_at.desc(), Product.id.desc())
    return query.order_by(*order)

