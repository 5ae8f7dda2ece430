"""A list kept to its reader's locations, read through ``(location_id, <its order>, id)`` (issue 13).

Invoices and payments are scoped to the locations a reader works at
(``security.location_scope``, inside ``invoice_scope`` / ``payment_scope``). Stated as
``location_id IN (their locations)`` or asked row by row, PostgreSQL can only read the list
in its order and drop the other locations' rows as it meets them (the front desk's Invoices
page at 150,000 clients checked the case scope of 5,946 Lisbon invoices to fill a Toronto
page), or read the location's whole history and sort it. A reader who works at exactly one
location (every front desk of the demo, and a one-location clinic's manager) has their
location stated as ``location_id = theirs`` as well: the same rows, since their scope already
keeps the list there, and now a condition an index on ``(location_id, <order>, id)`` reads
in the list's order, a page at a time. A reader of several locations is left to the scope
alone (a comparison with one value is what keeps the index's order).
"""
from __future__ import annotations

from flask import request
from flask_appbuilder.models.filters import BaseFilter

from app.extensions import db
from app.security import current_user, location_scope


def only_location(user) -> int | None:
    """The one location ``user`` works at (all locations, for who sees everything), else None.
    Asked once per request (kept in the request's environ: ``g`` may outlive a request in tests)."""
    cache = request.environ.setdefault("plinth.only_location", {})
    key = getattr(user, "id", None)
    if key not in cache:
        ids = db.session.scalars(location_scope(user).limit(2)).all() if user is not None else []
        cache[key] = ids[0] if len(ids) == 1 else None
    return cache[key]


class AtTheOnlyLocation(BaseFilter):
    """``base_filters`` entry ``["location_id", AtTheOnlyLocation, None]``: rows at the reader's
    one location, said as an equality; nothing for a reader of several (see the module)."""

    name = "At the reader's only location"
    arg_name = "only_location"

    def apply(self, query, value):
        location = only_location(current_user())
        if location is None:
            return query
        return query.filter(getattr(self.model, self.column_name) == location)
