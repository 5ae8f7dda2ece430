"""messaging

The outbox (message, attempts, provider events), notification settings, reminder plans
and message templates.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 13:12:20.276311

"""
from alembic import op
import sqlalchemy as sa
import app.timeutil


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('message_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('audience', sa.String(length=10), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('updated_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'audience', name='uq_message_template_kind_audience')
    )
    op.create_table('notification_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('confirmation_enabled', sa.Boolean(), nullable=False),
    sa.Column('change_enabled', sa.Boolean(), nullable=False),
    sa.Column('cancellation_enabled', sa.Boolean(), nullable=False),
    sa.Column('no_show_enabled', sa.Boolean(), nullable=False),
    sa.Column('reminders_enabled', sa.Boolean(), nullable=False),
    sa.Column('providers_enabled', sa.Boolean(), nullable=False),
    sa.Column('new_booking_delay_minutes', sa.Integer(), nullable=False),
    sa.Column('from_email', sa.String(length=254), nullable=True),
    sa.CheckConstraint('new_booking_delay_minutes >= 0 AND new_booking_delay_minutes <= 1440', name='ck_notification_settings_delay_range'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('reminder_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('session_type_id', sa.Integer(), nullable=True),
    sa.Column('offsets', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_type_id'], ['session_type.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('location_id', 'session_type_id', name='uq_reminder_plan_location_session_type')
    )
    op.create_table('message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('audience', sa.String(length=10), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('team_member_id', sa.Integer(), nullable=True),
    sa.Column('appointment_id', sa.Integer(), nullable=True),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('context', sa.JSON(), nullable=True),
    sa.Column('appointment_starts_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('offset_minutes', sa.Integer(), nullable=True),
    sa.Column('due_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('state', sa.Enum('pending', 'sending', 'sent', 'failed', 'canceled', name='message_state', native_enum=False, length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('provider_message_id', sa.String(length=120), nullable=True),
    sa.Column('delivery_status', sa.String(length=30), nullable=True),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=True),
    sa.Column('body_text', sa.Text(), nullable=True),
    sa.Column('body_html', sa.Text(), nullable=True),
    sa.Column('ics_uid', sa.String(length=120), nullable=True),
    sa.Column('ics_sequence', sa.Integer(), nullable=True),
    sa.Column('created_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("audience IN ('client', 'provider')", name='ck_message_audience'),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_member_id'], ['team_member.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dedupe_key')
    )
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_message_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_message_invoice_id'), ['invoice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_message_provider_message_id'), ['provider_message_id'], unique=False)
        batch_op.create_index('ix_message_state_due', ['state', 'due_at'], unique=False)

    op.create_table('message_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('message_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_attempt_message_id'), ['message_id'], unique=False)

    op.create_table('message_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_event_id', sa.String(length=120), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('event', sa.String(length=30), nullable=False),
    sa.Column('at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('provider_event_id')
    )
    with op.batch_alter_table('message_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_event_message_id'), ['message_id'], unique=False)



def downgrade():
    with op.batch_alter_table('message_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_event_message_id'))

    op.drop_table('message_event')
    with op.batch_alter_table('message_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_attempt_message_id'))

    op.drop_table('message_attempt')
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_index('ix_message_state_due')
        batch_op.drop_index(batch_op.f('ix_message_provider_message_id'))
        batch_op.drop_index(batch_op.f('ix_message_invoice_id'))
        batch_op.drop_index(batch_op.f('ix_message_client_id'))
        batch_op.drop_index(batch_op.f('ix_message_appointment_id'))

    op.drop_table('message')
    op.drop_table('reminder_plan')
    op.drop_table('notification_settings')
    op.drop_table('message_template')
