"""rule homes: the clinic's slot step; each location's country from its time zone

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-04 16:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    # Empty on existing rows: the installation's PLINTH_SLOT_STEP_MINUTES goes on applying.
    with op.batch_alter_table('clinic_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('slot_step_minutes', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            'ck_clinic_settings_slot_step_range',
            'slot_step_minutes IS NULL OR (slot_step_minutes > 0 AND slot_step_minutes <= 120)')
    # Phone numbers are read in the location's country: give locations without one the
    # country of their time zone (Europe/Lisbon -> PT), as Location.phone_region does.
    from babel.core import get_global

    territories = get_global('zone_territories')
    location = sa.table('location', sa.column('id', sa.Integer), sa.column('timezone', sa.String),
                        sa.column('country', sa.String))
    bind = op.get_bind()
    rows = bind.execute(sa.select(location.c.id, location.c.timezone).where(location.c.country.is_(None))).all()
    for location_id, zone in rows:
        country = territories.get(zone)
        if country and country != 'ZZ':
            bind.execute(location.update().where(location.c.id == location_id).values(country=country))


def downgrade():
    with op.batch_alter_table('clinic_settings', schema=None) as batch_op:
        batch_op.drop_constraint('ck_clinic_settings_slot_step_range', type_='check')
        batch_op.drop_column('slot_step_minutes')
