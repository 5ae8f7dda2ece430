"""one-location lists: the Invoices and Payments lists of a reader who works at one location
read that location's rows in the list's order (newest first), a page at a time, instead of
walking past every other location's rows (app/views/one_location.py)

Revision ID: 0030
Revises: 0029
"""
from alembic import op


revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None

# (table, index, columns): the location, then the list's order with its primary key last as FAB adds it.
INDEXES = [
    ('invoice', 'ix_invoice_location_id_id', ['location_id', 'id']),
    ('payment', 'ix_payment_location_received_on_id', ['location_id', 'received_on', 'id']),
]


def upgrade():
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    for table, name, _columns in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
