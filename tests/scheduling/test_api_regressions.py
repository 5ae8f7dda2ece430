"""Scope bugs found in review, through the API and the grid."""
from __future__ import annotations

from datetime import time

from app.models import Appointment, AppointmentStatus, CalendarKind
from app.timeutil import to_utc
from tests import factories
from tests.api.conftest import login
from tests.scheduling.test_api import DAY, desk  # noqa: F401  (fixture)
from tests.views.helpers import login as browser_login


def test_a_provider_cannot_cancel_a_colleagues_occurrences_through_series_scope(client, desk, db, people):  # noqa: F811
    colleague = people.outsider_calendar  # another provider's calendar (other location)
    case = factories.make_case(discipline=people.discipline, provider=people.provider)
    session = factories.make_session_type(discipline=people.discipline)
    mine = factories.make_appointment(people.provider_calendar, to_utc(DAY, time(9), "America/Toronto"),
                                      case=case, session_type=session, series_id="s-1")
    theirs = factories.make_appointment(colleague, to_utc(DAY, time(9), "Europe/Lisbon"),
                                        case=case, session_type=session, series_id="s-1")
    db.session.commit()
    api = login(client, "provider")
    response = api.post(f"/api/v1/appointments/{mine.id}/cancel", json={"scope": "all"})
    assert response.status_code in (403, 404)  # refused, whole: theirs is not even visible
    db.session.expire_all()
    assert db.session.get(Appointment, theirs.id).status == AppointmentStatus.booked


def test_a_provider_can_cancel_their_room_session(client, desk, db, people):  # noqa: F811
    room = factories.make_calendar(name="Gym", kind=CalendarKind.room, location=people.location,
                                   disciplines=[people.discipline])
    factories.make_shift(room, DAY, time(8), time(18))
    rehab = factories.make_session_type(discipline=people.discipline, needs_room=True, duration_minutes=45)
    db.session.commit()
    api = login(client, "provider")
    booked = api.post("/api/v1/appointments", json={
        "case_id": desk.ids["case"], "session_type_id": rehab.id, "calendar_id": desk.ids["calendar"],
        "start": to_utc(DAY, time(10), "America/Toronto").isoformat()})
    assert booked.status_code == 201, booked.json
    assert len(booked.json["calendar_ids"]) == 2
    assert api.post(f"/api/v1/appointments/{booked.json['id']}/cancel", json={}).status_code == 200


def test_a_manager_cannot_create_an_administrator(client, db, people):
    db.session.commit()
    browser_login(client, "manager")
    response = client.post("/teammemberview/add", data={
        "display_name": "Eve Admin", "username": "eve", "email": "eve@clinic.example.com",
        "password": "a-long-password", "role": "Admin"})
    assert "Only an administrator" in response.get_data(as_text=True)


def test_the_appointment_panel_shows_only_visits_the_user_may_see(client, db, people):
    patient = factories.make_client(home_location=people.location)
    case = factories.make_case(client=patient, discipline=people.discipline, provider=people.provider)
    session = factories.make_session_type(discipline=people.discipline)
    here = factories.make_appointment(people.provider_calendar, to_utc(DAY, time(9), "America/Toronto"),
                                      case=case, session_type=session)
    factories.make_appointment(people.outsider_calendar, to_utc(DAY, time(15), "Europe/Lisbon"),
                               case=case, session_type=session)
    db.session.commit()
    browser_login(client, "provider")
    panel = client.get(f"/calendar/feed/appointment/{here.id}").json
    assert panel["next_visit"] is None  # the Lisbon visit is the outsider's, not shown
