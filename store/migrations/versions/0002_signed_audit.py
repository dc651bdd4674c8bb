"""signed audit entries

Revision ID: 0002
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: entries written before this revision have no signature, and verify says so.
    with op.batch_alter_table('audit_event') as batch:
        batch.add_column(sa.Column('signature', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True))
        batch.add_column(sa.Column('key_id', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('audit_event') as batch:
        batch.drop_column('key_id')
        batch.drop_column('signature')
