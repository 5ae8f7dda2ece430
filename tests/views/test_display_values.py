"""Statuses and kinds on the list and show screens read in words, as the grid says them
(issue 14's trial saw "booked", "no_show", "self_pay" in the appointment and payer lists)."""
from __future__ import annotations

import pytest

from app.models import AppointmentStatus, PayerKind
from app.views.base import display_value, enum_words


@pytest.mark.parametrize("value, shown", [
    (AppointmentStatus.booked, "Booked"),
    (AppointmentStatus.no_show, "No show"),
    (AppointmentStatus.canceled, "Canceled"),
    (PayerKind.self_pay, "Self pay"),
    (PayerKind.motor_vehicle, "Motor vehicle"),
    ([PayerKind.insurer, PayerKind.other], "Insurer, Other"),
])
def test_an_enum_reads_as_words(value, shown):
    assert display_value(value) == shown


@pytest.mark.parametrize("value, shown", [("no_show", "No show"), ("staff", "Staff"), (None, "")])
def test_an_enum_columns_bare_value_reads_as_words(value, shown):  # what FAB hands a list's formatter
    assert enum_words(value) == shown


def test_the_appointment_list_says_statuses_in_words(client, db, people):
    from datetime import datetime, timezone

    from tests import factories
    from tests.views.helpers import login

    session = factories.make_session_type(discipline=people.discipline)
    case = factories.make_case(client=factories.make_client(home_location=people.location), discipline=people.discipline)
    factories.make_appointment(people.provider_calendar, datetime(2026, 3, 10, 15, tzinfo=timezone.utc),
                               case=case, session_type=session, status=AppointmentStatus.no_show)
    db.session.commit()
    login(client, "manager")
    page = client.get("/appointmentview/list/").get_data(as_text=True)
    from tests.views.test_raw_values import visible_text

    shown = visible_text(page)
    assert "No show" in shown and "no_show" not in shown
    assert "no_show\\u003c" not in page and "No show\\u003c" in page  # the search form's choice, in its script
