"""The shift planner's API: every conflict is listed before saving and nothing is half
saved; changes reach one date or this and following; copies and visible hours."""
from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from app.models import Calendar, CalendarKind, Location, Shift
from app.timeutil import to_utc
from tests import factories
from tests.api.conftest import login

ZONE = "America/Toronto"
# A Monday two weeks ahead; 2026-03-02 would be fine too, but keep to the future like the grid.
MONDAY = date(2027, 3, 8)  # the week after contains Toronto's spring-forward (2027-03-14)


@pytest.fixture()
def plan(client, db, people):
    room = factories.make_calendar(name="Room 1", kind=CalendarKind.room, location=people.location)
    db.session.commit()
    api = login(client, "manager")
    api.ids = {"provider": people.provider_calendar.id, "room": room.id, "location": people.location.id}
    return api


def shift_count(db, **where) -> int:
    query = select(func.count(Shift.id))
    for name, value in where.items():
        query = query.where(getattr(Shift, name) == value)
    return db.session.scalar(query)


def repeat_body(plan, **kw):
    body = {"calendar_ids": [plan.ids["provider"], plan.ids["room"]], "first_day": MONDAY.isoformat(),
            "weekdays": [0, 2, 4], "weeks": 4, "start": "08:00", "end": "16:00", "breaks": [["12:00", "12:30"]]}
    return body | kw


def test_a_repeat_is_previewed_with_every_clash_then_saved_around_them(plan, db):
    factories.make_shift(db.session.get(Calendar, plan.ids["room"]), MONDAY + timedelta(weeks=1), time(15), time(18))
    db.session.commit()
    preview = plan.post("/api/v1/shift_planner/repeat/preview", json=repeat_body(plan))
    assert preview.status_code == 200, preview.json
    assert preview.json["shifts"] == 2 * 3 * 4
    assert [(c["calendar"], c["day"]) for c in preview.json["conflicts"]] == [
        ("Room 1", (MONDAY + timedelta(weeks=1)).isoformat())]
    assert shift_count(db) == 1  # a preview writes nothing
    refused = plan.post("/api/v1/shift_plan/repeat", json=repeat_body(plan))
    assert refused.status_code == 409 and shift_count(db) == 1
    saved = plan.post("/api/v1/shift_plan/repeat", json=repeat_body(plan, skip_conflicts=True))
    assert saved.status_code == 201 and saved.json["created"] == 23
    week = plan.get(f"/api/v1/shift_plan/week?location_id={plan.ids['location']}&week_start={MONDAY + timedelta(weeks=1)}")
    row = next(c for c in week.json["calendars"] if c["calendar_id"] == plan.ids["provider"])
    # The DST week: still 08:00–16:00 on the wall clock, lunch included.
    assert row["days"][(MONDAY + timedelta(weeks=1)).isoformat()][0]["breaks"] == [["12:00", "12:30"]]


def test_copy_last_week_onto_the_next_weeks(plan, db):
    provider = db.session.get(Calendar, plan.ids["provider"])
    factories.make_shift(provider, MONDAY, time(9), time(17), breaks=[(time(12), time(13))])
    factories.make_shift(provider, MONDAY + timedelta(days=3), time(8), time(12))
    factories.make_shift(provider, MONDAY + timedelta(weeks=2), time(10), time(11))  # clashes with a copy
    db.session.commit()
    body = {"location_id": plan.ids["location"], "source_week": MONDAY.isoformat(), "weeks": 3}
    preview = plan.post("/api/v1/shift_planner/copy", json=body | {"preview": True})
    assert preview.json["shifts"] == 6
    assert [c["day"] for c in preview.json["conflicts"]] == [(MONDAY + timedelta(weeks=2)).isoformat()]
    assert plan.post("/api/v1/shift_planner/copy", json=body).status_code == 409
    assert shift_count(db) == 3
    done = plan.post("/api/v1/shift_planner/copy", json=body | {"skip_clashes": True})
    assert done.status_code == 201 and done.json["created"] == 5
    copied = db.session.scalars(select(Shift).where(Shift.day == MONDAY + timedelta(weeks=3))).one()
    assert (copied.start_time, [(b.start_time, b.end_time) for b in copied.breaks]) == (time(9), [(time(12), time(13))])


