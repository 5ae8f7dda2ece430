"""The scope table: for every model a staff screen or API resource may show, the one
helper that decides which of its rows the acting user may see.

Screens (``app/views/base.py``) and API resources (``app/api/base.py``) look their
model up here when they are built, and so do the pickers, filter dropdowns and related
tabs they render for each relation: a new screen cannot forget its scope, because a
model that is in neither ``SCOPES`` nor ``CLINIC_WIDE`` refuses to register
(``UnscopedModel``). The helpers themselves live in ``app.security``; the rows of
dependent models (an invoice's lines, a message's attempts) are scoped through their
parent here, so there is still one rule per kind of record.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Select, false, or_, select

from app.models import (
    AccessEvent,
    Appointment,
    AuditEvent,
    BillingItem,
    Calendar,
    CalendarAccess,
    Case,
    Charge,
    Client,
    ClientPackage,
    ClinicSettings,
    Discipline,
    FeePolicy,
    FormRule,
    FormTemplate,
    NoteTemplate,
    LocationTextSettings,
    Invoice,
    InvoiceLine,
    Location,
    Message,
    MessageAttempt,
    MessageEvent,
    MessageTemplate,
    NotificationSettings,
    Occupancy,
    OnlineBookingSettings,
    PackageType,
    PackageUse,
    Payer,
    Payment,
    PaymentAllocation,
    ReminderPlan,
    SessionType,
    SessionTypeBillingItem,
    Shift,
    ShiftBreak,
    TeamMember,
    TimeBlock,
    WaitlistEntry,
)
from app.models.team import team_member_location
from app.security import (
    AUDIT,
    READ,
    appointment_scope,
    calendar_access_scope,
    case_scope,
    client_scope,
    invoice_scope,
    may,
    message_scope,
    payment_scope,
    role_names,
    row_in,
    sees_everything,
    shift_scope,
    time_block_scope,
    visible_calendar_ids,
    waitlist_scope,
)

Scope = Callable[[Any], Select]


class UnscopedModel(RuntimeError):
    """A screen or API resource over a model the scope table does not know."""


def team_member_scope(user) -> Select:
    """Team members the user works with: everyone for managers; for the rest, the
    people sharing one of their locations, and themselves."""
    if sees_everything(user):
        return select(TeamMember.id)
    if not role_names(user):
        return select(TeamMember.id).where(false())
    my_locations = (select(team_member_location.c.location_id)
                    .join(TeamMember, TeamMember.id == team_member_location.c.team_member_id)
                    .where(TeamMember.user_id == user.id))
    colleagues = select(team_member_location.c.team_member_id).where(
        team_member_location.c.location_id.in_(my_locations))
    return select(TeamMember.id).where(or_(TeamMember.id.in_(colleagues), TeamMember.user_id == user.id))


def user_scope(user) -> Select:
    """Logins of the team members in ``team_member_scope`` (and one's own)."""
    if sees_everything(user):
        return select(User.id)
    if not role_names(user):
        return select(User.id).where(false())
    return select(User.id).where(or_(
        User.id.in_(select(TeamMember.user_id).where(TeamMember.id.in_(team_member_scope(user)))),
        User.id == user.id,
    ))


def _through(column, parent_scope: Scope) -> Scope:
    """Rows whose ``column`` points at a row of ``parent_scope`` (an invoice's lines)."""
    model = column.class_

    def scope(user) -> Select:
        return select(model.id).where(row_in(column, parent_scope(user)))

    scope.__name__ = f"{model.__name__.lower()}_scope"
    scope.__doc__ = f"{model.__name__} rows whose {column.key} is in {parent_scope.__name__}."
    return scope


def _audit_scope(model) -> Scope:
    def scope(user) -> Select:
        return select(model.id) if may(user, READ, AUDIT) else select(model.id).where(false())

    scope.__name__ = f"{model.__name__.lower()}_scope"
    return scope


client_package_scope = _through(ClientPackage.client_id, client_scope)

# model -> the helper selecting the ids of its rows the user may see
SCOPES: dict[type, Scope] = {
    Client: client_scope,
    Case: case_scope,
    Calendar: visible_calendar_ids,
    CalendarAccess: calendar_access_scope,
    Appointment: appointment_scope,
    Occupancy: _through(Occupancy.appointment_id, appointment_scope),
    Shift: shift_scope,
    ShiftBreak: _through(ShiftBreak.shift_id, shift_scope),
    TimeBlock: time_block_scope,
    WaitlistEntry: waitlist_scope,
    TeamMember: team_member_scope,
    User: user_scope,
    Message: message_scope,
    MessageAttempt: _through(MessageAttempt.message_id, message_scope),
    MessageEvent: _through(MessageEvent.message_id, message_scope),
    Invoice: invoice_scope,
    InvoiceLine: _through(InvoiceLine.invoice_id, invoice_scope),
    Charge: _through(Charge.case_id, case_scope),
    Payment: payment_scope,
    PaymentAllocation: _through(PaymentAllocation.payment_id, payment_scope),
    ClientPackage: client_package_scope,
    PackageUse: _through(PackageUse.package_id, client_package_scope),
    AccessEvent: _audit_scope(AccessEvent),
    AuditEvent: _audit_scope(AuditEvent),
}

# The clinic's setup: the same for everyone who may open it at all (its permission
# decides who may), naming no client. Team members and logins are *not* here: who
# works at another location is scoped like everything else.
CLINIC_WIDE: frozenset[type] = frozenset({
    Location, Discipline, SessionType, SessionTypeBillingItem, BillingItem, Payer, PackageType, FeePolicy,
    ClinicSettings, NotificationSettings, ReminderPlan, MessageTemplate, OnlineBookingSettings,
    FormRule, FormTemplate,  # the forms and which to send for which session types: no client named
    NoteTemplate,  # the sections of treatment notes: no client named
    LocationTextSettings,  # a location's sender number and quiet hours
})


def scope_of(model: type) -> Scope | None:
    """The helper scoping ``model``'s rows; None for clinic-wide setup data.

    Raises ``UnscopedModel`` for a model in neither table, so a screen or resource
    over it fails at start-up instead of showing every row to everyone.
    """
    if model in SCOPES:
        return SCOPES[model]
    if model in CLINIC_WIDE:
        return None
    raise UnscopedModel(
        f"{model.__name__} has no row scope: add it to app/scopes.py SCOPES (or to CLINIC_WIDE "
        "if it is setup data that names no client or team member)."
    )
