"""case review: the classifier's word that a person should check a case's labels before anyone
acts on them; cases filed before it are flagged when their kind was less than 0.7 sure or unknown
(what the console's "check" filter used to show)

Revision ID: 0010
Revises: 0009
"""

import warnings

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN: SQLite's batch mode would copy the table and cannot reflect the queue's
    # expression index
    op.add_column('case', sa.Column('review', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(sa.text('UPDATE "case" SET review = (confidence IS NULL OR confidence < 0.7)'))


def downgrade() -> None:
    with warnings.catch_warnings():
        # SQLite's batch copy skips the expression index, which 0007's downgrade drops anyway
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        with op.batch_alter_table('case') as batch:
            batch.drop_column('review')
