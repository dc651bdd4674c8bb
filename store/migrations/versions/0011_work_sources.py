"""fair work-taking: each inbound message and each answer carries its source (a keyed hash) and
its turn among that source's rows, with the indexes that find the next turn and a source's last

Revision ID: 0011
Revises: 0010
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    # Rows queued before: one source (''), turn 0, so they are taken first, oldest first, as before.
    with op.batch_alter_table('inbound') as batch:
        batch.add_column(sa.Column('source', S(length=64), nullable=False, server_default=''))
        batch.add_column(sa.Column('turn', sa.BigInteger(), nullable=False, server_default='0'))
        batch.create_index('ix_inbound_status_turn', ['status', 'turn', 'id'], unique=False)
        batch.create_index('ix_inbound_source_turn', ['source', 'turn'], unique=False)
    op.add_column('outbox', sa.Column('source', S(length=64), nullable=False, server_default=''))
    op.add_column('outbox', sa.Column('turn', sa.BigInteger(), nullable=False, server_default='0'))
    op.create_index('ix_outbox_status_turn', 'outbox', ['status', 'turn', 'id'], unique=False)
    op.create_index('ix_outbox_source_turn', 'outbox', ['source', 'turn'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_outbox_source_turn', table_name='outbox')
    op.drop_index('ix_outbox_status_turn', table_name='outbox')
    with op.batch_alter_table('outbox') as batch:
        batch.drop_column('turn')
        batch.drop_column('source')
    with op.batch_alter_table('inbound') as batch:
        batch.drop_index('ix_inbound_source_turn')
        batch.drop_index('ix_inbound_status_turn')
        batch.drop_column('turn')
        batch.drop_column('source')
