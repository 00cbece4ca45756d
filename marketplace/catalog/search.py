"""Full-text product search: one search document per product, kept in the same transaction as
the product write.

SQLite (the embedded default) keeps the documents in an FTS5 table ranked by bm25; PostgreSQL
in a `tsvector` column with a GIN index ranked by ts_rank. Both tables are created by migration
0004 and are not SQLAlchemy models, so Alembic's autogenerate is told to ignore them
(`alembic_include_name`).

Case and accents are folded here, in Python, for the documents and for the queries alike
("Kéris", "KERIS" and "keris" are one word), so both databases match the same words and
PostgreSQL needs no `unaccent` extension. User input is reduced to word tokens before it reaches
either query language: quotes, `*`, `-`, `NEAR`, `OR`, parentheses or emoji are never syntax.

Nothing here commits: callers (services, the CLI) own the transaction.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import sqlalchemy as sa

from marketplace.catalog.models import BATIK_TECHNIQUES, Product, Shop
from marketplace.extensions import db

SEARCH_TABLE = "product_search"

# bm25 weights on SQLite, in the FTS5 table's column order (see migration 0004). On PostgreSQL
# the same order maps to setweight letters A A B C D (ts_rank's default weights 1, 1, .4, .2, .1).
COLUMNS = ("title", "motif", "technique", "shop_name", "description")
SQLITE_WEIGHTS = (10.0, 8.0, 5.0, 3.0, 1.0)
PG_WEIGHT_LETTERS = ("A", "A", "B", "C", "D")

MAX_TERMS = 8          # more words than this add nothing but cost to a product search
MAX_TERM_LENGTH = 40   # no batik word is longer; a 10,000-letter "word" is not a query
MIN_PREFIX_LENGTH = 2  # "k*" would match half the catalogue
_BATCH = 1000
_WORD = re.compile(r"[^\W_]+")


# --- text -------------------------------------------------------------------------------------

def fold(text: str | None) -> str:
    """Lower-case TEXT and strip its accents: "Batik Kéris" -> "batik keris"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn").lower()


def words(text: str | None) -> list[str]:
    """The folded word tokens of TEXT (letters and digits; everything else separates)."""
    return _WORD.findall(fold(text))


def query_terms(q: str | None) -> list[str]:
    """The search terms of a user's query: at most MAX_TERMS words, each at most MAX_TERM_LENGTH."""
    return [term[:MAX_TERM_LENGTH] for term in words((q or "")[:1000])][:MAX_TERMS]


def technique_text(technique: str | None) -> str:
    """What a technique code is called in a search: "batik tulis"; printing is never "batik"."""
    if not technique:
        return ""
    return f"batik {technique}" if technique in BATIK_TECHNIQUES else technique


def _document(row) -> dict:
    """The indexed text of one (id, title, motif, technique, description, shop_name) row."""
    return {
        "product_id": row.id,
        "title": " ".join(words(row.title)),
        "motif": " ".join(words(row.motif)),
        "technique": " ".join(words(technique_text(row.technique))),
        "shop_name": " ".join(words(row.shop_name)),
        "description": " ".join(words(row.description)),
    }


# --- writing ----------------------------------------------------------------------------------

def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _source_rows() -> sa.Select:
    products, shops = Product.__table__, Shop.__table__
    return (
        sa.select(products.c.id, products.c.title, products.c.motif, products.c.technique,
                  products.c.description, shops.c.name.label("shop_name"))
        .join(shops, shops.c.id == products.c.shop_id)
        .order_by(products.c.id)
    )


_PG_DOCUMENT = " || ".join(
    f"setweight(to_tsvector('simple', CAST(:{column} AS text)), '{letter}')"
    for column, letter in zip(COLUMNS, PG_WEIGHT_LETTERS)
)
_PG_UPSERT = sa.text(
    f"INSERT INTO {SEARCH_TABLE} (product_id, document) VALUES (:product_id, {_PG_DOCUMENT}) "
    "ON CONFLICT (product_id) DO UPDATE SET document = EXCLUDED.document"
)
_SQLITE_INSERT = sa.text(
    f"INSERT INTO {SEARCH_TABLE} (rowid, {', '.join(COLUMNS)}) "
    f"VALUES (:product_id, {', '.join(':' + c for c in COLUMNS)})"
)
_SQLITE_DELETE = sa.text(f"DELETE FROM {SEARCH_TABLE} WHERE rowid = :product_id")
_PG_DELETE = sa.text(f"DELETE FROM {SEARCH_TABLE} WHERE product_id = :product_id")


def _delete(product_ids: Iterable[int]) -> None:
    params = [{"product_id": product_id} for product_id in product_ids]
    if params:
        db.session.execute(_SQLITE_DELETE if _dialect() == "sqlite" else _PG_DELETE, params)


