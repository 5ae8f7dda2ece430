"""clinical record: note templates, notes, addenda, visit progress, treatment plans,
attachments; signed notes and addenda refuse changes on PostgreSQL

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa
import app.timeutil


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# A signed note is a document: no UPDATE or DELETE once signed_at is set (signing itself
# is the UPDATE that sets it, from NULL). Addenda are signed when written: never changed.
SIGNED_NOTE_FUNCTION = """
CREATE OR REPLACE FUNCTION plinth_refuse_signed_note_change() RETURNS trigger AS $$
BEGIN
    IF TG_TABLE_NAME = 'clinical_note' AND OLD.signed_at IS NULL THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'signed clinical records cannot be changed or deleted (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'P0001';
END;
$$ LANGUAGE plpgsql
"""
SIGNED_TABLES = ("clinical_note", "clinical_addendum")


def upgrade():
    op.create_table('note_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('discipline_id', sa.Integer(), nullable=True),
    sa.Column('sections', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['discipline_id'], ['discipline.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('clinical_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=True),
    sa.Column('sections', sa.JSON(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('created_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('signed_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.CheckConstraint('(signed_at IS NULL) = (content_hash IS NULL)', name='ck_clinical_note_signed_with_hash'),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], ),
    sa.ForeignKeyConstraint(['author_id'], ['team_member.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
    sa.ForeignKeyConstraint(['signed_by_id'], ['team_member.id'], ),
    sa.ForeignKeyConstraint(['template_id'], ['note_template.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('appointment_id')
    )
    with op.batch_alter_table('clinical_note', schema=None) as batch_op:
        batch_op.create_index('ix_clinical_note_author_signed', ['author_id', 'signed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_clinical_note_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clinical_note_case_id'), ['case_id'], unique=False)
    op.create_table('clinical_addendum',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('signed_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['team_member.id'], ),
    sa.ForeignKeyConstraint(['note_id'], ['clinical_note.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('clinical_addendum', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clinical_addendum_note_id'), ['note_id'], unique=False)
    op.create_table('visit_progress',
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.Column('started_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('completed_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['completed_by_id'], ['team_member.id'], ),
    sa.ForeignKeyConstraint(['started_by_id'], ['team_member.id'], ),
    sa.PrimaryKeyConstraint('appointment_id')
    )
    op.create_table('treatment_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('planned_sessions', sa.Integer(), nullable=True),
    sa.Column('frequency', sa.String(length=80), nullable=True),
    sa.Column('goals', sa.Text(), nullable=True),
    sa.Column('reassess_after_visits', sa.Integer(), nullable=True),
    sa.Column('reassess_on', sa.Date(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('discharged_on', sa.Date(), nullable=True),
    sa.Column('discharge_summary', sa.Text(), nullable=True),
    sa.Column('updated_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('discharged_on IS NULL OR discharge_summary IS NOT NULL', name='ck_treatment_plan_discharge_summary'),
    sa.CheckConstraint('planned_sessions IS NULL OR planned_sessions > 0', name='ck_treatment_plan_sessions_positive'),
    sa.CheckConstraint('reassess_after_visits IS NULL OR reassess_after_visits > 0', name='ck_treatment_plan_reassess_positive'),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id')
    )
    op.create_table('clinical_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=80), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('size > 0', name='ck_clinical_attachment_size_positive'),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], ),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['team_member.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('storage_key')
    )
    with op.batch_alter_table('clinical_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clinical_attachment_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clinical_attachment_client_id'), ['client_id'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(SIGNED_NOTE_FUNCTION)
        for table in SIGNED_TABLES:
            op.execute(f"CREATE TRIGGER tr_{table}_signed BEFORE UPDATE OR DELETE ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION plinth_refuse_signed_note_change()")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in SIGNED_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS tr_{table}_signed ON {table}")
        op.execute("DROP FUNCTION IF EXISTS plinth_refuse_signed_note_change()")
    with op.batch_alter_table('clinical_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clinical_attachment_client_id'))
        batch_op.drop_index(batch_op.f('ix_clinical_attachment_case_id'))
    op.drop_table('clinical_attachment')
    op.drop_table('treatment_plan')
    op.drop_table('visit_progress')
    with op.batch_alter_table('clinical_addendum', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clinical_addendum_note_id'))
    op.drop_table('clinical_addendum')
    with op.batch_alter_table('clinical_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clinical_note_case_id'))
        batch_op.drop_index(batch_op.f('ix_clinical_note_author_id'))
        batch_op.drop_index('ix_clinical_note_author_signed')
    op.drop_table('clinical_note')
    op.drop_table('note_template')
