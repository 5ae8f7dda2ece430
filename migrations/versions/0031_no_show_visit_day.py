"""the no-show email's subject and text say the visit's day ({{ visit_day }}) where a clinic
still has the wording Plinth shipped before it existed ("today"); edited wording is kept

The old and new texts are written out here, not read from app/messaging, so that this
step means the same whatever the shipped texts become later. Only a field equal to the
old shipped text, byte for byte, is replaced: a manager's edit, however small, is theirs.

Revision ID: 0031
Revises: 0030
"""
import sqlalchemy as sa
from alembic import op


revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None

# (kind, column, old shipped text, new shipped text): English, French (Canada), Portuguese (Portugal).
REPLACED = [
    ('no_show', 'subject', 'We missed you today at {{ clinic.name }}',
     'We missed you {{ visit_day }} at {{ clinic.name }}'),
    ('no_show', 'subject', "Nous vous avons manqué aujourd'hui chez {{ clinic.name }}",
     'Nous vous avons manqué {{ visit_day }} chez {{ clinic.name }}'),
    ('no_show', 'subject', 'Sentimos a sua falta hoje na {{ clinic.name }}',
     'Sentimos a sua falta {{ visit_day }} na {{ clinic.name }}'),
    ('sms_no_show', 'body_text',
     '{{ clinic.name }}: we missed you today.{% if location_phone %} To rebook: {{ location_phone }}{% endif %}',
     '{{ clinic.name }}: we missed you {{ visit_day }}.{% if location_phone %} To rebook: {{ location_phone }}'
     '{% endif %}'),
    ('sms_no_show', 'body_text',
     "{{ clinic.name }}: nous vous avons attendu aujourd'hui.{% if location_phone %} Pour reprendre rendez-vous :"
     " {{ location_phone }}{% endif %}",
     '{{ clinic.name }}: nous vous avons attendu {{ visit_day }}.{% if location_phone %} Pour reprendre rendez-vous :'
     ' {{ location_phone }}{% endif %}'),
    ('sms_no_show', 'body_text',
     '{{ clinic.name }}: sentimos a sua falta hoje.{% if location_phone %} Para remarcar: {{ location_phone }}'
     '{% endif %}',
     '{{ clinic.name }}: sentimos a sua falta {{ visit_day }}.{% if location_phone %} Para remarcar:'
     ' {{ location_phone }}{% endif %}'),
]

message_template = sa.table('message_template', sa.column('kind', sa.String), sa.column('audience', sa.String),
                            sa.column('subject', sa.String), sa.column('body_text', sa.Text))


def _swap(direction):
    for kind, column, old, new in REPLACED:
        before, after = (old, new) if direction == 'up' else (new, old)
        field = message_template.c[column]
        op.execute(message_template.update()
                   .where(message_template.c.kind == kind, message_template.c.audience == 'client', field == before)
                   .values({column: after}))


def upgrade():
    _swap('up')


def downgrade():
    _swap('down')
