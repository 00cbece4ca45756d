"""catalogue keyset and count indexes

Keyset pagination of the public catalogue seeks on (created_at, id) and (price, id), so the sort
indexes end with id. The catalogue's total is counted from ix_products_catalogue (and, with a
price range, from ix_products_status_price) without reading product rows. The "in stock" filter
reads variant stock from ix_variants_product_stock, which also serves every lookup by product_id
that ix_variants_product_id served. See marketplace/catalog/listing.py.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 13:07:07.051336

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_products_status_created'))
        batch_op.create_index('ix_products_status_created', ['status', 'created_at', 'id'], unique=False)
        batch_op.drop_index(batch_op.f('ix_products_status_price'))
        batch_op.create_index('ix_products_status_price', ['status', 'price', 'id', 'shop_id', 'category', 'technique'], unique=False)
        batch_op.create_index('ix_products_catalogue', ['status', 'shop_id', 'category', 'technique', 'price'], unique=False)

    with op.batch_alter_table('variants', schema=None) as batch_op:
        batch_op.create_index('ix_variants_product_stock', ['product_id', 'stock'], unique=False)
        batch_op.drop_index(batch_op.f('ix_variants_product_id'))


def downgrade():
    with op.batch_alter_table('variants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_variants_product_id'), ['product_id'], unique=False)
        batch_op.drop_index('ix_variants_product_stock')

    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index('ix_products_catalogue')
        batch_op.drop_index('ix_products_status_price')
        batch_op.create_index(batch_op.f('ix_products_status_price'), ['status', 'price'], unique=False)
        batch_op.drop_index('ix_products_status_created')
        batch_op.create_index(batch_op.f('ix_products_status_created'), ['status', 'created_at'], unique=False)
