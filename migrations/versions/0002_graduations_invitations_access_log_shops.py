"""graduations, invitations, access log, shops

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:39:53.048600

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('graduations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('artisan_id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('certificate_number', sa.String(length=80), nullable=False),
    sa.Column('graduated_on', sa.Date(), nullable=False),
    sa.Column('certificate_key', sa.String(length=200), nullable=True),
    sa.Column('certificate_content_type', sa.String(length=40), nullable=True),
    sa.Column('public', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('source', sa.String(length=16), server_default='claim', nullable=False),
    sa.Column('rejection_reason', sa.Text(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("source IN ('claim', 'roster')", name=op.f('ck_graduations_source_known')),
    sa.CheckConstraint("status IN ('claimed', 'verified', 'rejected')", name=op.f('ck_graduations_status_known')),
    sa.ForeignKeyConstraint(['artisan_id'], ['users.id'], name=op.f('fk_graduations_artisan_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_graduations_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['program_id'], ['training_programs.id'], name=op.f('fk_graduations_program_id_training_programs'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_graduations')),
    sa.UniqueConstraint('artisan_id', 'program_id', name='uq_graduations_artisan_program')
    )
    with op.batch_alter_table('graduations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_graduations_artisan_id'), ['artisan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_graduations_program_id'), ['program_id'], unique=False)
        batch_op.create_index('ix_graduations_program_status', ['program_id', 'status'], unique=False)

    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('certificate_number', sa.String(length=80), nullable=False),
    sa.Column('graduated_on', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('used_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_invitations_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['program_id'], ['training_programs.id'], name=op.f('fk_invitations_program_id_training_programs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['used_by_id'], ['users.id'], name=op.f('fk_invitations_used_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('code', name=op.f('uq_invitations_code')),
    sa.UniqueConstraint('program_id', 'certificate_number', name='uq_invitations_program_certificate')
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_program_id'), ['program_id'], unique=False)

    op.create_table('shops',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('story', sa.Text(), nullable=False),
    sa.Column('photo_key', sa.String(length=200), nullable=True),
    sa.Column('city', sa.String(length=120), nullable=False),
    sa.Column('province', sa.String(length=64), nullable=False),
    sa.Column('shipping_origin', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='active', nullable=False),
    sa.Column('suspended_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('active', 'suspended')", name=op.f('ck_shops_status_known')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_shops_owner_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shops')),
    sa.UniqueConstraint('owner_id', name=op.f('uq_shops_owner_id')),
    sa.UniqueConstraint('slug', name=op.f('uq_shops_slug'))
    )
    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shops_province'), ['province'], unique=False)

    op.create_table('access_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('graduation_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['graduation_id'], ['graduations.id'], name=op.f('fk_access_log_graduation_id_graduations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['officer_id'], ['users.id'], name=op.f('fk_access_log_officer_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['program_id'], ['training_programs.id'], name=op.f('fk_access_log_program_id_training_programs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_log'))
    )
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_log_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_log_officer_id'), ['officer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_log_program_id'), ['program_id'], unique=False)

    


def downgrade():
    
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_log_program_id'))
        batch_op.drop_index(batch_op.f('ix_access_log_officer_id'))
        batch_op.drop_index(batch_op.f('ix_access_log_created_at'))

    op.drop_table('access_log')
    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shops_province'))

    op.drop_table('shops')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_program_id'))

    op.drop_table('invitations')
    with op.batch_alter_table('graduations', schema=None) as batch_op:
        batch_op.drop_index('ix_graduations_program_status')
        batch_op.drop_index(batch_op.f('ix_graduations_program_id'))
        batch_op.drop_index(batch_op.f('ix_graduations_artisan_id'))

    op.drop_table('graduations')
    
