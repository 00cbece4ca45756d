"""Pagination for the API and the catalogue: page/per_page (OFFSET) with a `meta` object in the
body and X-Total-Count, and keyset (seek) pagination with opaque cursors for long lists."""
from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

import marshmallow as ma
import sqlalchemy as sa
from flask import request, url_for

from marketplace.core.fields import WholeNumber
from marketplace.core.times import as_utc
from marketplace.extensions import db

DEFAULT_PER_PAGE = 24
MAX_PER_PAGE = 100


class PageQuery(ma.Schema):
    page = WholeNumber(load_default=1, validate=ma.validate.Range(min=1, max=100_000))
    per_page = WholeNumber(
        load_default=DEFAULT_PER_PAGE, validate=ma.validate.Range(min=1, max=MAX_PER_PAGE)
    )


class PageMeta(ma.Schema):
    page = ma.fields.Integer(required=True)
    per_page = ma.fields.Integer(required=True)
    total = ma.fields.Integer(required=True)
    pages = ma.fields.Integer(required=True)


def page_envelope(item_schema: type[ma.Schema], name: str,
                  meta: type[ma.Schema] = PageMeta) -> type[ma.Schema]:
    """A response schema `{"items": [...], "meta": {...}}` for ITEM_SCHEMA."""
    return ma.Schema.from_dict(
        {"items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
         "meta": ma.fields.Nested(meta, required=True)},
        name=name,
    )


def paginate(query: sa.Select, page: int, per_page: int) -> tuple[dict, dict]:
    """Run QUERY for one page. Returns (body, headers)."""
    total = count_rows(query)
    items = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique().all()
    meta = {"page": page, "per_page": per_page, "total": total,
            "pages": max(1, math.ceil(total / per_page))}
    return {"items": items, "meta": meta}, {"X-Total-Count": str(total)}


# --- keyset (seek) pagination -----------------------------------------------------------------
#
# OFFSET makes the database produce and throw away every row before the page, so page 300 costs
# 300 pages. A keyset page starts right after the last row the client saw instead: the sort
# columns (ending with a unique one) of that row are carried in an opaque cursor, and the page is
# `WHERE (sort key) after (cursor) ORDER BY sort key LIMIT n` — one index range scan, whatever
# the depth. Cursors are not secret and not signed: a tampered one can only move the client to
# another position in a list it may read anyway, so it is validated for shape and type only.

MAX_CURSOR_LENGTH = 512


class CursorError(ValueError):
    """A cursor this server did not hand out, or one handed out for another sort."""


@dataclass(frozen=True)
class SortKey:
    """One column of a keyset sort; the last key of a sort must be unique (the primary key)."""
    column: sa.ColumnElement
    descending: bool = False

    def order(self, backwards: bool = False):
        return self.column.desc() if self.descending != backwards else self.column.asc()


@dataclass(frozen=True)
class Position:
    """Where a page starts: after (or, going back, before) the row whose sort key is `keys`,
    or at `page` by OFFSET when `keys` is None."""
    page: int = 1
    keys: tuple | None = None
    backwards: bool = False


def encode_cursor(payload: dict) -> str:
    """urlsafe base64 (no padding) of compact JSON."""
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(token: str) -> dict:
    """The JSON object inside TOKEN. Raises CursorError for anything else."""
    if not isinstance(token, str) or not token or len(token) > MAX_CURSOR_LENGTH:
        raise CursorError("length")
    try:
        raw = base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True)
        payload = json.loads(raw)
    except (ValueError, binascii.Error) as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise CursorError("encoding") from error
    if not isinstance(payload, dict):
        raise CursorError("shape")
    return payload


def key_value(column: sa.ColumnElement, value):
    """A sort key value as it travels in a cursor (JSON): times in UTC ISO 8601, numbers as is."""
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    return value


def parse_key_value(column: sa.ColumnElement, value):
    """The inverse of key_value for COLUMN's type. Raises CursorError for a value of another type."""
    if isinstance(column.type, sa.DateTime):
        if not isinstance(value, str) or len(value) > 40:
            raise CursorError("time")
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError as error:
            raise CursorError("time") from error
        if parsed.tzinfo is None:
            raise CursorError("time")
        return parsed.astimezone(timezone.utc)
    if isinstance(column.type, sa.Integer):
        # The column's own range: PostgreSQL refuses to compare an INTEGER with a parameter
        # beyond it ("integer out of range") rather than finding no row.
        bits = 64 if isinstance(column.type, sa.BigInteger) else 32
        if type(value) is not int or not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
            raise CursorError("integer")
        return value
    raise CursorError("unsupported key type")


def read_seek_keys(payload: dict, keys: Sequence[SortKey], *, other: frozenset = frozenset()) -> tuple[tuple, bool]:
    """The sort key values a keyset cursor carries and whether it pages backwards.

    "a": the page starts after the row with these keys; "b": it ends before it (going back).
    OTHER names the cursor's other fields. Raises CursorError for any other shape.
    """
    if set(payload) not in (other | {"a"}, other | {"b"}):
        raise CursorError("shape")
    direction = "a" if "a" in payload else "b"
    values = payload[direction]
    if not isinstance(values, list) or len(values) != len(keys):
        raise CursorError("keys")
    return tuple(parse_key_value(key.column, value) for key, value in zip(keys, values)), direction == "b"


def seek_condition(keys: Sequence[SortKey], values: Sequence, *, backwards: bool = False):
    """Rows strictly after VALUES in the order of KEYS (strictly before them when BACKWARDS).

    Written as `k1 >= v1 AND (k1 > v1 OR (k1 = v1 AND k2 > v2) ...)` (with < for descending
    keys): the redundant leading bound is what lets both SQLite and PostgreSQL start an index
    range scan at the cursor, also when the keys mix directions (price ascending, id descending),
    which a row-value comparison `(k1, k2) > (v1, v2)` could not express."""
    def after(key: SortKey, value, strict: bool):
        forward = key.descending == backwards  # ascending order read forwards, or descending backwards
        if forward:
            return key.column > value if strict else key.column >= value
        return key.column < value if strict else key.column <= value

    branches = []
    for i, (key, value) in enumerate(zip(keys, values)):
        equal = [k.column == v for k, v in zip(keys[:i], values[:i])]
        branches.append(sa.and_(*equal, after(key, value, strict=True)))
    return sa.and_(after(keys[0], values[0], strict=False), sa.or_(*branches))


def count_rows(query: sa.Select) -> int:
    """How many rows QUERY returns (without its ORDER BY)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))


def link_header(links: dict[str, str | None]) -> dict[str, str]:
    """An RFC 8288 `Link` header for {rel: url}; rels without a url are left out."""
    value = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if url)
    return {"Link": value} if value else {}


def cursor_url(endpoint: str, cursor: str | None, **kwargs) -> str | None:
    """The current request's URL on ENDPOINT, with its query string (filters, page size) but at
    CURSOR instead of its own page or cursor; None without a cursor."""
    if cursor is None:
        return None
    args = {k: v for k, v in request.args.items() if k not in ("cursor", "page")}
    return url_for(endpoint, **args, cursor=cursor, **kwargs)
