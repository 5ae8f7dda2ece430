"""client CSV imports and data exports

Revision ID: 0013
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa
import app.timeutil


revision = '0013'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('client_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('options', sa.JSON(), nullable=True),
    sa.Column('counts', sa.JSON(), nullable=True),
    sa.Column('report', sa.JSON(), nullable=True),
    sa.Column('finished_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('data_export',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('data_export', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_export_client_id'), ['client_id'], unique=False)


def downgrade():
    with op.batch_alter_table('data_export', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_export_client_id'))
    op.drop_table('data_export')
    op.drop_table('client_import')
