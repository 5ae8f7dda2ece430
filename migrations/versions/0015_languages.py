"""languages: a client's preferred language, a location's default language and currency, templates per language

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
    # Managers' templates per language; the rows so far are the English ones.
    with op.batch_alter_table('message_template', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=10), server_default='en', nullable=False))
        batch_op.drop_constraint('uq_message_template_kind_audience', type_='unique')
        batch_op.create_unique_constraint('uq_message_template_kind_audience_language', ['kind', 'audience', 'language'])


def downgrade():
    with op.batch_alter_table('message_template', schema=None) as batch_op:
        batch_op.drop_constraint('uq_message_template_kind_audience_language', type_='unique')
        batch_op.create_unique_constraint('uq_message_template_kind_audience', ['kind', 'audience'])
        batch_op.drop_column('language')
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.drop_column('currency')
        batch_op.drop_column('language')
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.drop_column('preferred_language')
