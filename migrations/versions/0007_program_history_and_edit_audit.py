"""program history and edit audit

training_programs.ever_held_in_correctional_facility remembers that a program was ever held in a
correctional facility (set with the flag, never cleared), so its graduates' protection follows the
program's history; existing rows take it from the current flag. program_edits audits every
creation and edit of a program (who, when, which fields changed from what to what).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('training_programs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ever_held_in_correctional_facility', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
    programs = sa.table('training_programs', sa.column('held_in_correctional_facility', sa.Boolean),
                        sa.column('ever_held_in_correctional_facility', sa.Boolean))
    op.execute(programs.update().where(programs.c.held_in_correctional_facility.is_(True))
               .values(ever_held_in_correctional_facility=True))

    op.create_table('program_edits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('editor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("action IN ('create', 'update')", name=op.f('ck_program_edits_action_known')),
    sa.ForeignKeyConstraint(['editor_id'], ['users.id'], name=op.f('fk_program_edits_editor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['program_id'], ['training_programs.id'], name=op.f('fk_program_edits_program_id_training_programs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_edits'))
    )
    with op.batch_alter_table('program_edits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_program_edits_program_id'), ['program_id'], unique=False)


def downgrade():
    with op.batch_alter_table('program_edits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_program_edits_program_id'))
    op.drop_table('program_edits')
    with op.batch_alter_table('training_programs', schema=None) as batch_op:
        batch_op.drop_column('ever_held_in_correctional_facility')
