"""the Cases list reads one page in the order it shows (newest opened first) instead of
sorting every case its reader may see

Revision ID: 0029
Revises: 0028
"""
from alembic import op


revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.create_index('ix_case_file_opened_on_id', ['opened_on', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_index('ix_case_file_opened_on_id')
