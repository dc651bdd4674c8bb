"""monitoring of key areas: units, their notifications, the rows the rules compare (sealed in
full, keyed hashes for the parties), early warnings, and the officials list as keyed hashes

Revision ID: 0009
Revises: 0008
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        'monitored_unit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', S(length=255), nullable=False),
        sa.Column('address', sa.Text(), nullable=False),
        sa.Column('address_key', S(length=64), nullable=False),
        sa.Column('area', S(length=32), nullable=False),
        sa.Column('disabled', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
        sa.UniqueConstraint('address_key'),
    )
    op.create_table(
        'notification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('inbound_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('kind', S(length=32), nullable=True),
        sa.Column('status', S(length=16), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('problems', sa.JSON(), nullable=False),
        sa.Column('problem_count', sa.Integer(), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['inbound_id'], ['inbound.id']),
        sa.ForeignKeyConstraint(['unit_id'], ['monitored_unit.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('inbound_id'),
    )
    with op.batch_alter_table('notification') as batch:
        batch.create_index('ix_notification_unit_id', ['unit_id'], unique=False)
    op.create_table(
        'monitored_record',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('notification_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('kind', S(length=32), nullable=False),
        sa.Column('row', sa.Integer(), nullable=False),
        sa.Column('ref', S(length=255), nullable=False),
        sa.Column('party_key', S(length=64), nullable=True),
        sa.Column('method', S(length=32), nullable=True),
        sa.Column('amount_fen', sa.BigInteger(), nullable=True),
        sa.Column('base_fen', sa.BigInteger(), nullable=True),
        sa.Column('bidders', sa.Integer(), nullable=True),
        sa.Column('days', sa.Integer(), nullable=True),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('month', S(length=7), nullable=False),
        sa.Column('values', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['notification_id'], ['notification.id']),
        sa.ForeignKeyConstraint(['unit_id'], ['monitored_unit.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('monitored_record') as batch:
        batch.create_index('ix_monitored_record_notification_id', ['notification_id'], unique=False)
        batch.create_index('ix_monitored_record_unit_kind', ['unit_id', 'kind', 'day'], unique=False)
        batch.create_index('ix_monitored_record_party', ['kind', 'party_key'], unique=False)
    op.create_table(
        'early_warning',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', S(length=32), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('notification_id', sa.Integer(), nullable=False),
        sa.Column('status', S(length=16), nullable=False),
        sa.Column('findings', sa.JSON(), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('calendar_confirmed', sa.Boolean(), nullable=False),
        sa.Column('message_id', S(length=998), nullable=True),
        sa.Column('rectified_inbound_id', sa.Integer(), nullable=True),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['monitored_unit.id']),
        sa.ForeignKeyConstraint(['notification_id'], ['notification.id']),
        sa.ForeignKeyConstraint(['rectified_inbound_id'], ['inbound.id']),
        sa.ForeignKeyConstraint(['case_id'], ['case.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('number'),
    )
    with op.batch_alter_table('early_warning') as batch:
        batch.create_index('ix_early_warning_unit_id', ['unit_id'], unique=False)
    op.create_table(
        'official_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('id_key', S(length=64), nullable=False),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('id_key'),
    )


def downgrade() -> None:
    op.drop_table('official_entry')
    op.drop_table('early_warning')
    op.drop_table('monitored_record')
    op.drop_table('notification')
    op.drop_table('monitored_unit')
