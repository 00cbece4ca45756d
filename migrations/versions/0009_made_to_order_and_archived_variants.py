"""made-to-order variants, archived variants, a shop's handling days

A variant is ready stock or made to order (a lead time and a cap on units in open orders
instead of stock); a variant its seller removes is archived, since orders point at it. A
shop's handling_days is the time it takes to hand ready stock to the courier.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 17:19:05.542402

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    # In place, not batch mode: recreating shops on SQLite would cascade-delete their products.
    op.add_column('shops', sa.Column('handling_days', sa.Integer(), server_default='2', nullable=False))

    with op.batch_alter_table('variants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('made_to_order', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('lead_time_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('made_to_order_cap', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('made_to_order_open', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint('open_nonnegative', 'made_to_order_open >= 0')
        batch_op.create_check_constraint(
            'open_within_cap', 'made_to_order_cap IS NULL OR made_to_order_open <= made_to_order_cap')
        batch_op.create_check_constraint(
            'made_to_order_terms',
            'NOT made_to_order OR (lead_time_days IS NOT NULL AND made_to_order_cap IS NOT NULL)')



def downgrade():
    with op.batch_alter_table('variants', schema=None) as batch_op:
        batch_op.drop_constraint('made_to_order_terms', type_='check')
        batch_op.drop_constraint('open_within_cap', type_='check')
        batch_op.drop_constraint('open_nonnegative', type_='check')
        batch_op.drop_column('archived_at')
        batch_op.drop_column('made_to_order_open')
        batch_op.drop_column('made_to_order_cap')
        batch_op.drop_column('lead_time_days')
        batch_op.drop_column('made_to_order')

    op.drop_column('shops', 'handling_days')

