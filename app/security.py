"""Who may do what, and on which rows.

* One permission vocabulary: ``can_read`` / ``can_write`` on a named resource.
  Views and APIs map their methods onto it (``READ_WRITE_METHODS``), roles are lists
  of (action, resource) pairs (``ROLE_GRANTS``), and ``sync_roles()`` writes them to
  FAB's tables idempotently.
* One scope helper: every query for calendars, appointments, clients and cases goes
  through ``visible_calendar_ids`` / ``bookable_calendar_ids`` / ``client_scope`` /
  ``case_scope`` / ``appointment_scope``. Views and APIs never build their own.
"""
from __future__ import annotations

from collections.abc import Iterable

from flask import current_app, g
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.models.sqla.filters import FilterInFunction
from sqlalchemy import Select, and_, exists, false, or_, select

from app.auth.manager import SignInMixin
from app.extensions import db
from app.models import (
    AccessLevel,
    Appointment,
    Calendar,
    CalendarAccess,
    Case,
    Client,
    Location,
    Message,
    Occupancy,
    Shift,
    TeamMember,
    TimeBlock,
    WaitlistEntry,
)
from app.models.team import team_member_location

# --- vocabulary -----------------------------------------------------------------
READ = "can_read"
WRITE = "can_write"

LOCATIONS = "Locations"
DISCIPLINES = "Disciplines"
TEAM = "Team"
CALENDARS = "Calendars"
CALENDAR_ACCESS = "CalendarAccess"
SHIFTS = "Shifts"
TIME_BLOCKS = "TimeBlocks"
SESSION_TYPES = "SessionTypes"
BILLING_ITEMS = "BillingItems"
PAYERS = "Payers"
CLIENTS = "Clients"
CASES = "Cases"
APPOINTMENTS = "Appointments"
AUDIT = "Audit"
MESSAGES = "Messages"  # the outbox: who was told what, resend / cancel
MESSAGE_SETUP = "MessageSetup"  # notification settings, reminder plans, templates

SETUP_RESOURCES = (
    LOCATIONS, DISCIPLINES, TEAM, CALENDARS, CALENDAR_ACCESS, SHIFTS, TIME_BLOCKS,
    SESSION_TYPES, BILLING_ITEMS, PAYERS,
)
RECORD_RESOURCES = (CLIENTS, CASES, APPOINTMENTS)

# How FAB view/API methods map onto the vocabulary (FAB prefixes "can_").
READ_WRITE_METHODS = {
    # ModelView
    "list": "read", "show": "read", "download": "read", "action": "write",
    "add": "write", "edit": "write", "delete": "write", "api": "read", "api_read": "read",
    "api_get": "read", "api_column_add": "write", "api_column_edit": "write",
    "api_create": "write", "api_update": "write", "api_delete": "write",
    "action_post": "write", "muldelete": "write",
    # ModelRestApi
    "get": "read", "get_list": "read", "info": "read", "post": "write", "put": "write",
}

ADMIN = "Admin"
MANAGER = "Manager"
FRONT_DESK = "Front Desk"
PROVIDER = "Provider"
STAFF_ROLES = (ADMIN, MANAGER, FRONT_DESK, PROVIDER)

# Everyone who logs in may see and edit their own profile.
SELF_SERVICE = [
    ("can_this_form_get", "UserInfoEditView"),
    ("can_this_form_post", "UserInfoEditView"),
    ("can_this_form_get", "ResetMyPasswordView"),
    ("can_this_form_post", "ResetMyPasswordView"),
    ("can_userinfo", "UserDBModelView"),
    ("resetmypassword", "UserDBModelView"),
]


# The clinic's catalogue, which booking needs to read but only managers edit: read
# access for everyone, without the setup screens in their menu.
LOOKUPS = (SESSION_TYPES, PAYERS, DISCIPLINES, LOCATIONS)


def _grants(read: Iterable[str] = (), write: Iterable[str] = ()) -> list[tuple[str, str]]:
    pairs = [(READ, r) for r in read] + [(READ, w) for w in write] + [(WRITE, w) for w in write]
    return sorted(set(pairs)) + SELF_SERVICE


