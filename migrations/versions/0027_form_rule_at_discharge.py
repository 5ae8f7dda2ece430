"""form rule at discharge: outcome measures sent when a case is closed

Revision ID: 0027
Revises: 0024
"""
import sqlalchemy as sa
from alembic import op


revision = '0027'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('form_rule', schema=None) as batch_op:
        batch_op.add_column(sa.Column('at_discharge', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('form_rule', schema=None) as batch_op:
        batch_op.drop_column('at_discharge')
