"""Which rows a user may see or change: every query for calendars, appointments, clients,
cases, messages, notes, invoices and payments goes through these helpers (subqueries,
never Python lists). Views and APIs never build their own; ``app/scopes.py`` maps each
model onto one of them."""
from __future__ import annotations

from flask import g
from flask_appbuilder.models.sqla.filters import FilterInFunction
from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select, union

from app.extensions import db
from app.models import (
    AccessLevel,
    Appointment,
    Calendar,
    CalendarAccess,
    Case,
    Client,
    Invoice,
    Location,
    Message,
    Note,
    Occupancy,
    Payment,
    Shift,
    TeamMember,
    TimeBlock,
    WaitlistEntry,
)
from app.models.team import team_member_location
from app.security.roles import may, role_names, sees_everything
from app.security.vocabulary import ADMIN, BILLING, CLINICAL_NOTES, FRONT_DESK, MANAGER, PROVIDER, READ


def row_in(column, ids: Select) -> ColumnElement:
    """``column IN ids``, asked of each row: EXISTS over ``ids`` restricted to this row's
    value. Same rows as IN in a WHERE (a NULL ``column`` matches neither). Why: a list reads its page in index
    order and asks each row through the row's own indexes (a case's visits, a visit's
    calendars), so a page costs its rows, not the history behind the scope; PostgreSQL
    would turn a plain IN (or EXISTS) back into a semi-join and may hash every id of the
    location's history first, so OFFSET 0 keeps it a per-row check (issue 13)."""
    own = ids.selected_columns[0]
    return exists(ids.where(own == column).offset(0).correlate(column.expression.table))


def scope_condition(model, ids: Select) -> ColumnElement | None:
    """The condition a row of ``model`` meets when its id is among ``ids`` (a scope helper's
    select), applied to the row itself: None when ``ids`` is the whole table (a manager's
    ``select(Model.id)``: nothing to filter), the select's own WHERE when it selects the
    model's ids from the model's table alone (``id IN (SELECT id FROM same table WHERE c)``
    is ``c``, without joining the table to itself), else ``row_in``."""
    froms = ids.get_final_froms()
    own_ids = (ids._limit_clause is None and ids._offset_clause is None and not ids._group_by_clauses
               and len(froms) == 1 and froms[0] is model.__table__
               and list(ids.selected_columns) == list(model.__table__.primary_key.columns))
    if own_ids:
        return ids.whereclause
    return row_in(model.__table__.primary_key.columns[0], ids)


def _front_desk_calendars(user) -> Select:
    return (
        select(Calendar.id)
        .join(team_member_location, team_member_location.c.location_id == Calendar.location_id)
        .join(TeamMember, TeamMember.id == team_member_location.c.team_member_id)
        .where(TeamMember.user_id == user.id)
    )


def _calendar_ids(user, levels: tuple[AccessLevel, ...]) -> Select:
    roles = role_names(user)
    if roles & {ADMIN, MANAGER}:
        return select(Calendar.id)
    parts: list[Select] = []
    if FRONT_DESK in roles:
        parts.append(_front_desk_calendars(user))
    if roles:
        parts.append(
            select(CalendarAccess.calendar_id).where(
                CalendarAccess.user_id == user.id, CalendarAccess.level.in_(levels)
            )
        )
    if not parts:
        return select(Calendar.id).where(false())
    return select(Calendar.id).where(or_(*(Calendar.id.in_(p) for p in parts)))


def visible_calendar_ids(user) -> Select:
    """Ids of the calendars ``user`` may look at (as a subquery, never a Python list)."""
    return _calendar_ids(user, (AccessLevel.view, AccessLevel.book))


def bookable_calendar_ids(user) -> Select:
    """Ids of the calendars ``user`` may book into, move within or cancel from."""
    return _calendar_ids(user, (AccessLevel.book,))


def appointment_scope(user, *, writable: bool = False) -> Select:
    """Ids of appointments holding time on a calendar the user may see (or, ``writable``,
    book into)."""
    if sees_everything(user):
        return select(Appointment.id)
    return select(Occupancy.appointment_id).where(Occupancy.calendar_id.in_(_calendars(user, writable)))


def _team_member_id(user) -> Select:
    return select(TeamMember.id).where(TeamMember.user_id == user.id).scalar_subquery()


