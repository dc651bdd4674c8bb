"""the answer caps count the answers queued in the last hour at every filing: an index on the outbox's
creation time, so that the count reads that hour's rows and not the whole outbox

Revision ID: 0012
Revises: 0011
"""

from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_outbox_created_at', 'outbox', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_outbox_created_at', table_name='outbox')
