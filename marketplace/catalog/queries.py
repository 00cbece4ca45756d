"""Named catalogue queries: what buyers may see, filtered and sorted, as select()s."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm

from marketplace.catalog import search
from marketplace.extensions import db
from marketplace.catalog.models import (
    BATIK_TECHNIQUES, KNOWN_MOTIFS, Product, ProductStatus, Shop, ShopStatus, Variant, motif_key,
)
from marketplace.core.pagination import SortKey
from marketplace.programs.models import Graduation, TrainingProgram
from marketplace.programs.queries import shown_graduations

SORTS = ("relevance", "newest", "price_asc", "price_desc")

# The order of each sort that pages by keyset, always ending with the unique id so that ties
# (equal prices, equal times) still have one order. Indexes (status, created_at, id) and
# (status, price, id, ...) serve them (see Product.__table_args__).
SORT_KEYS = {
    "newest": (SortKey(Product.created_at, descending=True), SortKey(Product.id, descending=True)),
    "price_asc": (SortKey(Product.price), SortKey(Product.id, descending=True)),
    "price_desc": (SortKey(Product.price, descending=True), SortKey(Product.id, descending=True)),
}
RANK = "rank"  # relevance of a search with words: best match first, paged by OFFSET


def effective_sort(sort: str, q: str | None) -> str:
    """The order a catalogue request gets: RANK for `relevance` with search words, `newest` for
    `relevance` without any, otherwise the sort asked for (a key of SORT_KEYS)."""
    if sort == "relevance":
        return RANK if search.query_terms(q) else "newest"
    return sort


def public_products():
    """Active products of active shops, each loaded with its shop (from the same join)."""
    return (
        sa.select(Product).join(Product.shop)
        .where(Product.status == ProductStatus.ACTIVE.value, Shop.status == ShopStatus.ACTIVE.value)
        # The shop comes from the join above rather than a second, eager join of shops; its owner
        # (and the owner's roles and organization) is not needed to show a product.
        .options(orm.contains_eager(Product.shop).lazyload(Shop.owner))
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
        query = query.where(Product.motif_key == motif_key(motif))
    if province:
        query = query.where(Shop.province == province)
    price = Product.price
    if sort not in ("price_asc", "price_desc") and db.session.get_bind().dialect.name == "sqlite":
        # SQLite would read a price range from the price index and then sort every match by
        # date (100 ms at 100,000 products); `price + 0` is no index term, so it walks the
        # date index and stops after one page. PostgreSQL's statistics choose well by themselves.
        price = Product.price + 0
    if min_price is not None:
        query = query.where(price >= min_price)
    if max_price is not None:
        query = query.where(price <= max_price)
    if in_stock:
        # Orderable now (Variant.available): ready stock, or a made-to-order place; never an
        # archived variant, which stays only for the orders that name it.
        query = query.where(
            sa.exists().where(Variant.product_id == Product.id, Variant.archived_at.is_(None), Variant.available > 0)
        )
    if program:
        # The programs' own rule for what buyers may see, so a private graduation never counts.
        program_id = sa.select(TrainingProgram.id).where(TrainingProgram.slug == program).scalar_subquery()
        shown = shown_graduations().where(Graduation.program_id == program_id)
        query = query.where(Shop.owner_id.in_(shown.with_only_columns(Graduation.artisan_id)))
    order = effective_sort(sort, q)
    if q and q.strip():
        query, rank = search.apply_search(query, q)
    if order == RANK:
        return query.order_by(rank.desc(), Product.id.desc())
    return query.order_by(*(key.order() for key in SORT_KEYS[order]))


def graduate_shops(program_id: int):
    """Open shops whose owner graduated from the program and chose to show it, by name: the
    programs' own rule for what buyers may see (shown_graduations), applied to shops."""
    shown = shown_graduations().where(Graduation.program_id == program_id)
    return Shop.public().where(Shop.owner_id.in_(shown.with_only_columns(Graduation.artisan_id))) \
        .order_by(Shop.name, Shop.id)


def motif_suggestions(limit: int = 80) -> list[str]:
    """Motif names for the listing form: the catalogue's own, most listed first, then the
    classic ones it does not have yet (compared without case)."""
    used = db.session.scalars(
        sa.select(Product.motif).where(Product.status == ProductStatus.ACTIVE.value, Product.motif != "")
        .group_by(Product.motif).order_by(sa.func.count().desc(), Product.motif).limit(limit)
    ).all()
    seen = {motif.casefold() for motif in used}
    return (list(used) + [m for m in KNOWN_MOTIFS if m.casefold() not in seen])[:limit]
