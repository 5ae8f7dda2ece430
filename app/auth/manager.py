"""Plinth's security manager: what it adds to FAB's for signing in (see app/auth/views.py)."""
from __future__ import annotations

from flask import has_request_context, request
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import RoleModelView, UserDBModelView
from flask_appbuilder.widgets import ListWidget

from app.auth.throttle import guarded_login
from app.auth.views import PlinthAuthDBView, PlinthSecurityApi
from app.booking.limits import client_ip


def _joined(values) -> str:
    """Roles, groups and permissions as words: "Manager, Provider", never "[]"."""
    return ", ".join(str(value) for value in values or [])


def _moment(value) -> str:
    from app.views.base import display_value  # the screens' one formatter (imports this module's importer)

    return display_value(value)


class PlinthUserView(UserDBModelView):
    formatters_columns = {"roles": _joined, "groups": _joined, "last_login": _moment, "created_on": _moment,
                          "changed_on": _moment}


class PlinthRoleView(RoleModelView):
    list_widget = ListWidget  # FAB's role list prints the permission list as Python shows it
    formatters_columns = {"permissions": _joined}


class SignInMixin:
    """Mixed into ``PlinthSecurityManager`` before FAB's ``SecurityManager``."""

    authdbview = PlinthAuthDBView
    security_api = PlinthSecurityApi
    userdbmodelview = PlinthUserView
    rolemodelview = PlinthRoleView

    def auth_user_db(self, username, password):
        # FAB's check already answers unknown and inactive users like a wrong password,
        # after hashing a dummy (AUTH_DB_FAKE_PASSWORD_HASH_CHECK, made with our hash
        # method in app/auth/__init__.py so the work is comparable).
        if has_request_context():
            channel, address = ("api" if request.path.startswith("/api/") else "web"), client_ip()
        else:  # a command or script checking a password
            channel, address = "local", "local"
        parent = super()
        return guarded_login(username, address, channel, lambda: parent.auth_user_db(username, password))


class PlinthSecurityManager(SignInMixin, SecurityManager):
    """FAB's security manager (``FAB_SECURITY_MANAGER_CLASS``): the sign-in rules above
    (throttling, server-side sessions, app/auth/); who may do what is app/security/."""

    def add_permissions_view(self, base_permissions, view_menu):
        # FAB's version also deletes a resource's permissions that the view being
        # registered lacks, so a read-only API on "Team" would strip can_write from the
        # Team screen's roles. Plinth's roles are fully defined by sync_roles(), so only add.
        for permission in base_permissions:
            self.add_permission_view_menu(permission, view_menu)