def _write(rows: list) -> None:
    """Replace the documents of ROWS (see _source_rows)."""
    if not rows:
        return
    documents = [_document(row) for row in rows]
    if _dialect() == "sqlite":
        # FTS5 has no upsert: delete, then insert.
        _delete(document["product_id"] for document in documents)
        db.session.execute(_SQLITE_INSERT, documents)
    else:
        db.session.execute(_PG_UPSERT, documents)


def index_product(product_id: int) -> None:
    """(Re)write the search document of one product from the database's current state, or
    remove it when the product no longer exists. Flushes, never commits: call it inside the
    transaction that writes the product."""
    db.session.flush()
    rows = db.session.execute(_source_rows().where(Product.__table__.c.id == product_id)).all()
    if rows:
        _write(rows)
    else:
        _delete([product_id])


def index_shop(shop_id: int) -> None:
    """Reindex every product of a shop (its name is part of each document). Never commits."""
    db.session.flush()
    products = Product.__table__
    last_id = 0
    while rows := db.session.execute(
        _source_rows().where(products.c.shop_id == shop_id, products.c.id > last_id).limit(_BATCH)
    ).all():
        _write(rows)
        last_id = rows[-1].id


def rebuild_index() -> int:
    """Rebuild every search document from the products table; returns how many were written.
    Never commits (the CLI command does)."""
    db.session.flush()
    sqlite = _dialect() == "sqlite"
    db.session.execute(sa.text(f"DELETE FROM {SEARCH_TABLE}"))
    products = Product.__table__
    count, last_id = 0, 0
    while rows := db.session.execute(
        _source_rows().where(products.c.id > last_id).limit(_BATCH)
    ).all():
        documents = [_document(row) for row in rows]
        db.session.execute(_SQLITE_INSERT if sqlite else _PG_UPSERT, documents)
        count += len(rows)
        last_id = rows[-1].id
    if sqlite:
        # Merge the index segments written batch by batch into one: faster queries afterwards.
        db.session.execute(sa.text(f"INSERT INTO {SEARCH_TABLE} ({SEARCH_TABLE}) VALUES ('optimize')"))
    return count


# --- reading ----------------------------------------------------------------------------------

def apply_search(query: sa.Select, q: str | None) -> tuple[sa.Select, sa.ColumnElement]:
    """Restrict QUERY (a select over Product) to the products matching every word of Q, the
    last word also as a prefix ("kaw" finds kawung). Returns (query, rank): order by
    `rank.desc()` for the best match first. Without a word in Q the query is returned as it is,
    with a constant rank."""
    terms = query_terms(q)
    if not terms:
        return query, sa.literal(0.0, sa.Float)
    hits = _sqlite_hits(terms) if _dialect() == "sqlite" else _postgresql_hits(terms)
    return query.join(hits, hits.c.product_id == Product.id), hits.c.rank


def _sqlite_hits(terms: list[str]) -> sa.Subquery:
    # Each term is a quoted FTS5 string: nothing in it can be read as an operator.
    *whole, last = [f'"{term}"' for term in terms]
    if len(terms[-1]) >= MIN_PREFIX_LENGTH:
        last += "*"
    match = " ".join([*whole, last])
    table = sa.table(SEARCH_TABLE, sa.column("rowid", sa.Integer))
    document = sa.literal_column(SEARCH_TABLE)  # the FTS5 table's own hidden column
    # bm25() is lower for better matches; negated so that callers sort descending everywhere.
    rank = -sa.func.bm25(document, *(sa.literal_column(repr(w)) for w in SQLITE_WEIGHTS))
    return (
        sa.select(table.c.rowid.label("product_id"), sa.type_coerce(rank, sa.Float).label("rank"))
        .where(document.op("MATCH")(match))
        # OFFSET keeps SQLite from flattening the subquery into the caller's join, where it may
        # put the FTS table in the inner loop and run the MATCH once per product (100x slower).
        .offset(0)
        .subquery("search_hits")
    )


def _postgresql_hits(terms: list[str]) -> sa.Subquery:
    from sqlalchemy.dialects.postgresql import TSVECTOR

    # Terms are letters and digits only, so quoting them makes a well-formed tsquery.
    parts = [f"'{term}'" for term in terms]
    if len(terms[-1]) >= MIN_PREFIX_LENGTH:
        parts[-1] += ":*"
    tsquery = sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"),
                                 sa.literal(" & ".join(parts), sa.Text))
    table = sa.table(SEARCH_TABLE, sa.column("product_id", sa.Integer), sa.column("document", TSVECTOR))
    return (
        sa.select(table.c.product_id,
                  sa.type_coerce(sa.func.ts_rank(table.c.document, tsquery), sa.Float).label("rank"))
        .where(table.c.document.op("@@")(tsquery))
        .subquery("search_hits")
    )


# --- migrations -------------------------------------------------------------------------------

def alembic_include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic `include_name` hook: the search tables (and SQLite's FTS5 shadow tables
    product_search_data, _idx, …) are written by hand in migration 0004, not from models."""
    return not (type_ == "table" and name and name.startswith(SEARCH_TABLE))
