"""The public catalogue one page at a time, for the HTML catalogue and `GET /api/v1/products`.

Pages are reached by cursor: each page hands out `next_cursor` (and `prev_cursor`), which the
HTML "Next"/"Previous" links and the API's `Link` header carry. For the `newest` and price sorts
(and the default listing, which is `newest`) a cursor holds the sort key of the last row shown,
so every page is an index range scan that costs what page 1 costs, however deep (keyset
pagination, see core/pagination.py). `page=N` keeps working for old links and clients; it is
OFFSET, so its cost grows with N.

Relevance-ranked search results keep OFFSET, also behind their cursors: ranking has to score
every match before the first row can be returned, so the cost is in the match, not the offset,
and a rank (a float recomputed per query) is no stable key to seek on. Measured at 100,000
products (bench/catalog_bench.py): a word that matches ~2,700 products pages in ~12 ms on
SQLite and ~30 ms on PostgreSQL, and deep pages add little to that. A word in a third of the
catalogue ("tulis", 39,000 matches) costs ~90 ms on SQLite and ~300 ms on PostgreSQL on any
page, OFFSET or not: that is the ranking, which keyset paging would not change.

Every page also reports the total: the count reads a covering index instead of the product
rows (`ix_products_catalogue`), which made it ~10x cheaper at 100,000 products.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from marketplace.catalog import queries
from marketplace.core.pagination import (
    CursorError, Position, count_rows, decode_cursor, encode_cursor, key_value, read_seek_keys,
    seek_condition,
)
from marketplace.extensions import db

MAX_PAGE = 100_000


@dataclass
class CataloguePage:
    items: list = field(default_factory=list)
    page: int = 1
    per_page: int = 24
    total: int = 0
    next_cursor: str | None = None
    prev_cursor: str | None = None

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def meta(self) -> dict:
        return {"page": self.page, "per_page": self.per_page, "total": self.total, "pages": self.pages,
                "next_cursor": self.next_cursor, "prev_cursor": self.prev_cursor}


def read_cursor(token: str, *, sort: str = "relevance", q: str | None = None) -> Position:
    """The position a cursor of this listing points at. Raises CursorError for a cursor that is
    not one of ours, or that was made for another order (another sort, or search words added or
    removed under `relevance`)."""
    payload = decode_cursor(token)
    order = queries.effective_sort(sort, q)
    if payload.get("o") != order:
        raise CursorError("order")
    page = payload.get("p")
    if type(page) is not int or not 1 <= page <= MAX_PAGE:
        raise CursorError("page")
    if order == queries.RANK:
        if set(payload) != {"o", "p"}:
            raise CursorError("shape")
        return Position(page=page)
    keys = queries.SORT_KEYS[order]
    parsed, backwards = read_seek_keys(payload, keys, other=frozenset({"o", "p"}))
    return Position(page=page, keys=parsed, backwards=backwards)


def _cursor(order: str, page: int, item=None, *, backwards: bool = False) -> str:
    payload = {"o": order, "p": page}
    if item is not None:
        payload["b" if backwards else "a"] = [
            key_value(key.column, getattr(item, key.column.key)) for key in queries.SORT_KEYS[order]
        ]
    return encode_cursor(payload)


def catalogue_page(*, position: Position | None = None, page: int = 1, per_page: int = 24,
                   **filters) -> CataloguePage:
    """One page of the public catalogue with the buyer's FILTERS (see queries.products_filtered),
    at POSITION (from read_cursor) or else at PAGE, with its total and the cursors of the pages
    around it."""
    query = queries.products_filtered(**filters)
    order = queries.effective_sort(filters.get("sort", "relevance"), filters.get("q"))
    total = count_rows(query)
    if position is not None and position.keys is None:
        page, position = position.page, None
    if order == queries.RANK or position is None:
        # Page 1 of every listing, `page=N` of old links and clients, and ranked search results.
        rows = db.session.scalars(query.limit(per_page + 1).offset((page - 1) * per_page)).unique().all()
        items, has_next = rows[:per_page], len(rows) > per_page
        has_prev = page > 1
    else:
        keys = queries.SORT_KEYS[order]
        sought = query.where(seek_condition(keys, position.keys, backwards=position.backwards))
        if position.backwards:
            sought = sought.order_by(None).order_by(*(key.order(backwards=True) for key in keys))
        rows = db.session.scalars(sought.limit(per_page + 1)).unique().all()
        items, more = rows[:per_page], len(rows) > per_page
        page = position.page
        if position.backwards:
            if not more:
                # Back at the start of the list (perhaps sooner than the page number says, if
                # products were removed meanwhile): show the real first page, full.
                return catalogue_page(per_page=per_page, **filters)
            items.reverse()
            page = max(page, 2)  # there is at least one page before this one
            has_next = has_prev = True
        else:
            has_next, has_prev = more, True
    result = CataloguePage(items=items, page=page, per_page=per_page, total=total)
    keyset = order != queries.RANK
    if items and has_next:
        result.next_cursor = _cursor(order, page + 1, items[-1] if keyset else None)
    if items and has_prev and page > 1:
        result.prev_cursor = _cursor(order, page - 1, items[0] if keyset else None, backwards=keyset)
    return result
