"""languages: a client's preferred language, a location's default language and currency

Revision ID: 0015
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.add_column(sa.Column('preferred_language', sa.String(length=10), nullable=True))
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('currency', sa.String(length=3), nullable=True))


def downgrade():
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.drop_column('currency')
        batch_op.drop_column('language')
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.drop_column('preferred_language')
