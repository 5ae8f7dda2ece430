"""text messages (SMS, WhatsApp)

Per client: channel preference, consent to texts (when, how) and opt-out; per location:
sender number, quiet hours and which messages go by text; per message: SMS segments.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-04 15:45:00

"""
from alembic import op
import sqlalchemy as sa
import app.timeutil


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('location_text_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('sender_number', sa.String(length=20), nullable=False),
    sa.Column('whatsapp_enabled', sa.Boolean(), nullable=False),
    sa.Column('whatsapp_sender', sa.String(length=20), nullable=True),
    sa.Column('quiet_start', sa.Time(), nullable=True),
    sa.Column('quiet_end', sa.Time(), nullable=True),
    sa.Column('text_kinds', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('location_id')
    )
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_channel', sa.String(length=5), nullable=False,
                                      server_default='email'))
        batch_op.add_column(sa.Column('text_consent_at', app.timeutil.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('text_consent_source', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('text_opted_out_at', app.timeutil.UTCDateTime(timezone=True), nullable=True))
    # The default was only for existing rows; the model supplies it from now on.
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.alter_column('message_channel', server_default=None)
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('segments', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_column('segments')
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.drop_column('text_opted_out_at')
        batch_op.drop_column('text_consent_source')
        batch_op.drop_column('text_consent_at')
        batch_op.drop_column('message_channel')
    op.drop_table('location_text_settings')
