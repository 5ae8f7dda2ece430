"""one person across locations: the clinic's travel time between locations

Revision ID: 0016
Revises: 0015
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('clinic_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('travel_minutes', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint('ck_clinic_settings_travel_minutes_range',
                                         'travel_minutes >= 0 AND travel_minutes <= 240')


def downgrade():
    with op.batch_alter_table('clinic_settings', schema=None) as batch_op:
        batch_op.drop_constraint('ck_clinic_settings_travel_minutes_range', type_='check')
        batch_op.drop_column('travel_minutes')
