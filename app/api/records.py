"""REST resources for the clinic's records: clients and their cases.

Rows are scoped by ``client_scope`` / ``case_scope``; a case may only point at a client
the user may see, and a write may not move a row out of the writer's own scope.
"""
from __future__ import annotations

from collections.abc import Iterable

from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.api.base import PlinthModelApi
from app.api.rules import EMAIL, Rule, money, non_negative_int
from app.errors import Problem
from app.extensions import db
from app.plausible_dates import check_birth_date
from app.setup.validation import InvalidValue, check_phone
from app.models import Case, Client, Location
from app.security import CASES, CLIENTS, case_scope, client_scope, writable
from app.timeutil import local_today

def _home_region(body: dict, row: Client | None) -> dict:
    """The phone region of the client's home location: the one the body names, else the
    row's (Location.phone_region_of)."""
    if "home_location" in body:
        named = body["home_location"]
        location = db.session.get(Location, named) if isinstance(named, int) and 0 < named < 2**31 else None
    else:
        location = row.home_location if row is not None else None
    return {"default_region": Location.phone_region_of(location)}


_CLIENT_FIELDS = [
    "first_name", "last_name", "preferred_name", "date_of_birth", "email", "phone",
    "address_line1", "address_line2", "city", "region", "postal_code", "country", "tax_id",
    "alerts", "online_booking_blocked", "home_location",
]


class ClientApi(PlinthModelApi):
    write_scope = staticmethod(writable(client_scope))
    resource_name = "client"
    class_permission_name = CLIENTS
    datamodel = SQLAInterface(Client)
    row_scope = staticmethod(client_scope)
    list_columns = [
        "id", "first_name", "last_name", "preferred_name", "date_of_birth", "email", "phone",
        "city", "alerts", "online_booking_blocked", "home_location_id", "created_at",
    ]
    show_columns = ["id", *[f for f in _CLIENT_FIELDS if f != "home_location"], "home_location_id", "created_at"]
    add_columns = edit_columns = _CLIENT_FIELDS
    search_columns = ["first_name", "last_name", "preferred_name", "email", "phone", "date_of_birth", "city"]
    base_order = ("last_name", "asc")
    # A local number is read in the client's home location's country (cleaned before
    # loading; checked again below against the location the row ends up with).
    field_rules = {"email": EMAIL, "phone": Rule(check_phone, normalises=True, context=_home_region)}

    def validate_item(self, item: Client) -> Iterable[Problem]:
        try:
            check_birth_date(item.date_of_birth, local_today(item.home_location))
        except InvalidValue as exc:
            yield Problem(str(exc), "date_of_birth")
        try:
            if item.phone and check_phone(item.phone, Location.phone_region_of(item.home_location)) != item.phone:
                yield Problem(f"“{item.phone}” is not a phone number in international form.", "phone")
        except InvalidValue as exc:
            yield Problem(str(exc), "phone")


_CASE_FIELDS = [
    "client", "title", "discipline", "payer", "provider", "claim_number", "referral_source",
    "prescriber", "opened_on", "closed_on", "authorised_visits", "authorised_amount",
    "authorisation_expires_on", "notes",
]


class CaseApi(PlinthModelApi):
    write_scope = staticmethod(writable(case_scope))
    resource_name = "case"
    class_permission_name = CASES
    datamodel = SQLAInterface(Case)
    row_scope = staticmethod(case_scope)
    list_columns = [
        "id", "client_id", "title", "discipline_id", "payer_id", "provider_id", "claim_number",
        "opened_on", "closed_on", "authorised_visits", "authorised_amount",
        "authorisation_expires_on", "client.first_name", "client.last_name",
    ]
    show_columns = [
        "id", "client_id", "discipline_id", "payer_id", "provider_id",
        *[f for f in _CASE_FIELDS if f not in ("client", "discipline", "payer", "provider")],
        "client.first_name", "client.last_name",
    ]
    add_columns = edit_columns = _CASE_FIELDS
    search_columns = ["client", "title", "discipline", "payer", "provider", "claim_number", "opened_on", "closed_on"]
    base_order = ("opened_on", "desc")
    field_rules = {
        "authorised_visits": non_negative_int("The authorised visits"),
        "authorised_amount": money("The authorised amount"),
    }

    def validate_item(self, item: Case) -> Iterable[Problem]:
        if item.opened_on and item.closed_on and item.closed_on < item.opened_on:
            yield Problem(
                f"The case is closed ({item.closed_on:%Y-%m-%d}) before it was opened ({item.opened_on:%Y-%m-%d}).",
                "closed_on",
            )
        if item.opened_on and item.authorisation_expires_on and item.authorisation_expires_on < item.opened_on:
            yield Problem("The authorisation expires before the case was opened.", "authorisation_expires_on")


RECORD_APIS = (ClientApi, CaseApi)
