"""Which clients, cases and visits a typed name finds: "contains", without case or accents
(app/folding.py), every character typed taken as itself (``%``, ``_``, ``.``). One rule for the grid's
client search, the lists' "Name contains" (views/name_filters.py) and the forms' pickers
(views/pickers.py)."""
from __future__ import annotations

from sqlalchemy import or_

from app.folding import contains
from app.models import Appointment, Case, Client


def client_named(value: str):
    """The client's name contains ``value`` ("jose s" finds José Silva, "silva j" too)."""
    first_last = contains(Client.first_name + " " + Client.last_name, value)
    if " " not in value.strip():
        return first_last  # a word is in "first last" whenever it is in "last first"
    return or_(first_last, contains(Client.last_name + " " + Client.first_name, value))


def case_named(value: str):
    return or_(contains(Case.title, value), Case.client.has(client_named(value)))


def appointment_named(value: str):
    return Appointment.case.has(case_named(value))