def case_scope(user, *, writable: bool = False) -> Select:
    """Ids of cases the user may open: all for managers; for everyone else, cases with
    an appointment on a visible calendar, and for providers also the cases they treat;
    front desk also sees cases of clients whose home location is theirs."""
    if sees_everything(user):
        return select(Case.id)
    roles = role_names(user)
    if roles and FRONT_DESK not in roles:
        return select(Case.id).where(Case.id.in_(_own_cases(user, roles, writable)))
    conditions = [row_in(Case.id, select(Appointment.case_id).where(
        row_in(Appointment.id, appointment_scope(user, writable=writable))))]
    if PROVIDER in roles:
        conditions.append(Case.provider_id == _team_member_id(user))
    if FRONT_DESK in roles:
        # Asked of each case through the client's key, never a hash of every client at the desk (issue 13).
        conditions.append(row_in(Case.client_id, _front_desk_clients(user)))
    if not roles:
        return select(Case.id).where(false())
    return select(Case.id).where(or_(*conditions))


def _own_cases(user, roles: set[str], writable: bool) -> Select:
    """The cases of a reader outside the front desk (a provider), named from their side: those
    they treat and those with a visit on a calendar they see. The same cases ``case_scope``'s
    conditions select, as one list PostgreSQL may build first: a provider sees a few of the
    clinic's cases, so asking each of 150,000 cases in list order (``row_in``) read them all to
    fill a page (issue 13); this reads their own cases and visits, then the page's rows."""
    visited = _looked_up(Appointment.case_id, Appointment.id, appointment_scope(user, writable=writable))
    if PROVIDER not in roles:
        return visited
    return union(select(Case.id).where(Case.provider_id == _team_member_id(user)), visited)


def _looked_up(column, key, ids: Select) -> Select:
    """``column`` of the rows whose ``key`` is among ``ids`` (a key of the table: one row each),
    each row read through its key: a join may hash the whole table instead, which PostgreSQL
    prefers whenever it guesses a few thousand ids (a provider's visits read every appointment)."""
    found = ids.subquery()
    return select(select(column).where(key == found.c[0]).scalar_subquery()).select_from(found)


def _front_desk_clients(user) -> Select:
    return select(Client.id).where(_at_front_desk(user))


def _at_front_desk(user) -> ColumnElement:
    """A client whose home location is one the user works at: the condition on the client row."""
    return Client.home_location_id.in_(
        select(team_member_location.c.location_id)
        .join(TeamMember, TeamMember.id == team_member_location.c.team_member_id)
        .where(TeamMember.user_id == user.id)
    )


def client_scope(user, *, writable: bool = False) -> Select:
    """Ids of clients the user may see: the clients of the cases in ``case_scope``, and
    for front desk the clients whose home location is one of theirs."""
    if sees_everything(user):
        return select(Client.id)
    roles = role_names(user)
    if not roles:
        return select(Client.id).where(false())
    if FRONT_DESK not in roles:
        # A provider's few clients, listed from their cases (``_own_cases``), not asked of every client.
        return select(Client.id).where(Client.id.in_(_looked_up(Case.client_id, Case.id,
                                                                _own_cases(user, roles, writable))))
    conditions = [row_in(Client.id, select(Case.client_id).where(
        scope_condition(Case, case_scope(user, writable=writable))))]
    if FRONT_DESK in roles:
        # The row's own home location, not ``id IN (every client at the desk)``, which PostgreSQL
        # hashed by reading every client of the clinic for each page (issue 13).
        conditions.append(_at_front_desk(user))
    return select(Client.id).where(or_(*conditions))


def _calendars(user, writable: bool) -> Select:
    return bookable_calendar_ids(user) if writable else visible_calendar_ids(user)


def shift_scope(user, *, writable: bool = False) -> Select:
    """Shifts of the calendars the user may see (``writable``: book into)."""
    return select(Shift.id).where(row_in(Shift.calendar_id, _calendars(user, writable)))


def time_block_scope(user, *, writable: bool = False) -> Select:
    """Blocked time on the calendars the user may see (``writable``: book into)."""
    return select(TimeBlock.id).where(row_in(TimeBlock.calendar_id, _calendars(user, writable)))


def writable(scope):
    """The write version of a scope helper: rows reached through calendars the user may
    book into, not only look at (a view-only grant reads, never changes)."""
    def scope_for_writes(user) -> Select:
        return scope(user, writable=True)
    return scope_for_writes


