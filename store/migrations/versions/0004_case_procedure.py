"""case procedure: the statuses of cases/procedure.py, deadlines as rows, and what a status
change records on the case (where it went, what it was merged into, the conclusion)

Revision ID: 0004
Revises: 0003
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('case') as batch:
        batch.add_column(sa.Column('notify_reporter', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('routed_to', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
        batch.add_column(sa.Column('merged_into', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('conclusion', sa.Text(), nullable=True))
        batch.add_column(sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('concluded_at', sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key('fk_case_merged_into', 'case', ['merged_into'], ['id'])
    op.create_table(
        'deadline',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('working_days', sa.Integer(), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('calendar_confirmed', sa.Boolean(), nullable=False),
        sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('opened_event', sa.Integer(), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_event', sa.Integer(), nullable=True),
        sa.Column('closed_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('case_id', 'kind', name='uq_deadline_case_kind'),
    )
    op.create_index('ix_deadline_state_due', 'deadline', ['state', 'due_at'], unique=False)
    # "assigned" was a status before assignment became a field of its own: such a case was taken
    # on, which is "accepted" now.
    op.execute("UPDATE \"case\" SET status = 'accepted' WHERE status = 'assigned'")
    # Who was promised notices: a real-name reporter whose sender was verified (so answered).
    op.execute("UPDATE \"case\" SET notify_reporter = (real_name AND sender_verified AND reporter_id IS NOT NULL)")
    # A real-name report still waiting for its decision owes the acceptance notice; its due date
    # was Case.due_at. It is marked unconfirmed, so the scheduler counts it again on the calendar
    # it has now (15 working days was the only period there was).
    op.execute(
        "INSERT INTO deadline (case_id, kind, started_at, working_days, due_at, calendar_confirmed, state, "
        "created_at) SELECT id, 'acceptance_notice', created_at, 15, due_at, false, 'open', updated_at "
        "FROM \"case\" WHERE status = 'new' AND notify_reporter AND due_at IS NOT NULL"
    )
    # Case.due_at is the nearest open deadline from now on: an anonymous report owes no notice.
    op.execute("UPDATE \"case\" SET due_at = NULL WHERE id NOT IN (SELECT case_id FROM deadline)")


def downgrade() -> None:
    op.drop_index('ix_deadline_state_due', table_name='deadline')
    op.drop_table('deadline')
    op.execute("UPDATE \"case\" SET status = 'assigned' WHERE status = 'accepted'")
    with op.batch_alter_table('case') as batch:
        batch.drop_constraint('fk_case_merged_into', type_='foreignkey')
        batch.drop_column('concluded_at')
        batch.drop_column('accepted_at')
        batch.drop_column('conclusion')
        batch.drop_column('merged_into')
        batch.drop_column('routed_to')
        batch.drop_column('notify_reporter')
