"""Roles: what each grants (``ROLE_GRANTS``, the one definition), writing them to FAB's
tables (``sync_roles``), and the one permission check (``may``)."""
from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.security.vocabulary import (
    ADMIN, APPOINTMENTS, ATTACHMENTS, AUDIT, BILLING, BILLING_SETUP, CASES, CLIENT_DATA,
    CLIENT_FILE, CLIENTS, CLINICAL_NOTES, FORM_SETUP, FORMS, FRONT_DESK, LOOKUPS, MANAGER,
    MESSAGE_SETUP, MESSAGES, MY_NOTIFICATIONS, NOTE_STATUS, NOTE_TEMPLATES, ONLINE_BOOKING,
    PROVIDER, READ, REPORTS, SETUP_RESOURCES, SHIFTS, TIME_BLOCKS, WAITLIST, WRITE,
)

# Everyone who logs in may see and edit their own profile.
SELF_SERVICE = [
    ("can_this_form_get", "UserInfoEditView"),
    ("can_this_form_post", "UserInfoEditView"),
    ("can_this_form_get", "ResetMyPasswordView"),
    ("can_this_form_post", "ResetMyPasswordView"),
    ("can_userinfo", "UserDBModelView"),
    ("resetmypassword", "UserDBModelView"),
]


def _grants(read: Iterable[str] = (), write: Iterable[str] = ()) -> list[tuple[str, str]]:
    pairs = [(READ, r) for r in read] + [(READ, w) for w in write] + [(WRITE, w) for w in write]
    return sorted(set(pairs)) + SELF_SERVICE


# Every role's grants, in one place (Admin holds every permission).
# - Managers set up the clinic, the public site, fees, packages, forms and note templates,
#   bring patients in and out (ClientData: every export is recorded), read the audit, every
#   report, the clinical record, and the API's OpenAPI document (integrations are theirs).
# - The front desk books, works the waitlist, arrives, bills and collects; sees that a note
#   exists and is signed, never its content.
# - Providers book into the calendars granted to them (the scope helpers decide which),
#   write the notes of the cases they treat, see their own reports; billing only through
#   their visits.
# - Everyone on the team chooses their own notifications, sees which forms a client filled
#   and sends them (reading the answers is clinical: ``may_read_form_answers``).
ROLE_GRANTS: dict[str, list[tuple[str, str]]] = {
    MANAGER: _grants(
        read=(AUDIT, REPORTS, CLINICAL_NOTES, NOTE_STATUS, CLIENT_FILE),
        write=SETUP_RESOURCES + (CLIENTS, CASES, APPOINTMENTS, MESSAGES, MESSAGE_SETUP, WAITLIST,
                                 ONLINE_BOOKING, BILLING, BILLING_SETUP, MY_NOTIFICATIONS,
                                 CLIENT_DATA, FORMS, FORM_SETUP, ATTACHMENTS, NOTE_TEMPLATES),
    ) + [("can_get", "OpenApi")],
    FRONT_DESK: _grants(
        read=(SHIFTS, MESSAGES, NOTE_STATUS, CLIENT_FILE) + LOOKUPS,
        write=(CLIENTS, CASES, TIME_BLOCKS, APPOINTMENTS, WAITLIST, BILLING, MY_NOTIFICATIONS,
               FORMS, ATTACHMENTS),
    ),
    PROVIDER: _grants(
        read=(SHIFTS, REPORTS, CLIENT_FILE) + LOOKUPS,
        write=(CLIENTS, CASES, APPOINTMENTS, MY_NOTIFICATIONS, FORMS, CLINICAL_NOTES, ATTACHMENTS),
    ),
}
# Read access to the catalogue for everyone, without the setup screens in their menu.
MENU_HIDDEN = {FRONT_DESK: set(LOOKUPS), PROVIDER: set(LOOKUPS)}


def role_names(user) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return {role.name for role in user.roles}


def sees_everything(user) -> bool:
    return bool(role_names(user) & {ADMIN, MANAGER})


def may(user, action: str, resource: str) -> bool:
    """Whether ``user`` holds ``action`` on ``resource`` (whatever their roles are called).

    The one permission check: screens, APIs and services all ask it, for the signed-in user
    (``current_user()``) or the API's caller (``acting_user()``). One EXISTS query over the
    user's roles, through FAB's public ``get_user_roles`` / ``exist_permission_on_roles``.
    """
    if user is None or not getattr(user, "is_active", True):
        return False
    sm = current_app.appbuilder.sm
    role_ids = [role.id for role in sm.get_user_roles(user)]
    return bool(role_ids) and bool(sm.exist_permission_on_roles(resource, action, role_ids))


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
