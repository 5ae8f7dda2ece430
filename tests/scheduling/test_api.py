"""The scheduling JSON API: availability, booking, changes, series and shifts, as the
front desk and providers use it; bad input changes nothing."""
from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from app.models import Appointment, AppointmentStatus, Calendar, CalendarKind
from app.timeutil import local_today, to_utc
from tests import factories
from tests.api.conftest import login

ZONE = "America/Toronto"
TODAY = local_today(ZONE)  # the clinic's date, not the server's
DAY = TODAY + timedelta(days=14 - TODAY.weekday())  # a Monday two weeks ahead


def local(hour: int, minute: int = 0, day: date = DAY) -> str:
    return to_utc(day, time(hour, minute), ZONE).astimezone().isoformat()


@pytest.fixture()
def desk(client, db, people):
    room = factories.make_calendar(name="Room 1", kind=CalendarKind.room, location=people.location,
                                   disciplines=[people.discipline])
    physio = factories.make_session_type(name="Follow-up", discipline=people.discipline, duration_minutes=30)
    for cal in (people.provider_calendar, people.outsider_calendar, room):
        factories.make_shift(cal, DAY, time(9), time(17), breaks=[(time(12), time(13))])
    patient = factories.make_client(home_location=people.location)  # a Downtown client: front desk's
    case = factories.make_case(client=patient, discipline=people.discipline, provider=people.provider)
    db.session.commit()
    api = login(client, "frontdesk")
    api.ids = {"calendar": people.provider_calendar.id, "session": physio.id, "case": case.id,
               "location": people.location.id, "outsider_calendar": people.outsider_calendar.id}
    return api


def count(db) -> int:
    return db.session.scalar(select(func.count(Appointment.id)))


def book(api, hour, minute=0, **kw):
    body = {"case_id": api.ids["case"], "session_type_id": api.ids["session"], "calendar_id": api.ids["calendar"],
            "start": local(hour, minute), **kw}
    return api.post("/api/v1/appointments", json=body)


def test_availability_lists_local_times_with_offsets(desk):
    response = desk.get(f"/api/v1/availability?session_type_id={desk.ids['session']}&calendar_id={desk.ids['calendar']}"
                        f"&start={DAY}&end={DAY}")
    assert response.status_code == 200, response.json
    slots = response.json["slots"]
    assert slots[0]["start"].startswith(f"{DAY}T09:00:00-0")  # Toronto's offset, not Z
    assert slots[0]["calendar_ids"] == [desk.ids["calendar"]]
    assert not any("T12:" in s["start"] for s in slots)  # lunch


def test_booking_answers_201_then_409_naming_the_conflict(desk, db):
    first = book(desk, 10)
    assert first.status_code == 201, first.json
    assert first.json["start"].startswith(f"{DAY}T10:00:00")
    second = book(desk, 10, 15)
    assert second.status_code == 409
    assert second.json["conflicts"][0]["reason"] == "overlaps_appointment"
    assert second.json["conflicts"][0]["appointment_id"] == first.json["id"]
    assert count(db) == 1


@pytest.mark.parametrize("body, field", [
    ({"start": "tomorrow"}, "start"),
    ({"start": "2030-01-01T10:00:00"}, "start"),  # no offset: ambiguous
    ({"case_id": "x"}, "case_id"),
    ({"calendar_id": None}, "calendar_id"),
])
def test_malformed_bookings_get_422_with_the_field_and_change_nothing(desk, db, body, field):
    response = book(desk, 10, **body)
    assert response.status_code == 422
    assert field in {p.get("field") for p in response.json["problems"]}
    assert count(db) == 0


def test_unknown_ids_and_other_peoples_calendars_are_refused(desk, db):
    assert book(desk, 10, case_id=999999).status_code == 404
    assert book(desk, 10, session_type_id=999999).status_code == 404
    assert book(desk, 10, calendar_id=desk.ids["outsider_calendar"]).status_code == 403
    response = desk.get(f"/api/v1/availability?session_type_id={desk.ids['session']}&calendar_id={desk.ids['outsider_calendar']}"
                        f"&start={DAY}&end={DAY}")
    assert response.status_code == 404
    assert desk.get(f"/api/v1/availability?session_type_id={desk.ids['session']}&location_id={desk.ids['location']}"
                    f"&start={DAY}&end={DAY - timedelta(days=1)}").status_code == 422
    assert count(db) == 0


