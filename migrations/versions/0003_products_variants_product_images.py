"""products, variants, product images

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 11:22:49.889528

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('slug', sa.String(length=180), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('technique', sa.String(length=16), nullable=False),
    sa.Column('motif', sa.String(length=80), nullable=False),
    sa.Column('motif_story', sa.Text(), nullable=False),
    sa.Column('material', sa.String(length=80), nullable=False),
    sa.Column('dye', sa.String(length=16), nullable=True),
    sa.Column('length_cm', sa.Integer(), nullable=True),
    sa.Column('width_cm', sa.Integer(), nullable=True),
    sa.Column('weight_g', sa.Integer(), nullable=False),
    sa.Column('price', sa.BigInteger(), nullable=False),
    sa.Column('batikmark_number', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=16), server_default='draft', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("category IN ('cloth', 'clothing', 'accessory', 'home_decor', 'other')", name=op.f('ck_products_category_known')),
    sa.CheckConstraint("dye IS NULL OR dye IN ('natural', 'synthetic')", name=op.f('ck_products_dye_known')),
    sa.CheckConstraint("status IN ('draft', 'active', 'archived')", name=op.f('ck_products_status_known')),
    sa.CheckConstraint("technique IN ('tulis', 'cap', 'kombinasi', 'jumputan', 'printing')", name=op.f('ck_products_technique_known')),
    sa.CheckConstraint('price > 0', name=op.f('ck_products_price_positive')),
    sa.CheckConstraint('weight_g > 0', name=op.f('ck_products_weight_positive')),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_products_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_products')),
    sa.UniqueConstraint('slug', name=op.f('uq_products_slug'))
    )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_products_motif'), ['motif'], unique=False)
        batch_op.create_index(batch_op.f('ix_products_shop_id'), ['shop_id'], unique=False)
        batch_op.create_index('ix_products_status_category', ['status', 'category'], unique=False)
        batch_op.create_index('ix_products_status_created', ['status', 'created_at'], unique=False)
        batch_op.create_index('ix_products_status_price', ['status', 'price'], unique=False)
        batch_op.create_index('ix_products_status_technique', ['status', 'technique'], unique=False)

    op.create_table('product_images',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('display_key', sa.String(length=200), nullable=False),
    sa.Column('thumb_key', sa.String(length=200), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_images_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_images'))
    )
    with op.batch_alter_table('product_images', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_images_product_id'), ['product_id'], unique=False)

    op.create_table('variants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('stock', sa.Integer(), nullable=False),
    sa.Column('price', sa.BigInteger(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('price IS NULL OR price > 0', name=op.f('ck_variants_price_positive')),
    sa.CheckConstraint('stock >= 0', name=op.f('ck_variants_stock_nonnegative')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_variants_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_variants'))
    )
    with op.batch_alter_table('variants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_variants_product_id'), ['product_id'], unique=False)

    


def downgrade():
    
    with op.batch_alter_table('variants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_variants_product_id'))

    op.drop_table('variants')
    with op.batch_alter_table('product_images', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_images_product_id'))

    op.drop_table('product_images')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index('ix_products_status_technique')
        batch_op.drop_index('ix_products_status_price')
        batch_op.drop_index('ix_products_status_created')
        batch_op.drop_index('ix_products_status_category')
        batch_op.drop_index(batch_op.f('ix_products_shop_id'))
        batch_op.drop_index(batch_op.f('ix_products_motif'))

    op.drop_table('products')
    
