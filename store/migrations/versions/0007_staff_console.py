"""staff console: accounts (argon2id password, sealed one-time-code secret, lockout), server-side
sessions kept as token hashes, notes on cases, the classifier's confidence on a case; indexes for a
case's audit trail, the queue's order and its counts per filter

Revision ID: 0007
Revises: 0006
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


COUNTED = ('kind', 'area', 'violation', 'channel')


def upgrade() -> None:
    with op.batch_alter_table('case') as batch:
        batch.add_column(sa.Column('confidence', sa.Float(), nullable=True))
        # Replaced: with it the databases filtered by status and then sorted every open case.
        batch.drop_index('ix_case_queue')
        batch.create_index('ix_case_queue_order',
                           ['priority', sa.text('(due_at IS NULL)'), 'due_at', 'created_at', 'id'], unique=False)
        for name in COUNTED:
            batch.create_index(f'ix_case_{name}_status', [name, 'status'], unique=False)
    with op.batch_alter_table('audit_event') as batch:
        batch.create_index('ix_audit_event_subject', ['subject_type', 'subject_id'], unique=False)
    op.create_table(
        'staff_account',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column('totp_secret', sa.Text(), nullable=False),
        sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('disabled', sa.Boolean(), nullable=False),
        sa.Column('failed_logins', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_code_step', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    op.create_table(
        'staff_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['staff_account.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    with op.batch_alter_table('staff_session') as batch:
        batch.create_index('ix_staff_session_account_id', ['account_id'], unique=False)
    op.create_table(
        'case_note',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('author', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('case_note') as batch:
        batch.create_index('ix_case_note_case_id', ['case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case_note') as batch:
        batch.drop_index('ix_case_note_case_id')
    op.drop_table('case_note')
    with op.batch_alter_table('staff_session') as batch:
        batch.drop_index('ix_staff_session_account_id')
    op.drop_table('staff_session')
    op.drop_table('staff_account')
    with op.batch_alter_table('audit_event') as batch:
        batch.drop_index('ix_audit_event_subject')
    with op.batch_alter_table('case') as batch:
        for name in COUNTED:
            batch.drop_index(f'ix_case_{name}_status')
        batch.drop_index('ix_case_queue_order')
        batch.create_index('ix_case_queue', ['status', 'priority', 'created_at'], unique=False)
        batch.drop_column('confidence')
