"""mail outbox, and email confirmation for self-registered accounts

outbox_mails holds each rendered mail, written in the transaction of the change that causes
it and sent by a job afterwards (marketplace/core/mail.py). users.is_email_confirmed is false
while a self-registered account has not followed its confirmation link; existing accounts
count as confirmed.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outbox_mails',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recipient', sa.String(length=254), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_mails')),
    )
    op.create_index('ix_outbox_mails_pending', 'outbox_mails', ['sent_at', 'next_attempt_at'], unique=False)

    # Not batch mode: a default that is an expression makes batch mode recreate users on SQLite,
    # which the foreign keys pointing at existing users refuse. ADD COLUMN works in place.
    op.add_column('users', sa.Column('is_email_confirmed', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    # In place as well (SQLite 3.35+ drops a plain column without recreating the table).
    op.drop_column('users', 'is_email_confirmed')
    op.drop_index('ix_outbox_mails_pending', table_name='outbox_mails')
    op.drop_table('outbox_mails')
