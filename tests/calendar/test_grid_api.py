"""The grid's own write endpoints: blocked time and breaks, booking on a case opened in
the form, repeating an appointment with alternatives; and the free-rooms feed. Each
refusal says why and leaves nothing half-saved."""
from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from app.models import Appointment, AuditEvent, CalendarKind, Case, PayerKind, ShiftBreak, TimeBlock
from app.timeutil import local_today, to_utc
from tests import factories
from tests.api.conftest import login

ZONE = "America/Toronto"
TODAY = local_today(ZONE)  # the clinic's date, not the server's
DAY = TODAY + timedelta(days=14 - TODAY.weekday())  # a Monday two weeks ahead


def local(hour: int, minute: int = 0, day: date = DAY) -> str:
    return to_utc(day, time(hour, minute), ZONE).astimezone().isoformat()


def count(db, model) -> int:
    return db.session.scalar(select(func.count(model.id)))


@pytest.fixture()
def scene(db, people):
    room_a = factories.make_calendar(name="Room A", kind=CalendarKind.room, location=people.location,
                                     disciplines=[people.discipline], sort_order=1)
    room_b = factories.make_calendar(name="Room B", kind=CalendarKind.room, location=people.location,
                                     disciplines=[people.discipline], sort_order=2)
    follow_up = factories.make_session_type(name="Follow-up", discipline=people.discipline, duration_minutes=30)
    rehab = factories.make_session_type(name="Rehab", discipline=people.discipline, duration_minutes=45,
                                        needs_room=True)
    for day in (DAY, DAY + timedelta(days=7), DAY + timedelta(days=14)):
        for cal in (people.provider_calendar, room_a, room_b):
            factories.make_shift(cal, day, time(9), time(17), breaks=[(time(12), time(13))])
    rita = factories.make_client(first_name="Rita", last_name="Almeida", home_location=people.location)
    case = factories.make_case(client=rita, title="Knee", discipline=people.discipline, provider=people.provider)
    taken = factories.make_appointment(people.provider_calendar, to_utc(DAY, time(10), ZONE), case=case,
                                       session_type=follow_up)
    payer = factories.make_payer(name="Blue Cross")
    db.session.commit()
    return {"calendar": people.provider_calendar.id, "room_a": room_a.id, "room_b": room_b.id,
            "follow_up": follow_up.id, "rehab": rehab.id, "case": case.id, "client": rita.id, "taken": taken.id,
            "payer": payer.id, "discipline": people.discipline.id, "outsider": people.outsider_calendar.id}


# --- blocked time ------------------------------------------------------------------
def test_front_desk_blocks_time_then_moves_retitles_and_removes_it(client, db, scene):
    api = login(client, "frontdesk")
    made = api.post("/api/v1/grid/blocks/", json={"calendar_id": scene["calendar"], "start": local(14),
                                                 "end": local(15), "reason": "Team meeting"})
    assert made.status_code == 201, made.json
    assert made.json["start"].startswith(f"{DAY}T14:00:00-0")
    block_id = made.json["id"]
    moved = api.request("PATCH", f"/api/v1/grid/blocks/{block_id}",
                        json={"start": local(15), "end": local(16, 30), "reason": "Supervision"})
    assert moved.status_code == 200, moved.json
    block = db.session.get(TimeBlock, block_id)
    assert (block.reason, block.starts_at, block.ends_at) == ("Supervision", to_utc(DAY, time(15), ZONE),
                                                             to_utc(DAY, time(16, 30), ZONE))
    assert api.delete(f"/api/v1/grid/blocks/{block_id}").status_code == 200
    assert count(db, TimeBlock) == 0
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "TimeBlock")
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["created", "updated", "deleted"]


def test_blocking_booked_time_names_the_appointment_until_the_user_keeps_it(client, db, scene):
    api = login(client, "frontdesk")
    body = {"calendar_id": scene["calendar"], "start": local(9, 30), "end": local(11), "reason": "Dentist"}
    refused = api.post("/api/v1/grid/blocks/", json=body)
    assert refused.status_code == 409
    assert "Rita Almeida" in refused.json["conflicts"][0]["message"]
    assert refused.json["conflicts"][0]["appointment_id"] == scene["taken"]
    assert count(db, TimeBlock) == 0
    kept = api.post("/api/v1/grid/blocks/", json={**body, "keep_appointments": True})
    assert kept.status_code == 201
    assert db.session.get(Appointment, scene["taken"]).status.value == "booked"


@pytest.mark.parametrize("body, status", [
    ({"start": local(15), "end": local(14)}, 422),                 # ends before it starts
    ({"reason": "   "}, 422),                                     # no reason
    ({"start": "2030-01-01T10:00:00"}, 422),                       # no offset
    ({"end": local(9, day=DAY + timedelta(days=90))}, 422),        # longer than 62 days
])
def test_bad_blocks_are_refused_with_a_reason(client, db, scene, body, status):
    api = login(client, "frontdesk")
    response = api.post("/api/v1/grid/blocks/", json={"calendar_id": scene["calendar"], "start": local(14),
                                                     "end": local(15), "reason": "Meeting", **body})
    assert response.status_code == status, response.json
    assert response.json["message"]
    assert count(db, TimeBlock) == 0


