"""Revenue: invoiced and collected per provider, session type or payer, per hour worked
(providers), and what is still owed by payer and age at each location.

Amounts in different currencies are never added together: every figure is per currency
(an invoice is in its location's currency), so a provider who works in Toronto and Lisboa
has one row in CAD and one in EUR."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Integer, case, cast, func, literal, select

from app.billing.balances import AGE_BUCKETS, open_invoices
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import (Appointment, Calendar, CalendarKind, Charge, Invoice, InvoiceLine, Location, OpenInvoice, Payer,
                        Payment, PaymentAllocation, SessionType, Shift, TeamMember)
from app.reports import sql
from app.reports.base import Column, Filters, Report, bar_chart, nothing_if_no_member

GROUPINGS = ("provider", "session_type", "payer")
CENT = Decimal("0.01")
SELF_PAY = "Patient (self-pay)"

DEFINITIONS = [  # translated when shown (lazy)
    _l(
        "Invoiced: the totals (tax included) of invoice lines issued in the period, less credit notes "
        "issued in the period. A line belongs to the provider its charge was billed for and the session "
        "type of its visit; the payer is whom the invoice bills (an insurer, or the patient)."),
    _l(
        "Collected: payments received in the period (voided payments left out), as allocated to "
        "invoices; a payment settling an invoice of several lines is shared between them in proportion "
        "to their totals. Unallocated credit is not counted until it is used."),
    _l(
        "Hours worked: the provider's shift hours in the period minus breaks (wall clock). Invoiced per "
        "hour = invoiced ÷ hours worked."),
    _l(
        "Outstanding: the open balance of every issued invoice (total − credit notes − payments) as of "
        "the period's last day, by whom it bills and its age since issue. Managers only."),
]


def _group_column(by: str):
    if by == "session_type":
        return func.coalesce(SessionType.name, literal("(no session)"))
    if by == "payer":
        return func.coalesce(Payer.name, literal(SELF_PAY))
    return func.coalesce(TeamMember.display_name, literal("(no provider)"))


def _line_query(filters: Filters, by: str, amount, lines=None):
    """Invoice lines summed per group and currency. ``lines``: the FROM clause the lines are
    reached through (default: every invoice line, joined to its invoice)."""
    key = _group_column(by).label("key")
    currency = Invoice.currency.label("currency")  # fixed when issued (its location's)
    conditions = []
    if filters.location_id is not None:
        conditions.append(Invoice.location_id == filters.location_id)
    if filters.provider_id is not None:
        conditions.append(Charge.provider_id == filters.provider_id)
    if filters.session_type_id is not None:
        conditions.append(Appointment.session_type_id == filters.session_type_id)
    query = (select(key, TeamMember.id.label("member_id"), currency, func.sum(amount).label("amount"))
             .select_from(InvoiceLine.__table__.join(Invoice, Invoice.id == InvoiceLine.invoice_id) if lines is None
                          else lines)
             .outerjoin(Charge, Charge.id == InvoiceLine.charge_id)
             .outerjoin(Appointment, Appointment.id == Charge.appointment_id)
             .outerjoin(SessionType, SessionType.id == Appointment.session_type_id)
             .outerjoin(TeamMember, TeamMember.id == Charge.provider_id)
             .outerjoin(Payer, Payer.id == Invoice.payer_id)
             .where(*conditions)
             .group_by(key, TeamMember.id, currency))
    return query


def invoiced(filters: Filters, by: str) -> dict:
    query = _line_query(filters, by, InvoiceLine.total).where(
        Invoice.issued_on >= filters.date_from, Invoice.issued_on <= filters.date_to)
    return {(r.key, r.member_id, r.currency): Decimal(r.amount or 0) for r in db.session.execute(nothing_if_no_member(query, filters))}


def collected(filters: Filters, by: str) -> dict:
    share = PaymentAllocation.amount * InvoiceLine.total / Invoice.total
    # Written from the period's payments to their allocations, invoices and lines, in that order:
    # with the lines' other relations the query joins nine tables, more than PostgreSQL reorders
    # (join_collapse_limit 8), so written lines-first it hashed every line, allocation, invoice and
    # charge ever recorded before narrowing to the period (issue 13). Same rows, same sums.
    lines = (Payment.__table__
             .join(PaymentAllocation, PaymentAllocation.payment_id == Payment.id)
             .join(Invoice, Invoice.id == PaymentAllocation.invoice_id)
             .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id))
    query = (_line_query(filters, by, case((Invoice.total != 0, share), else_=0), lines)
             .where(Payment.voided_at.is_(None), Payment.received_on >= filters.date_from,
                    Payment.received_on <= filters.date_to))
    return {(r.key, r.member_id, r.currency): Decimal(r.amount or 0) for r in db.session.execute(nothing_if_no_member(query, filters))}


def hours_worked(filters: Filters) -> dict[int, float]:
    worked = sql.shift_worked_minutes()
    conditions = [Calendar.kind == CalendarKind.provider, Shift.day >= filters.date_from, Shift.day <= filters.date_to]
    if filters.location_id is not None:
        conditions.append(Calendar.location_id == filters.location_id)
    if filters.provider_id is not None:
        conditions.append(Calendar.team_member_id == filters.provider_id)
    rows = db.session.execute(
        select(Calendar.team_member_id, func.sum(worked))
        .join(Calendar, Calendar.id == Shift.calendar_id)
        .where(*conditions).group_by(Calendar.team_member_id)).all()
    return {member: float(minutes or 0) / 60 for member, minutes in rows}


def outstanding(filters: Filters) -> list[dict]:
    if filters.own_only:
        return []
    as_of = filters.date_to
    # Only the invoices still owing (open_invoice), not every invoice issued before the window's
    # end: the balance is today's either way, and a year's report read ten years of invoices (issue 13).
    opened = (open_invoices().join(OpenInvoice, OpenInvoice.invoice_id == Invoice.id)
              .where(Invoice.issued_on <= as_of).subquery())
    age = sql.days_until(opened.c.issued_on, as_of)
    bucket = case(*[(age <= high, literal(n)) for n, (_, high, _) in enumerate(AGE_BUCKETS) if high is not None],
                  else_=literal(len(AGE_BUCKETS) - 1))
    bill_to = func.coalesce(Payer.name, literal(SELF_PAY)).label("bill_to")
    currency = opened.c.currency.label("currency")
    query = (select(Location.name.label("location"), currency, bill_to, cast(bucket, Integer).label("bucket"),
                    func.sum(opened.c.balance).label("balance"), func.count().label("invoices"))
             .select_from(opened)
             .join(Location, Location.id == opened.c.location_id)
             .outerjoin(Payer, Payer.id == opened.c.payer_id)
             .where(opened.c.balance > 0)
             .group_by(Location.name, currency, bill_to, cast(bucket, Integer)))
    if filters.location_id is not None:
        query = query.where(opened.c.location_id == filters.location_id)
    table: dict[tuple, dict] = {}
    for r in db.session.execute(query):
        row = table.setdefault((r.location, r.currency, r.bill_to), {
            "location": r.location, "currency": r.currency, "bill_to": r.bill_to, "invoices": 0,
            **{label: Decimal(0) for *_, label in AGE_BUCKETS}})
        row[AGE_BUCKETS[r.bucket][2]] += Decimal(r.balance).quantize(CENT)
        row["invoices"] += r.invoices
    for row in table.values():
        row["total"] = sum((row[label] for *_, label in AGE_BUCKETS), Decimal(0))
    return sorted(table.values(), key=lambda r: (r["location"], -r["total"]))


def _per_group(amounts: dict) -> dict:
    """Sums by (group, provider, currency) folded to one row per group and currency."""
    folded: dict = {}
    for (group, _member, currency), amount in amounts.items():
        folded[(group, None, currency)] = folded.get((group, None, currency), Decimal(0)) + amount
    return folded


def totals_by_currency(amounts: dict) -> dict[str, Decimal]:
    """One total per currency (never one across currencies), cents rounded."""
    totals: dict[str, Decimal] = {}
    for (_group, _member, currency), amount in amounts.items():
        totals[currency] = totals.get(currency, Decimal(0)) + amount
    return {currency: total.quantize(CENT) for currency, total in sorted(totals.items())}


def report(filters: Filters, by: str = "provider") -> Report:
    by = by if by in GROUPINGS else "provider"
    billed, paid = invoiced(filters, by), collected(filters, by)
    if by != "provider":  # the queries keep the provider (for own-figures scoping): one row per group here
        billed, paid = _per_group(billed), _per_group(paid)
    hours = hours_worked(filters) if by == "provider" else {}
    rows = []
    for key in sorted(set(billed) | set(paid), key=lambda k: (str(k[0]), k[2])):
        amount = billed.get(key, Decimal(0)).quantize(CENT)
        worked = hours.get(key[1]) if by == "provider" else None
        rows.append({"group": key[0], "currency": key[2], "invoiced": amount, "collected": paid.get(key, Decimal(0)).quantize(CENT),
                     "hours_worked": round(worked, 2) if worked is not None else None,
                     "per_hour": (amount / Decimal(str(worked))).quantize(CENT) if worked else None})
    label = {"provider": "Provider", "session_type": "Session type", "payer": "Payer"}[by]
    columns = [Column("group", label), Column("currency", "Currency"),
               Column("invoiced", "Invoiced", "money"), Column("collected", "Collected", "money")]
    if by == "provider":
        columns += [Column("hours_worked", "Hours worked", "number"), Column("per_hour", "Invoiced per hour", "money")]
    several = len({r["currency"] for r in rows}) > 1
    chart = bar_chart([f'{r["group"]} ({r["currency"]})' if several else r["group"] for r in rows], {"Invoiced": [float(r["invoiced"]) for r in rows],
                                                   "Collected": [float(r["collected"]) for r in rows]})
    owed = outstanding(filters)
    owed_table = Report("outstanding", "Outstanding by payer and age", [
        Column("location", "Location"), Column("currency", "Currency"), Column("bill_to", "Bills"), Column("invoices", "Invoices", "int"),
        *[Column(label, label, "money") for *_, label in AGE_BUCKETS], Column("total", "Total", "money")], owed, [])
    return Report("revenue", "Revenue", columns, rows, DEFINITIONS, chart, extra=[owed_table])
