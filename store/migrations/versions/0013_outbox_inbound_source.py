"""the hourly cap on answers to one source counts them by a copy of the answered message's source
kept on the answer, through an index, not by joining every answer of the hour to its message
(on PostgreSQL that join took up to 0.6 s of a filing once the tables had grown)

Revision ID: 0013
Revises: 0012
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('outbox', sa.Column('inbound_source', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.execute("UPDATE outbox SET inbound_source ="
               " (SELECT inbound.source FROM inbound WHERE inbound.id = outbox.inbound_id)"
               " WHERE inbound_id IS NOT NULL")
    op.create_index('ix_outbox_inbound_source', 'outbox', ['inbound_source', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_outbox_inbound_source', table_name='outbox')
    with op.batch_alter_table('outbox') as batch:
        batch.drop_column('inbound_source')
