"""bounded lists: the Charges, Messages, Shifts and Blocked time lists read one page in the
order they show it (newest first), and Receivables reads the invoices still open
(open_invoice), not every invoice ever issued

Revision ID: 0028
Revises: 0027
"""
import sqlalchemy as sa
from alembic import op


revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

# (table, index, columns, partial on): each list's order, its primary key last as FAB adds it.
# Blocked time's is partial on what only its list states (reason is NOT NULL anyway): a plain
# starts_at index is taken by the engine's window reads instead of (calendar_id, starts_at).
INDEXES = [
    ('charge', 'ix_charge_created_at_id', ['created_at', 'id'], None),
    ('message', 'ix_message_due_at_id', ['due_at', 'id'], None),
    ('shift', 'ix_shift_day_id', ['day', 'id'], None),
    ('time_block', 'ix_time_block_listed', ['starts_at', 'id'], 'reason IS NOT NULL'),
]

# The invoices owing something today: total, plus credit notes (negative), less the
# allocations of payments that are not void (app/billing/balances.py).
OPEN_NOW = """
INSERT INTO open_invoice (invoice_id)
SELECT invoice.id FROM invoice
WHERE invoice.kind = 'invoice'
  AND invoice.total
      + COALESCE((SELECT sum(note.total) FROM invoice AS note WHERE note.credits_invoice_id = invoice.id), 0)
      - COALESCE((SELECT sum(payment_allocation.amount) FROM payment_allocation
                  JOIN payment ON payment.id = payment_allocation.payment_id
                  WHERE payment_allocation.invoice_id = invoice.id AND payment.voided_at IS NULL), 0) > 0
"""


def upgrade():
    for table, name, columns, partial in INDEXES:
        where = {} if partial is None else {'postgresql_where': sa.text(partial), 'sqlite_where': sa.text(partial)}
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False, **where)
    op.create_table(
        'open_invoice',
        sa.Column('invoice_id', sa.Integer(), sa.ForeignKey('invoice.id', ondelete='CASCADE'), primary_key=True),
    )
    op.execute(OPEN_NOW)


def downgrade():
    op.drop_table('open_invoice')
    for table, name, _columns, _partial in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