def test_move_with_a_stale_version_is_refused_and_a_current_one_works(desk, db):
    created = book(desk, 10).json
    moved = desk.request("PATCH", f"/api/v1/appointments/{created['id']}",
                         json={"start": local(11), "version": created["version"]})
    assert moved.status_code == 200, moved.json
    stale = desk.request("PATCH", f"/api/v1/appointments/{created['id']}",
                         json={"start": local(14), "version": created["version"]})
    assert stale.status_code == 409 and stale.json["conflicts"][0]["reason"] == "stale"
    assert db.session.get(Appointment, created["id"]).starts_at == to_utc(DAY, time(11), ZONE)


def test_copy_cancel_and_rebook(desk, db):
    created = book(desk, 10).json
    copied = desk.post(f"/api/v1/appointments/{created['id']}/copy", json={"start": local(14)})
    assert copied.status_code == 201
    rebooked = desk.post(f"/api/v1/appointments/{created['id']}/rebook", json={"start": local(10, 30)})
    assert rebooked.status_code == 201, rebooked.json
    assert rebooked.json["rebooked_from_id"] == created["id"]
    canceled = desk.post(f"/api/v1/appointments/{copied.json['id']}/cancel", json={"reason": "Client ill"})
    assert canceled.status_code == 200
    statuses = {a.id: a.status for a in db.session.scalars(select(Appointment))}
    assert statuses == {created["id"]: AppointmentStatus.rebooked, copied.json["id"]: AppointmentStatus.canceled,
                        rebooked.json["id"]: AppointmentStatus.booked}


def test_series_preview_then_book(desk, db):
    pattern = {"case_id": desk.ids["case"], "session_type_id": desk.ids["session"],
               "calendar_id": desk.ids["calendar"], "first_day": DAY.isoformat(), "weekdays": [0],
               "at": "10:00", "count": 3}
    preview = desk.post("/api/v1/series/preview", json=pattern)
    assert preview.status_code == 200
    assert [o["free"] for o in preview.json["occurrences"]] == [True, False, False]  # no shifts after week one
    refused = desk.post("/api/v1/series", json=pattern)
    assert refused.status_code == 409 and count(db) == 0
    created = desk.post("/api/v1/series", json={**pattern, "count": 1})
    assert created.status_code == 201 and count(db) == 1


def test_a_provider_books_only_into_their_own_calendar(client, desk, db, people):
    api = login(client, "provider")
    api.ids = desk.ids
    assert book(api, 10).status_code == 201
    assert book(api, 11, calendar_id=desk.ids["outsider_calendar"]).status_code == 403


def test_the_week_of_shifts(client, desk, db):
    manager = login(client, "manager")
    response = manager.get(f"/api/v1/shift_plan/week?location_id={desk.ids['location']}&week_start={DAY}")
    assert response.status_code == 200
    assert response.json["visible_hours"] == ["09:00", "17:00"]
    provider_week = next(c for c in response.json["calendars"] if c["calendar_id"] == desk.ids["calendar"])
    assert provider_week["days"][DAY.isoformat()][0]["breaks"] == [["12:00", "13:00"]]


def test_cookie_session_writes_need_the_csrf_token(app, client, desk, db):
    assert client.post("/login/", data={"username": "frontdesk", "password": factories.PASSWORD}).status_code == 302
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/api/v1/appointments", json={"case_id": desk.ids["case"]})
        assert response.status_code == 403
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_changing_this_and_following_occurrences_keeps_each_date(desk, db):
    for week in (1, 2):
        factories.make_shift(db.session.get(Calendar, desk.ids["calendar"]), DAY + timedelta(weeks=week), time(9), time(17))
    db.session.commit()
    pattern = {"case_id": desk.ids["case"], "session_type_id": desk.ids["session"],
               "calendar_id": desk.ids["calendar"], "first_day": DAY.isoformat(), "weekdays": [0],
               "at": "10:00", "count": 3}
    created = desk.post("/api/v1/series", json=pattern).json["appointments"]
    second = created[1]
    moved = desk.request("PATCH", f"/api/v1/appointments/{second['id']}",
                         json={"scope": "following", "start": local(14, 0, DAY + timedelta(weeks=1))})
    assert moved.status_code == 200, moved.json
    starts = sorted(a.starts_at for a in db.session.scalars(select(Appointment)))
    assert starts == [to_utc(DAY, time(10), ZONE), to_utc(DAY + timedelta(weeks=1), time(14), ZONE),
                      to_utc(DAY + timedelta(weeks=2), time(14), ZONE)]