def test_blocks_stay_within_the_users_calendars(client, db, scene, people):
    desk = login(client, "frontdesk")
    assert desk.post("/api/v1/grid/blocks/", json={"calendar_id": scene["outsider"], "start": local(14),
                                                  "end": local(15), "reason": "x"}).status_code == 403
    elsewhere = TimeBlock(calendar_id=scene["outsider"], starts_at=to_utc(DAY, time(9), ZONE),
                          ends_at=to_utc(DAY, time(10), ZONE), reason="Lisbon")
    db.session.add(elsewhere)
    db.session.commit()
    assert desk.delete(f"/api/v1/grid/blocks/{elsewhere.id}").status_code == 404
    provider = login(client, "provider")  # providers have no write on blocked time
    assert provider.post("/api/v1/grid/blocks/", json={"calendar_id": scene["calendar"], "start": local(14),
                                                      "end": local(15), "reason": "x"}).status_code in (401, 403)
    assert count(db, TimeBlock) == 1


# --- breaks ----------------------------------------------------------------------------
def test_manager_adds_moves_relabels_and_removes_a_break_in_local_wall_clock(client, db, scene):
    api = login(client, "manager")
    made = api.post("/api/v1/grid/breaks/", json={"calendar_id": scene["calendar"], "start": local(15),
                                                 "end": local(15, 15), "label": "Coffee"})
    assert made.status_code == 201, made.json
    brk = db.session.get(ShiftBreak, made.json["id"])
    assert (brk.start_time, brk.end_time, brk.label, brk.shift.day) == (time(15), time(15, 15), "Coffee", DAY)
    changed = api.request("PATCH", f"/api/v1/grid/breaks/{brk.id}",
                          json={"start": local(15, 30), "end": local(16), "label": ""})
    assert changed.status_code == 200, changed.json
    db.session.refresh(brk)
    assert (brk.start_time, brk.end_time, brk.label) == (time(15, 30), time(16), None)
    assert api.delete(f"/api/v1/grid/breaks/{brk.id}").status_code == 200
    assert db.session.get(ShiftBreak, brk.id) is None


@pytest.mark.parametrize("start, end, words", [
    ((17, 30), (18, 0), "no shift covering"),     # after the shift
    ((11, 45), (12, 15), "overlap"),              # across lunch
])
def test_a_break_outside_the_shift_or_over_another_break_is_refused(client, db, scene, start, end, words):
    api = login(client, "manager")
    response = api.post("/api/v1/grid/breaks/", json={"calendar_id": scene["calendar"], "start": local(*start),
                                                     "end": local(*end)})
    assert response.status_code == 422
    assert words in response.json["message"] + " ".join(p["message"] for p in response.json["problems"])
    assert count(db, ShiftBreak) == 9  # the nine lunches of the scene


def test_a_break_over_a_booked_appointment_needs_confirmation(client, db, scene):
    api = login(client, "manager")
    body = {"calendar_id": scene["calendar"], "start": local(10), "end": local(10, 15)}
    assert api.post("/api/v1/grid/breaks/", json=body).status_code == 409
    assert api.post("/api/v1/grid/breaks/", json={**body, "keep_appointments": True}).status_code == 201


def test_front_desk_adds_breaks_providers_may_not(client, db, scene):
    body = {"calendar_id": scene["calendar"], "start": local(15), "end": local(15, 15)}
    assert login(client, "provider").post("/api/v1/grid/breaks/", json=body).status_code in (401, 403)
    made = login(client, "frontdesk").post("/api/v1/grid/breaks/", json=body)
    assert made.status_code == 201, made.json
    assert made.json["label"] == ""


# --- booking on a new case -----------------------------------------------------------
def new_case_body(scene, hour, **case):
    return {"session_type_id": scene["follow_up"], "calendar_id": scene["calendar"], "start": local(hour),
            "notify": False, "new_case": {"client_id": scene["client"], "title": "Shoulder",
                                          "discipline_id": scene["discipline"], "payer_id": scene["payer"],
                                          "claim_number": "BC-77", **case}}


def test_booking_on_a_case_opened_in_the_form(client, db, scene, people):
    api = login(client, "frontdesk")
    response = api.post("/api/v1/grid/appointments", json=new_case_body(scene, 14))
    assert response.status_code == 201, response.json
    case = db.session.get(Case, response.json["case_id"])
    assert (case.title, case.payer_id, case.claim_number, case.client_id) == (
        "Shoulder", scene["payer"], "BC-77", scene["client"])
    assert case.provider_id == people.provider.id
    assert response.json["notify"] is False


