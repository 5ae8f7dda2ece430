"""staff language: each team member's own language for Plinth's screens

Revision ID: 0019
Revises: 0017
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('team_member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=10), nullable=True))


def downgrade():
    with op.batch_alter_table('team_member', schema=None) as batch_op:
        batch_op.drop_column('language')
