"""The registration guard: no model screen or API resource reaches a non-admin unscoped.

Plinth's bases (``PlinthModelView``, ``PlinthModelApi``) look their model up in the scope
table when they are built, so an unknown model already fails there. This guard catches
the other way to forget: a screen or resource built on FAB's own classes. Those are
allowed only for admins (FAB's security screens), or where the non-admin roles hold
nothing but the self-service grants (one's own profile and password).
"""
from __future__ import annotations

from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.baseviews import BaseModelView

from app.scopes import UnscopedModel
from app.security import ROLE_GRANTS, SELF_SERVICE


def _granted_beyond_self_service(resource: str) -> bool:
    self_service = set(SELF_SERVICE)
    return any(res == resource and (action, res) not in self_service
               for grants in ROLE_GRANTS.values() for action, res in grants)


def unscoped_screens(appbuilder) -> list[str]:
    """Names of registered model screens/resources a non-admin could open unscoped."""
    from app.api.base import PlinthModelApi
    from app.views.base import PlinthModelView

    found = []
    for view in appbuilder.baseviews:
        if not isinstance(view, (BaseModelView, ModelRestApi)):
            continue  # hand-written pages and endpoints call the scope helpers themselves
        if isinstance(view, (PlinthModelView, PlinthModelApi)):
            continue  # scoped by construction (their model is in the scope table)
        if _granted_beyond_self_service(view.class_permission_name):
            found.append(type(view).__name__)
    return found


def check_every_screen_is_scoped(appbuilder) -> None:
    found = unscoped_screens(appbuilder)
    if found:
        raise UnscopedModel(
            f"{', '.join(found)}: model screens and API resources must be built on PlinthModelView / "
            "PlinthModelApi (app/views/base.py, app/api/base.py), which scope their rows by app/scopes.py."
        )
