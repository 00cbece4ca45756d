"""product search: an FTS5 table on SQLite, a tsvector table with a GIN index on PostgreSQL

Not SQLAlchemy models: `marketplace.catalog.search` writes and reads them, and env.py's
include_name hook keeps autogenerate away from them. Existing products are indexed here.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 14:00:00

"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

COLUMNS = ("title", "motif", "technique", "shop_name", "description")
WEIGHT_LETTERS = ("A", "A", "B", "C", "D")
BATIK_TECHNIQUES = ("tulis", "cap", "kombinasi", "jumputan")


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # Columns in bm25 weight order (search.SQLITE_WEIGHTS); rowid is the product id.
        # Prefix indexes make search-as-you-type ("ka", "kaw") cheap.
        op.execute(
            "CREATE VIRTUAL TABLE product_search USING fts5("
            f"{', '.join(COLUMNS)}, "
            "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
        )
    else:
        op.create_table(
            'product_search',
            sa.Column('product_id', sa.Integer(), nullable=False),
            sa.Column('document', postgresql.TSVECTOR(), nullable=False),
            sa.ForeignKeyConstraint(['product_id'], ['products.id'],
                                    name='fk_product_search_product_id_products', ondelete='CASCADE'),
            sa.PrimaryKeyConstraint('product_id', name='pk_product_search'),
        )
        op.create_index('ix_product_search_document', 'product_search', ['document'],
                        postgresql_using='gin')
    _index_existing_products(bind)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS product_search")  # takes the FTS5 shadow tables along
    else:
        op.drop_index('ix_product_search_document', table_name='product_search')
        op.drop_table('product_search')


# A frozen copy of marketplace.catalog.search's document builder, so this migration means the
# same thing whatever that module becomes. `flask catalog reindex` rebuilds with the live code.

def _words(text):
    decomposed = unicodedata.normalize("NFKD", text or "")
    folded = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn").lower()
    return " ".join(re.findall(r"[^\W_]+", folded))


def _index_existing_products(bind):
    rows = bind.execute(sa.text(
        "SELECT p.id, p.title, p.motif, p.technique, p.description, s.name AS shop_name "
        "FROM products p JOIN shops s ON s.id = p.shop_id ORDER BY p.id"
    )).all()
    if not rows:
        return
    documents = [{
        "product_id": row.id,
        "title": _words(row.title),
        "motif": _words(row.motif),
        "technique": _words(f"batik {row.technique}" if row.technique in BATIK_TECHNIQUES
                            else row.technique),
        "shop_name": _words(row.shop_name),
        "description": _words(row.description),
    } for row in rows]
    if bind.dialect.name == "sqlite":
        statement = (f"INSERT INTO product_search (rowid, {', '.join(COLUMNS)}) "
                     f"VALUES (:product_id, {', '.join(':' + c for c in COLUMNS)})")
    else:
        document = " || ".join(f"setweight(to_tsvector('simple', CAST(:{c} AS text)), '{w}')"
                               for c, w in zip(COLUMNS, WEIGHT_LETTERS))
        statement = f"INSERT INTO product_search (product_id, document) VALUES (:product_id, {document})"
    bind.execute(sa.text(statement), documents)
