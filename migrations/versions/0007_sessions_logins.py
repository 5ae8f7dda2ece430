"""staff sign-ins recorded, server-side staff sessions

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 15:50:00

"""
from alembic import op
import sqlalchemy as sa
import app.timeutil


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('username', sa.String(length=256), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('login_event', schema=None) as batch_op:
        batch_op.create_index('ix_login_event_username_at', ['username', 'at'], unique=False)
        batch_op.create_index('ix_login_event_address_at', ['address', 'at'], unique=False)
        batch_op.create_index('ix_login_event_at', ['at'], unique=False)

    op.create_table('staff_session',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('created_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_session_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_session_user_id'))
    op.drop_table('staff_session')
    with op.batch_alter_table('login_event', schema=None) as batch_op:
        batch_op.drop_index('ix_login_event_at')
        batch_op.drop_index('ix_login_event_address_at')
        batch_op.drop_index('ix_login_event_username_at')
    op.drop_table('login_event')
