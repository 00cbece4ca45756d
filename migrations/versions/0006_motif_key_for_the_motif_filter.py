"""motif key for the motif filter

The catalogue's motif filter compared lower(motif), which no index serves (145 ms for a count
over 100k products on SQLite). products.motif_key holds the motif as the filter compares it
(marketplace.catalog.models.motif_key: spaces collapsed, case folded) and is indexed with status.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 13:23:27.871037

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('motif_key', sa.String(length=80), server_default='', nullable=False))
        batch_op.drop_index(batch_op.f('ix_products_motif'))
        batch_op.create_index('ix_products_motif_key', ['motif_key', 'status'], unique=False)

    # Fill the key in Python, with the same rule the application uses.
    products = sa.table('products', sa.column('id', sa.Integer), sa.column('motif', sa.String),
                        sa.column('motif_key', sa.String))
    connection = op.get_bind()
    rows = connection.execute(sa.select(products.c.id, products.c.motif).where(products.c.motif != '')).all()
    if rows:
        connection.execute(
            products.update().where(products.c.id == sa.bindparam('row_id')).values(motif_key=sa.bindparam('key')),
            [{'row_id': row.id, 'key': ' '.join(row.motif.split()).casefold()[:80]} for row in rows],
        )


def downgrade():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index('ix_products_motif_key')
        batch_op.create_index(batch_op.f('ix_products_motif'), ['motif'], unique=False)
        batch_op.drop_column('motif_key')
