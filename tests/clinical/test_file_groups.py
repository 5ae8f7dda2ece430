"""Where a visit is listed in the client file: upcoming, canceled ahead, or past.

A walk-through found a canceled visit next week listed under "Past"."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from app.clinical.client_file import ClientFile, Visit
from app.models import AppointmentStatus as S

NOW = datetime(2026, 12, 4, 15, 0, tzinfo=timezone.utc)


def _visit(n: int, hours: int, status: S) -> Visit:
    return Visit(id=n, starts_at=NOW + timedelta(hours=hours), timezone="America/Toronto", status=status, case_id=1,
                 session="Follow-up", provider=None, location="Downtown", rebooked_from_id=None)


@pytest.mark.parametrize("hours, status, group", [
    (24, S.booked, "upcoming"), (24, S.confirmed, "upcoming"), (0, S.booked, "upcoming"),
    (24, S.canceled, "canceled_ahead"), (24, S.rebooked, "canceled_ahead"),
    (-24, S.paid, "past"), (-24, S.canceled, "past"), (-1, S.no_show, "past"), (-24, S.booked, "past"),
])
def test_each_visit_is_listed_once_in_the_group_its_time_and_status_say(hours, status, group):
    file = ClientFile(client=None, today=date(2026, 12, 4), visits=[_visit(1, hours, status)], cases=[], no_shows=0,
                      note_level="none", now=NOW)
    groups = {name: [v.id for v in getattr(file, name)] for name in ("upcoming", "canceled_ahead", "past")}
    assert groups == {name: ([1] if name == group else []) for name in groups}


def test_the_files_payers_are_those_of_the_cases_open_today():
    """``Case.is_open_on`` is the rule: a case closing tomorrow still counts, one closed
    today does not. (The property read a ``Case.is_open`` that no longer existed, so the
    page's Jinja swallowed the AttributeError and every client read as Self-pay.)"""
    from types import SimpleNamespace

    from app.clinical.client_file import CaseRow
    from app.models import Case

    today = date(2026, 12, 4)

    def row(payer, closed_on):
        return CaseRow(case=Case(title=payer, payer=SimpleNamespace(name=payer), closed_on=closed_on), plan=None)

    rows = [row("Sun Life", None), row("Manulife", today + timedelta(days=1)), row("Blue Cross", today),
            CaseRow(case=Case(title="self", closed_on=None), plan=None)]
    file = ClientFile(client=None, today=today, visits=[], cases=rows, no_shows=0, note_level="none", now=NOW)
    assert file.payers == ["Manulife", "Sun Life"]
