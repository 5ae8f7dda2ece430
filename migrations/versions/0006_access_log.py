"""access log of patient records; audit and access rows append-only on PostgreSQL

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa
import app.timeutil


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# Audit and access rows are never changed or deleted. The one update allowed is the
# foreign key's own ON DELETE SET NULL when a user account is removed: the row stays,
# only its actor becomes unknown.
APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION plinth_refuse_log_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL AND OLD.actor_id IS NOT NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% rows are append-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'P0001';
END;
$$ LANGUAGE plpgsql
"""
LOG_TABLES = ("audit_event", "access_event")


def upgrade():
    op.create_table('access_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('subject_type', sa.String(length=40), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.Column('route', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('access_event', schema=None) as batch_op:
        batch_op.create_index('ix_access_event_actor', ['actor_id', 'at'], unique=False)
        batch_op.create_index('ix_access_event_client', ['client_id', 'at'], unique=False)
        batch_op.create_index('ix_access_event_subject', ['subject_type', 'subject_id', 'at'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY_FUNCTION)
        for table in LOG_TABLES:
            op.execute(f"CREATE TRIGGER tr_{table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION plinth_refuse_log_change()")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in LOG_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS tr_{table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS plinth_refuse_log_change()")
    with op.batch_alter_table('access_event', schema=None) as batch_op:
        batch_op.drop_index('ix_access_event_subject')
        batch_op.drop_index('ix_access_event_client')
        batch_op.drop_index('ix_access_event_actor')
    op.drop_table('access_event')
