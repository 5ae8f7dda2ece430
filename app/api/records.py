"""REST resources for the clinic's records: clients and their cases.

Rows are scoped by ``client_scope`` / ``case_scope``; a case may only point at a client
the user may see, and a write may not move a row out of the writer's own scope.
"""
from __future__ import annotations

from collections.abc import Iterable

from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.api.base import PlinthModelApi
from app.api.rules import EMAIL, PHONE, money, non_negative_int
from app.errors import Problem
from app.plausible_dates import check_birth_date
from app.setup.validation import InvalidValue
from app.models import Case, Client
from app.security import CASES, CLIENTS, case_scope, client_scope, writable
from app.timeutil import local_today

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
    field_rules = {"email": EMAIL, "phone": PHONE}

    def validate_item(self, item: Client) -> Iterable[Problem]:
        try:
            check_birth_date(item.date_of_birth, local_today(item.home_location or "UTC"))
        except InvalidValue as exc:
            yield Problem(str(exc), "date_of_birth")


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
