"""case terms: a keyed-hash index of what a search may find a case by (an official's name, body,
post)

Revision ID: 0008
Revises: 0007
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'case_term',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('term_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('case_id', 'term_key', name='uq_case_term'),
    )
    with op.batch_alter_table('case_term') as batch:
        batch.create_index('ix_case_term_term_key', ['term_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case_term') as batch:
        batch.drop_index('ix_case_term_term_key')
    op.drop_table('case_term')
