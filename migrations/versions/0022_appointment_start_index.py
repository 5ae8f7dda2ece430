"""appointment start index: reports over every location read one period, not the whole history

Revision ID: 0022
Revises: 0019
"""
from alembic import op


revision = '0022'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.create_index('ix_appointment_starts_at', ['starts_at'], unique=False)


def downgrade():
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_index('ix_appointment_starts_at')