ROLE_GRANTS: dict[str, list[tuple[str, str]]] = {
    # Managers may also read the API's OpenAPI document (integrations are theirs to set up).
    MANAGER: _grants(read=(AUDIT,), write=SETUP_RESOURCES + (CLIENTS, CASES, APPOINTMENTS, MESSAGES, MESSAGE_SETUP))
    + [("can_get", "OpenApi")],
    FRONT_DESK: _grants(read=(SHIFTS, MESSAGES) + LOOKUPS, write=(CLIENTS, CASES, TIME_BLOCKS, APPOINTMENTS)),
    # Providers book into the calendars granted to them (the scope helpers decide which).
    PROVIDER: _grants(read=(SHIFTS,) + LOOKUPS, write=(CLIENTS, CASES, APPOINTMENTS)),
}
# Online booking: the front desk works the waitlist; managers also set up the public site
# (embedding origins, direct links).
WAITLIST = "Waitlist"
ONLINE_BOOKING = "OnlineBooking"
ROLE_GRANTS[MANAGER] += [(READ, WAITLIST), (WRITE, WAITLIST), (READ, ONLINE_BOOKING), (WRITE, ONLINE_BOOKING)]
ROLE_GRANTS[FRONT_DESK] += [(READ, WAITLIST), (WRITE, WAITLIST)]
# Billing: the front desk arrives, bills and collects; managers also set fee policies,
# packages and the clinic's settings. Providers see billing only through their visits.
BILLING = "Billing"  # charges, invoices, payments, balances, receivables
BILLING_SETUP = "BillingSetup"  # fee policies, package types, clinic settings
ROLE_GRANTS[MANAGER] += [(READ, BILLING), (WRITE, BILLING), (READ, BILLING_SETUP), (WRITE, BILLING_SETUP)]
ROLE_GRANTS[FRONT_DESK] += [(READ, BILLING), (WRITE, BILLING)]
# Everyone on the team chooses their own appointment notifications.
MY_NOTIFICATIONS = "MyNotifications"
for _role in (MANAGER, FRONT_DESK, PROVIDER):
    ROLE_GRANTS[_role] += [(READ, MY_NOTIFICATIONS), (WRITE, MY_NOTIFICATIONS)]
# Reports: managers see every figure, providers their own (app/reports/base.py).
REPORTS = "Reports"
ROLE_GRANTS[MANAGER] += [(READ, REPORTS)]
ROLE_GRANTS[PROVIDER] += [(READ, REPORTS)]
# Bringing patients in and out (CSV import, the client list, a client's complete data):
# managers only; every export is recorded and logged.
CLIENT_DATA = "ClientData"
ROLE_GRANTS[MANAGER] += [(READ, CLIENT_DATA), (WRITE, CLIENT_DATA)]
# Forms: everyone on the team sees which forms a client filled and sends them; reading the
# answers is clinical (``may_read_form_answers``); managers build the forms.
FORMS = "Forms"
FORM_SETUP = "FormSetup"
for _role in (MANAGER, FRONT_DESK, PROVIDER):
    ROLE_GRANTS[_role] += [(READ, FORMS), (WRITE, FORMS)]
ROLE_GRANTS[MANAGER] += [(READ, FORM_SETUP), (WRITE, FORM_SETUP)]
# The clinical record: note content (and plans) for the providers who treat the case and
# managers; the front desk sees only that a note exists and is signed. Only the treating
# provider writes a note (the services decide who that is).
CLINICAL_NOTES = "ClinicalNotes"
NOTE_STATUS = "ClinicalNoteStatus"  # that a visit has a note, and whether it is signed
CLIENT_FILE = "ClientFile"  # the client file, the case file and the provider's day
ATTACHMENTS = "Attachments"
NOTE_TEMPLATES = "NoteTemplates"
ROLE_GRANTS[MANAGER] += _grants(read=(CLINICAL_NOTES, NOTE_STATUS, CLIENT_FILE),
                                write=(ATTACHMENTS, NOTE_TEMPLATES))
ROLE_GRANTS[PROVIDER] += _grants(read=(CLIENT_FILE,), write=(CLINICAL_NOTES, ATTACHMENTS))
ROLE_GRANTS[FRONT_DESK] += _grants(read=(NOTE_STATUS, CLIENT_FILE), write=(ATTACHMENTS,))
MENU_HIDDEN = {FRONT_DESK: set(LOOKUPS), PROVIDER: set(LOOKUPS)}


class PlinthSecurityManager(SignInMixin, SecurityManager):
    """FAB's security manager; Plinth's rules live in the functions of this module, the
    sign-in rules (throttling, server-side sessions) in app/auth/."""

    def add_permissions_view(self, base_permissions, view_menu):
        # FAB's version also deletes a resource's permissions that the view being
        # registered lacks, so a read-only API on "Team" would strip can_write from the
        # Team screen's roles. Plinth's roles are fully defined by sync_roles(), so only add.
        for permission in base_permissions:
            self.add_permission_view_menu(permission, view_menu)