def test_shortening_a_day_lists_the_appointments_left_outside_before_saving(plan, db):
    provider = db.session.get(Calendar, plan.ids["provider"])
    shift = factories.make_shift(provider, MONDAY, time(8), time(16))
    factories.make_appointment(provider, to_utc(MONDAY, time(15), ZONE))
    factories.make_appointment(provider, to_utc(MONDAY, time(9), ZONE))
    db.session.commit()
    url = f"/api/v1/shift_planner/shifts/{shift.id}"
    body = {"start": "08:00", "end": "14:00", "breaks": []}
    preview = plan.put(url, json=body | {"preview": True})
    assert [c["kind"] for c in preview.json["conflicts"]] == ["appointment"]
    assert "15:00" in preview.json["conflicts"][0]["message"]
    refused = plan.put(url, json=body)
    assert refused.status_code == 409
    db.session.expire_all()
    assert db.session.get(Shift, shift.id).end_time == time(16)
    assert plan.put(url, json=body | {"accept_outside": True}).json == {"changed": 1}
    db.session.expire_all()
    assert db.session.get(Shift, shift.id).end_time == time(14)


@pytest.mark.parametrize("scope, left", [("this", 3), ("following", 1)])
def test_removing_one_date_or_this_and_following(plan, db, scope, left):
    created = plan.post("/api/v1/shift_plan/repeat", json=repeat_body(plan, calendar_ids=[plan.ids["provider"]],
                                                                        weekdays=[1], weeks=4))
    assert created.status_code == 201
    second = db.session.scalars(select(Shift).order_by(Shift.day).offset(1)).first()
    response = plan.post(f"/api/v1/shift_planner/shifts/{second.id}/remove", json={"scope": scope})
    assert response.status_code == 200, response.json
    assert shift_count(db) == left


def test_changing_this_and_following_changes_the_later_dates_only(plan, db):
    plan.post("/api/v1/shift_plan/repeat", json=repeat_body(plan, calendar_ids=[plan.ids["provider"]], weekdays=[1]))
    third = db.session.scalars(select(Shift).order_by(Shift.day).offset(2)).first()
    response = plan.put(f"/api/v1/shift_planner/shifts/{third.id}",
                        json={"scope": "following", "start": "10:00", "end": "18:00", "breaks": []})
    assert response.json == {"changed": 2}
    db.session.expire_all()
    starts = db.session.scalars(select(Shift.start_time).order_by(Shift.day)).all()
    assert starts == [time(8), time(8), time(10), time(10)]


def test_visible_hours_are_set_here_and_only_by_those_who_set_up_locations(plan, client, db):
    body = {"location_id": plan.ids["location"], "start": "07:00", "end": "19:30"}
    assert plan.put("/api/v1/shift_planner/hours", json=body).status_code == 200
    db.session.expire_all()
    location = db.session.get(Location, plan.ids["location"])
    assert (location.grid_start, location.grid_end) == (time(7), time(19, 30))
    bad = plan.put("/api/v1/shift_planner/hours", json=body | {"end": "06:00"})
    assert bad.status_code == 422
    desk = login(client, "frontdesk")
    assert desk.put("/api/v1/shift_planner/hours", json=body).status_code == 403
    assert desk.post("/api/v1/shift_planner/copy", json={"location_id": plan.ids["location"],
                                                       "source_week": MONDAY.isoformat(), "weeks": 1}).status_code == 403


def test_the_planner_page_opens_on_the_locations_current_week(client, plan, db):
    assert client.post("/login/", data={"username": "manager", "password": factories.PASSWORD}).status_code == 302
    page = client.get("/planner/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Shift planner" in text and 'id="planner-table"' in text


def test_copies_form_a_repeat_so_this_and_following_reaches_them(plan, db):
    provider = db.session.get(Calendar, plan.ids["provider"])
    room = db.session.get(Calendar, plan.ids["room"])
    for calendar in (provider, room):
        factories.make_shift(calendar, MONDAY, time(9), time(17))
    db.session.commit()
    body = {"location_id": plan.ids["location"], "source_week": MONDAY.isoformat(), "weeks": 4}
    assert plan.post("/api/v1/shift_planner/copy", json=body).json == {"created": 8}
    second = db.session.scalars(select(Shift).where(Shift.calendar_id == provider.id,
                                                    Shift.day == MONDAY + timedelta(weeks=2))).one()
    removed = plan.post(f"/api/v1/shift_planner/shifts/{second.id}/remove", json={"scope": "following"})
    assert removed.json == {"removed": 3}  # weeks 2, 3 and 4 of the provider; the room keeps its own
    assert shift_count(db, calendar_id=provider.id) == 2 and shift_count(db, calendar_id=room.id) == 5
