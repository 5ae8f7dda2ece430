"""The client file: everything about one person that the user may see, in a fixed number
of SQL statements whatever the number of visits, cases, invoices or messages.

Each section is scoped by ``app/security.py``: visits by ``appointment_scope``, cases by
``case_scope``, note content by ``note_scope`` (others with ``NOTE_STATUS`` learn only that
a note exists and whether it is signed), invoices by ``invoice_scope``, payments by
``payment_scope``, messages by ``message_scope``.

Other areas add sections (intake forms, for one) by registering a provider in
``SECTIONS``: a function ``(user, client, file) -> dict | None`` returning
``{"title": ..., "template": ..., **context}``; the page includes each template in order.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased, selectinload

from app.billing import balances
from app.clinical import plans
from app.clinical.templates import summary
from app.extensions import db
from app.i18n import formatting
from app.models import (
    Appointment,
    AppointmentStatus,
    Attachment,
    Calendar,
    CalendarKind,
    Case,
    Client,
    Invoice,
    Location,
    Message,
    Note,
    Occupancy,
    Payment,
    SessionType,
    TeamMember,
    TreatmentPlan,
)
from app.security import (
    BILLING,
    CLINICAL_NOTES,
    NOTE_STATUS,
    READ,
    appointment_scope,
    case_scope,
    clinical_case_scope,
    invoice_scope,
    may,
    message_scope,
    note_scope,
    payment_scope,
    sees_everything,
)
from app.billing.packages import AHEAD, VISITED

SECTIONS: list[Callable[[Any, Client, "ClientFile"], dict | None]] = []
# Outcome scores over cases (intake registers its reader): ``(user, {case id: client id})``
# → {case id: [series]} for the cases whose clinical content the user may read, reads logged.
SCORE_SERIES: list[Callable[[Any, dict[int, int]], dict[int, list]]] = []


def score_series(user, cases: dict[int, int]) -> dict[int, list]:
    found: dict[int, list] = {}
    for reader in SCORE_SERIES:
        for case_id, series in reader(user, cases).items():
            found.setdefault(case_id, []).extend(series)
    return found


@dataclass
class Visit:
    id: int
    starts_at: datetime
    timezone: str
    status: AppointmentStatus
    case_id: int
    session: str
    provider: str | None
    location: str
    rebooked_from_id: int | None
    note_id: int | None = None
    note_signed: bool = False
    note_readable: bool = False
    note_summary: str = ""


@dataclass
class CaseRow:
    case: Case
    plan: TreatmentPlan | None
    attended: int = 0
    booked_ahead: int = 0
    alerts: list[str] = field(default_factory=list)


@dataclass
class ClientFile:
    client: Client
    today: date
    visits: list[Visit]
    cases: list[CaseRow]
    no_shows: int
    note_level: str  # "content", "status" or "none": what this user learns of notes
    balance: balances.Balance | None = None
    invoices: list = field(default_factory=list)
    payments: list = field(default_factory=list)
    messages: list = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    sections: list[dict] = field(default_factory=list)
    now: datetime | None = None
    # The counts cover the visits this user may see (a provider: their own cases'), so the
    # page says so rather than show a smaller number as the client's.
    counts_scoped: bool = False

    @property
    def upcoming(self) -> list[Visit]:
        return [v for v in self.visits if v.starts_at >= self.now and v.status in AHEAD]

    @property
    def canceled_ahead(self) -> list[Visit]:
        """Visits still ahead that will not happen (canceled, rebooked): not "past"."""
        return [v for v in self.visits if v.starts_at >= self.now and v.status not in AHEAD]

    @property
    def past(self) -> list[Visit]:
        return [v for v in self.visits if v.starts_at < self.now]

    @property
    def payers(self) -> list[str]:
        """The payers of the cases open today (``Case.is_open_on``, the one rule)."""
        return sorted({row.case.payer.name for row in self.cases
                       if row.case.payer is not None and row.case.is_open_on(self.today)})

    @property
    def readable_note_ids(self) -> list[int]:
        return [v.note_id for v in self.visits if v.note_readable and v.note_id]


def load(*, user, client: Client, now: datetime, today: date) -> ClientFile:
    """The client's file as ``user`` may see it (``client`` already checked in scope)."""
    cases = list(db.session.scalars(
        select(Case).where(Case.client_id == client.id, Case.id.in_(case_scope(user)))
        .options(selectinload(Case.payer), selectinload(Case.provider), selectinload(Case.discipline))
        .order_by(Case.closed_on.is_not(None), Case.opened_on.desc())))
    visits = _visits(user, client)
    level = "content" if may(user, READ, CLINICAL_NOTES) else ("status" if may(user, READ, NOTE_STATUS) else "none")
    _add_notes(user, visits, level)
    case_ids = [c.id for c in cases]
    plan_rows = {p.case_id: p for p in db.session.scalars(
        select(TreatmentPlan).where(TreatmentPlan.case_id.in_(case_ids)))} if case_ids else {}
    alerts = plans.case_alerts(case_ids, today=today)
    rows = []
    for case in cases:
        row = CaseRow(case, plan_rows.get(case.id) if level == "content" else None,
                      alerts=alerts[case.id].messages if case.id in alerts else [])
        for visit in visits:
            if visit.case_id == case.id:
                row.attended += visit.status in VISITED
                row.booked_ahead += visit.status in AHEAD
        rows.append(row)
    file = ClientFile(client, today, visits, rows, sum(v.status == AppointmentStatus.no_show for v in visits),
                      level, now=now, counts_scoped=not sees_everything(user))
    if may(user, READ, BILLING):
        file.balance = balances.of_client(client.id)
        file.invoices = db.session.execute(
            select(Invoice, balances.balance_column()).where(Invoice.client_id == client.id,
                                                             Invoice.id.in_(invoice_scope(user)))
            .order_by(Invoice.issued_on.desc(), Invoice.id.desc())).all()
        file.payments = list(db.session.scalars(
            select(Payment).where(Payment.client_id == client.id, Payment.id.in_(payment_scope(user)))
            .order_by(Payment.received_on.desc(), Payment.id.desc())))
    file.messages = db.session.execute(
        select(Message.id, Message.kind, Message.subject, Message.to_address, Message.state, Message.due_at,
               Message.channel)
        .where(Message.client_id == client.id, Message.audience == "client", Message.id.in_(message_scope(user)))
        .order_by(Message.due_at.desc()).limit(50)).all()
    file.attachments = attachments_of(user, client)
    file.sections = [s for s in (provider(user, client, file) for provider in SECTIONS) if s]
    return file