def sync_roles() -> None:
    """Create FAB's permissions for every registered view and Plinth's roles. Idempotent.

    Admin gets every permission. The other roles get exactly ROLE_GRANTS plus the menu
    entries that lead to views they can read; grants no longer listed are removed, so a
    changed definition converges on the next run.
    """
    appbuilder = current_app.appbuilder
    sm = appbuilder.sm
    # Roles first: FAB grants Admin each permission as it adds it.
    for role_name in (ADMIN, sm.auth_role_public, *ROLE_GRANTS):
        sm.add_role(role_name)
    appbuilder.add_permissions(update_perms=True)

    all_pvs = db.session.scalars(select(sm.permissionview_model)).all()
    admin = sm.add_role(ADMIN)
    admin.permissions = list(all_pvs)

    readable_menus = _menu_names_by_resource(appbuilder)
    for role_name, grants in ROLE_GRANTS.items():
        wanted = set(grants)
        for action, resource in grants:
            if action == READ and resource not in MENU_HIDDEN.get(role_name, ()):
                wanted.update(("menu_access", name) for name in readable_menus.get(resource, ()))
        role = sm.add_role(role_name)
        role.permissions = [
            pv for pv in all_pvs if (pv.permission.name, pv.view_menu.name) in wanted
        ]
    db.session.commit()


def _menu_names_by_resource(appbuilder) -> dict[str, set[str]]:
    """Menu item and category names that lead to views of each resource."""
    menus: dict[str, set[str]] = {}
    for category in appbuilder.menu.get_list():
        for item in category.childs or [category]:
            view = item.baseview
            if view is None:
                continue
            names = menus.setdefault(view.class_permission_name, set())
            names.add(item.name)
            names.add(category.name)
    return menus


# --- scope ----------------------------------------------------------------------
def role_names(user) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return {role.name for role in user.roles}


def sees_everything(user) -> bool:
    return bool(role_names(user) & {ADMIN, MANAGER})


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
    conditions = [Case.id.in_(select(Appointment.case_id).where(
        Appointment.id.in_(appointment_scope(user, writable=writable))))]
    if PROVIDER in roles:
        conditions.append(Case.provider_id == _team_member_id(user))
    if FRONT_DESK in roles:
        conditions.append(Case.client_id.in_(_front_desk_clients(user)))
    if not roles:
        return select(Case.id).where(false())
    return select(Case.id).where(or_(*conditions))


def _front_desk_clients(user) -> Select:
    return select(Client.id).where(
        Client.home_location_id.in_(
            select(team_member_location.c.location_id)
            .join(TeamMember, TeamMember.id == team_member_location.c.team_member_id)
            .where(TeamMember.user_id == user.id)
        )
    )


def client_scope(user, *, writable: bool = False) -> Select:
    """Ids of clients the user may see: the clients of the cases in ``case_scope``, and
    for front desk the clients whose home location is one of theirs."""
    if sees_everything(user):
        return select(Client.id)
    roles = role_names(user)
    if not roles:
        return select(Client.id).where(false())
    conditions = [Client.id.in_(select(Case.client_id).where(Case.id.in_(case_scope(user, writable=writable))))]
    if FRONT_DESK in roles:
        conditions.append(Client.id.in_(_front_desk_clients(user)))
    return select(Client.id).where(or_(*conditions))


def _calendars(user, writable: bool) -> Select:
    return bookable_calendar_ids(user) if writable else visible_calendar_ids(user)


def shift_scope(user, *, writable: bool = False) -> Select:
    """Shifts of the calendars the user may see (``writable``: book into)."""
    return select(Shift.id).where(Shift.calendar_id.in_(_calendars(user, writable)))


def time_block_scope(user, *, writable: bool = False) -> Select:
    """Blocked time on the calendars the user may see (``writable``: book into)."""
    return select(TimeBlock.id).where(TimeBlock.calendar_id.in_(_calendars(user, writable)))


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
        Message.appointment_id.in_(appointment_scope(user)),
        Message.client_id.in_(client_scope(user)),
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


def may(user, action: str, resource: str) -> bool:
    """Whether ``user`` holds ``action`` on ``resource`` (whatever their roles are called)."""
    return current_app.appbuilder.sm._has_view_access(user, action, resource)


def invoice_scope(user, *, writable: bool = False) -> Select:
    """Invoices (and credit notes) of the cases the user may see (``writable``: change),
    issued by a location the user works at unless they see everything; none at all for
    whoever may not read billing (a provider opening a client sees no invoices)."""
    from app.models import Invoice

    if not may(user, READ, BILLING):
        return select(Invoice.id).where(false())
    query = select(Invoice.id).where(Invoice.case_id.in_(case_scope(user, writable=writable)))
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
    from app.models import Note

    return select(Note.id).where(Note.case_id.in_(clinical_case_scope(user)))


def payment_scope(user) -> Select:
    """Payments received at the locations the user works at (managers: all)."""
    from app.models import Payment

    return select(Payment.id).where(Payment.location_id.in_(location_scope(user)))


def may_read_form_answers(user, client_id: int) -> bool:
    """Form answers are clinical: managers, and providers of the client's cases (the
    clients in their scope); the front desk sees only whether forms were filled."""
    if sees_everything(user):
        return True
    return PROVIDER in role_names(user) and in_scope(client_scope(user), client_id)