def message_scope(user) -> Select:
    """Messages about appointments or clients the user may see, and their own."""
    if sees_everything(user):
        return select(Message.id)
    if not role_names(user):
        return select(Message.id).where(false())
    return select(Message.id).where(or_(
        row_in(Message.appointment_id, appointment_scope(user)),
        row_in(Message.client_id, client_scope(user)),
        Message.team_member_id == _team_member_id(user),
    ))


def waitlist_scope(user, *, writable: bool = False) -> Select:
    """Waitlist entries for a calendar the user may see (``writable``: book into), or for
    "any provider" at a location where they see a calendar."""
    if sees_everything(user):
        return select(WaitlistEntry.id)
    if not role_names(user):
        return select(WaitlistEntry.id).where(false())
    calendars = _calendars(user, writable)
    return select(WaitlistEntry.id).where(or_(
        WaitlistEntry.calendar_id.in_(calendars),
        and_(WaitlistEntry.calendar_id.is_(None),
             WaitlistEntry.location_id.in_(select(Calendar.location_id).where(Calendar.id.in_(calendars)))),
    ))


def calendar_access_scope(user) -> Select:
    """Managers see every grant; everyone else only their own."""
    if sees_everything(user):
        return select(CalendarAccess.id)
    return select(CalendarAccess.id).where(CalendarAccess.user_id == (user.id if user is not None else None))


def current_user():
    return getattr(g, "user", None)


def in_scope(scope_select: Select, row_id) -> bool:
    """Whether ``row_id`` is among the ids a scope helper selects (one EXISTS query)."""
    if row_id is None:
        return False
    ids = scope_select.subquery()
    return bool(db.session.scalar(select(exists().where(ids.c[0] == row_id))))


def scope_filter(scope, column: str = "id") -> list:
    """A FAB ``base_filters`` entry keeping a view's rows to ``scope(current user)``."""
    return [column, FilterInFunction, lambda: scope(current_user())]


def location_scope(user) -> Select:
    """Ids of the locations whose money the user handles: all for managers, else the
    locations the user works at (a front desk's own desk)."""
    if sees_everything(user):
        return select(Location.id)
    return (select(team_member_location.c.location_id)
            .join(TeamMember, TeamMember.id == team_member_location.c.team_member_id)
            .where(TeamMember.user_id == user.id))




def invoice_scope(user, *, writable: bool = False) -> Select:
    """Invoices (and credit notes) of the cases the user may see (``writable``: change),
    issued by a location the user works at unless they see everything; none at all for
    whoever may not read billing (a provider opening a client sees no invoices)."""
    if not may(user, READ, BILLING):
        return select(Invoice.id).where(false())
    query = select(Invoice.id).where(row_in(Invoice.case_id, case_scope(user, writable=writable)))
    return query if sees_everything(user) else query.where(Invoice.location_id.in_(location_scope(user)))


def clinical_case_scope(user) -> Select:
    """Cases whose clinical content (notes, addenda, plan) the user may read: all for
    managers; for providers the cases they treat (as the case's provider, or with a visit
    on their own provider calendar; a calendar merely shared with them does not count);
    none for anyone else, who at most learns that a note exists (``NOTE_STATUS``)."""
    if not may(user, READ, CLINICAL_NOTES):
        return select(Case.id).where(false())
    if sees_everything(user):
        return select(Case.id)
    me = _team_member_id(user)
    own_visits = (select(Appointment.case_id).join(Occupancy, Occupancy.appointment_id == Appointment.id)
                  .where(Occupancy.calendar_id.in_(select(Calendar.id).where(Calendar.team_member_id == me))))
    return select(Case.id).where(or_(Case.provider_id == me, Case.id.in_(own_visits)))


def note_scope(user) -> Select:
    """Notes whose content the user may read: those of ``clinical_case_scope``."""
    return select(Note.id).where(Note.case_id.in_(clinical_case_scope(user)))


def payment_scope(user) -> Select:
    """Payments received at the locations the user works at (managers: all)."""
    return select(Payment.id).where(row_in(Payment.location_id, location_scope(user)))


def may_read_form_answers(user, client_id: int) -> bool:
    """Form answers are clinical: managers, and providers of the client's cases (the
    clients in their scope); the front desk sees only whether forms were filled."""
    if sees_everything(user):
        return True
    return PROVIDER in role_names(user) and in_scope(client_scope(user), client_id)
