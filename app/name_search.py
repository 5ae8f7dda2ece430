"""Which clients, cases and visits a typed name finds: "contains", without case or accents
(app/folding.py), the wildcards ``%`` and ``_`` taken as letters. One rule for the grid's
client search, the lists' "Name contains" (views/name_filters.py) and the forms' pickers
(views/pickers.py)."""
from __future__ import annotations

from sqlalchemy import or_

from app.folding import fold, folded
from app.models import Appointment, Case, Client


def _like(value: str) -> str:
    escaped = fold(value.strip()).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _contains(column, value: str):
    return folded(column).like(_like(value), escape="\\")


def client_named(value: str):
    """The client's name contains ``value`` ("jose s" finds José Silva, "silva j" too)."""
    return or_(_contains(Client.first_name + " " + Client.last_name, value),
               _contains(Client.last_name + " " + Client.first_name, value))


def case_named(value: str):
    return or_(_contains(Case.title, value), Case.client.has(client_named(value)))


def appointment_named(value: str):
    return Appointment.case.has(case_named(value))
