"""per-location accepted payers and the out-of-network message shown online

Revision ID: 0017
Revises: 0016
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'location_payer',
        sa.Column('location_id', sa.Integer(), sa.ForeignKey('location.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('payer_id', sa.Integer(), sa.ForeignKey('payer.id', ondelete='CASCADE'), primary_key=True),
    )
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.add_column(sa.Column('out_of_network_message', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.drop_column('out_of_network_message')
    op.drop_table('location_payer')
