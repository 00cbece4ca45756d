"""page/per_page pagination for the API: a `meta` object in the body and X-Total-Count."""
from __future__ import annotations

import math

import marshmallow as ma
import sqlalchemy as sa

from marketplace.extensions import db

DEFAULT_PER_PAGE = 24
MAX_PER_PAGE = 100


class PageQuery(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=100_000))
    per_page = ma.fields.Integer(
        load_default=DEFAULT_PER_PAGE, validate=ma.validate.Range(min=1, max=MAX_PER_PAGE)
    )


class PageMeta(ma.Schema):
    page = ma.fields.Integer(required=True)
    per_page = ma.fields.Integer(required=True)
    total = ma.fields.Integer(required=True)
    pages = ma.fields.Integer(required=True)


def page_envelope(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A response schema `{"items": [...], "meta": {...}}` for ITEM_SCHEMA."""
    return ma.Schema.from_dict(
        {"items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
         "meta": ma.fields.Nested(PageMeta, required=True)},
        name=name,
    )


def paginate(query: sa.Select, page: int, per_page: int) -> tuple[dict, dict]:
    """Run QUERY for one page. Returns (body, headers)."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    items = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique().all()
    meta = {"page": page, "per_page": per_page, "total": total,
            "pages": max(1, math.ceil(total / per_page))}
    return {"items": items, "meta": meta}, {"X-Total-Count": str(total)}
