"""client CSV imports and data exports; forms (templates, versions, requests, immutable submissions)

Revision ID: 0013
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa
import app.timeutil


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# Submitted form answers are never changed or deleted (a correction is a new submission).
SUBMISSION_FUNCTION = """
CREATE OR REPLACE FUNCTION plinth_refuse_submission_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'submitted form answers are immutable (% refused)', TG_OP USING ERRCODE = 'P0001';
END;
$$ LANGUAGE plpgsql
"""


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

    op.create_table('form_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('form_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('scoring', sa.JSON(), nullable=True),
    sa.Column('created_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['template_id'], ['form_template.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('template_id', 'number', name='uq_form_version_number')
    )
    with op.batch_alter_table('form_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_version_template_id'), ['template_id'], unique=False)
    op.create_table('form_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('appointment_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('draft', sa.JSON(), nullable=True),
    sa.Column('created_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('expires_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['form_version.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('form_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_request_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_request_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_request_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_request_version_id'), ['version_id'], unique=False)
    op.create_table('form_submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('appointment_id', sa.Integer(), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('signed_name', sa.String(length=200), nullable=True),
    sa.Column('signature_image', sa.Text(), nullable=True),
    sa.Column('score', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('submitted_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], ),
    sa.ForeignKeyConstraint(['request_id'], ['form_request.id'], ),
    sa.ForeignKeyConstraint(['version_id'], ['form_version.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('request_id')
    )
    with op.batch_alter_table('form_submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_submission_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_submission_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_submission_version_id'), ['version_id'], unique=False)
    op.create_table('form_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('session_type_id', sa.Integer(), nullable=True),
    sa.Column('patient_kind', sa.String(length=10), nullable=False),
    sa.Column('days_before', sa.Integer(), nullable=True),
    sa.Column('every_n_visits', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['session_type_id'], ['session_type.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['template_id'], ['form_template.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('form_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_rule_template_id'), ['template_id'], unique=False)
    op.create_table('review_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('review_url', sa.String(length=500), nullable=True),
    sa.Column('delay_hours', sa.Integer(), nullable=False),
    sa.Column('min_days_between', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('review_opt_out',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('client_id')
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(SUBMISSION_FUNCTION)
        op.execute("CREATE TRIGGER tr_form_submission_immutable BEFORE UPDATE OR DELETE ON form_submission "
                   "FOR EACH ROW EXECUTE FUNCTION plinth_refuse_submission_change()")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS tr_form_submission_immutable ON form_submission")
        op.execute("DROP FUNCTION IF EXISTS plinth_refuse_submission_change()")
    op.drop_table('review_opt_out')
    op.drop_table('review_settings')
    op.drop_table('form_rule')
    op.drop_table('form_submission')
    op.drop_table('form_request')
    op.drop_table('form_version')
    op.drop_table('form_template')
    with op.batch_alter_table('data_export', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_export_client_id'))
    op.drop_table('data_export')
    op.drop_table('client_import')
