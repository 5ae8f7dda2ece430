"""invoice issued_on and payment received_on indexes: the revenue reports and the dashboard
read one period of invoices and payments, not the whole history

Revision ID: 0024
Revises: 0022
"""
from alembic import op


revision = '0024'
down_revision = '0022'
branch_labels = None
depends_on = None

INDEXES = [
    ('invoice', 'ix_invoice_issued_on', ['issued_on']),
    ('payment', 'ix_payment_received_on', ['received_on']),
]


def upgrade():
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    for table, name, _columns in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