def _visits(user, client: Client) -> list[Visit]:
    provider_calendar = aliased(Calendar)
    provider_occupancy = (select(Occupancy.appointment_id, TeamMember.display_name)
                          .join(provider_calendar, provider_calendar.id == Occupancy.calendar_id)
                          .join(TeamMember, TeamMember.id == provider_calendar.team_member_id)
                          .where(provider_calendar.kind == CalendarKind.provider).subquery())
    rows = db.session.execute(
        select(Appointment.id, Appointment.starts_at, Location.timezone, Appointment.status, Appointment.case_id,
               SessionType.name, provider_occupancy.c.display_name, Location.name, Appointment.rebooked_from_id)
        .join(Case, Case.id == Appointment.case_id).join(SessionType, SessionType.id == Appointment.session_type_id)
        .join(Location, Location.id == Appointment.location_id)
        .outerjoin(provider_occupancy, provider_occupancy.c.appointment_id == Appointment.id)
        .where(Case.client_id == client.id,
               # A provider treating a case sees all its visits, on colleagues' calendars too.
               or_(Appointment.id.in_(appointment_scope(user)), Appointment.case_id.in_(clinical_case_scope(user))))
        .order_by(Appointment.starts_at.desc(), Appointment.id.desc())).all()
    seen: dict[int, Visit] = {}
    for row in rows:  # a visit holding two provider calendars is listed once
        seen.setdefault(row[0], Visit(*row))
    return list(seen.values())


def _add_notes(user, visits: list[Visit], level: str) -> None:
    if level == "none" or not visits:
        return
    ids = [v.id for v in visits]
    readable = Note.id.in_(note_scope(user)).label("readable")
    notes = {row.appointment_id: row for row in db.session.execute(
        select(Note.id, Note.appointment_id, Note.signed_at, readable, Note.sections, Note.content)
        .where(Note.appointment_id.in_(ids)))}
    for visit in visits:
        row = notes.get(visit.id)
        if row is None:
            continue
        visit.note_id, visit.note_signed = row.id, row.signed_at is not None
        visit.note_readable = bool(row.readable) and level == "content"
        if visit.note_readable:
            visit.note_summary = summary(row.sections, row.content or {})


def attachments_of(user, client: Client) -> list[Attachment]:
    """The client's attachments on cases the user may see (or on the client itself)."""
    from app.clinical.attachments import attachment_scope

    return list(db.session.scalars(
        select(Attachment).where(Attachment.client_id == client.id, Attachment.id.in_(attachment_scope(user)))
        .order_by(Attachment.uploaded_at.desc())))


def money(value) -> str:
    """An amount in the reader's language (app/i18n/formatting, the one money format)."""
    return "" if value is None else formatting.amount(value)


def sees_access_log(user) -> bool:
    return sees_everything(user)