@pytest.mark.parametrize("hour, case, status", [
    (10, {}, 409),                        # the time is taken: no case is left behind
    (14, {"title": "  "}, 422),
    (14, {"payer_id": 999999}, 422),
    (14, {"claim_number": "x" * 61}, 422),
    (14, {"client_id": 999999}, 404),
])
def test_a_refused_booking_opens_no_case(client, db, scene, hour, case, status):
    api = login(client, "frontdesk")
    before = count(db, Case)
    response = api.post("/api/v1/grid/appointments", json=new_case_body(scene, hour, **case))
    assert response.status_code == status, response.json
    assert count(db, Case) == before
    assert count(db, Appointment) == 1


def test_a_case_opened_in_the_grid_names_only_a_payer_its_location_bills(client, db, scene, people):
    lisbon_insurer = factories.make_payer(name="Seguros Tejo", kind=PayerKind.insurer)
    people.other_location.accepted_payers = [lisbon_insurer]
    people.location.accepted_payers = [factories.make_payer(name="Sun Life", kind=PayerKind.insurer)]
    db.session.commit()
    from tests.views.helpers import login as sign_in

    sign_in(client, "frontdesk")
    page = client.get("/calendar/").get_data(as_text=True)
    assert "Sun Life" in page and "Seguros Tejo" not in page  # offered only where it is billed
    api = login(client, "frontdesk")
    before = count(db, Case)
    response = api.post("/api/v1/grid/appointments", json=new_case_body(scene, 14, payer_id=lisbon_insurer.id))
    assert response.status_code == 422
    assert "does not bill Seguros Tejo" in response.json["message"]
    assert count(db, Case) == before


# --- repeat with alternatives ----------------------------------------------------------
def repeat_body(scene, **kw):
    return {"appointment_id": scene["taken"], "case_id": scene["case"], "session_type_id": scene["follow_up"],
            "calendar_id": scene["calendar"], "first_day": str(DAY + timedelta(days=1)), "weekdays": [0],
            "at": "10:00", "count": 2, **kw}


def test_repeat_previews_then_books_with_an_alternative_and_joins_the_original(client, db, scene, people):
    # Next Monday at 10:00 is taken by someone else; its alternative is chosen instead.
    factories.make_appointment(people.provider_calendar, to_utc(DAY + timedelta(days=7), time(10), ZONE))
    db.session.commit()
    api = login(client, "frontdesk")
    preview = api.post("/api/v1/series/preview", json={k: v for k, v in repeat_body(scene).items()
                                                       if k != "appointment_id"})
    assert preview.status_code == 200, preview.json
    first, second = preview.json["occurrences"]
    assert not first["free"] and first["alternatives"] and second["free"]
    alternative = first["alternatives"][0]["start"]
    made = api.post("/api/v1/grid/series", json=repeat_body(
        scene, replacements=[{"day": first["day"], "start": alternative}]))
    assert made.status_code == 201, made.json
    assert [a["start"] for a in made.json["appointments"]] == [alternative, second["start"]]
    original = db.session.get(Appointment, scene["taken"])
    assert original.series_id == made.json["series_id"]
    assert {a["series_id"] for a in made.json["appointments"]} == {made.json["series_id"]}


def test_repeat_with_a_taken_replacement_books_nothing(client, db, scene):
    api = login(client, "frontdesk")
    before = count(db, Appointment)
    response = api.post("/api/v1/grid/series", json=repeat_body(
        scene, replacements=[{"day": str(DAY + timedelta(days=7)), "start": local(12)}]))  # lunch
    assert response.status_code == 409
    assert any("instead of" in c["message"] for c in response.json["conflicts"])
    assert count(db, Appointment) == before
    assert db.session.get(Appointment, scene["taken"]).series_id is None


def test_a_replacement_must_replace_a_date_of_the_series(client, db, scene):
    api = login(client, "frontdesk")
    response = api.post("/api/v1/grid/series", json=repeat_body(
        scene, replacements=[{"day": str(DAY + timedelta(days=2)), "start": local(14)}]))
    assert response.status_code == 422


# --- free rooms --------------------------------------------------------------------
def test_extras_lists_free_rooms_the_session_can_use(client, db, scene, people):
    factories.make_appointment(people.provider_calendar, to_utc(DAY, time(14), ZONE),
                               extra_calendars=[db.session.get(type(people.provider_calendar), scene["room_a"])])
    db.session.commit()
    from tests.views.helpers import login as web_login
    web_login(client, "frontdesk")
    url = f"/calendar/feed/extras?calendar_id={scene['calendar']}&session_type_id={scene['rehab']}&start="
    free = client.get(url + local(15).replace("+", "%2B")).json
    assert free == [{"kind": "room", "options": [{"id": scene["room_a"], "name": "Room A"},
                                                 {"id": scene["room_b"], "name": "Room B"}]}]
    busy = client.get(url + local(14).replace("+", "%2B")).json
    assert [o["name"] for o in busy[0]["options"]] == ["Room B"]
    plain = f"/calendar/feed/extras?calendar_id={scene['calendar']}&session_type_id={scene['follow_up']}&start="
    assert client.get(plain + local(15).replace("+", "%2B")).json == []
