"""The grid's feeds: only what the user may see, in a constant number of statements."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from app.extensions import db as ext_db
from app.models import CalendarKind
from app.timeutil import to_utc
from tests import factories
from tests.sql import counting
from tests.views.helpers import login

DAY = date(2026, 3, 10)


def busy_day(people, providers: int, per_calendar: int, with_provider: bool = True):
    discipline = people.discipline
    session = factories.make_session_type(discipline=discipline, duration_minutes=30)
    calendars = [people.provider_calendar] * with_provider + [
        factories.make_team_member(locations=[people.location], disciplines=[discipline]).calendars[0]
        for _ in range(providers - with_provider)]
    for calendar in calendars:
        factories.make_shift(calendar, DAY, time(8), time(18), breaks=[(time(12), time(13))])
        for i in range(per_calendar):
            start = to_utc(DAY, time(8 + i // 2, 30 * (i % 2)), "America/Toronto")
            factories.make_appointment(calendar, start, session_type=session)
    ext_db.session.commit()
    return calendars


def feed(client, path, people, day=DAY):
    return client.get(f"/calendar/feed/{path}?location_id={people.location.id}&start={day}&end={day + timedelta(days=1)}")


@pytest.mark.parametrize("path", ["resources", "events"])
def test_feed_statement_count_is_constant(client, db, people, path):
    login(client, "frontdesk")
    busy_day(people, providers=1, per_calendar=1)
    with counting() as small:
        assert feed(client, path, people).status_code == 200
    busy_day(people, providers=8, per_calendar=8, with_provider=False)
    with counting() as large:
        response = feed(client, path, people)
    assert response.status_code == 200
    assert len(large) == len(small), (len(small), len(large))


def test_resources_are_providers_then_rooms_with_their_working_hours(client, db, people):
    room = factories.make_calendar(name="Room A", kind=CalendarKind.room, location=people.location,
                                   disciplines=[people.discipline])
    factories.make_shift(room, DAY, time(7), time(19))
    busy_day(people, providers=1, per_calendar=0)
    login(client, "frontdesk")
    resources = feed(client, "resources", people).json
    assert [r["title"] for r in resources] == [people.provider_calendar.name, "Room A"]
    assert resources[0]["businessHours"] == [
        {"daysOfWeek": [2], "startTime": "08:00", "endTime": "12:00"},
        {"daysOfWeek": [2], "startTime": "13:00", "endTime": "18:00"}]


def test_events_carry_local_times_with_offsets_and_the_version(client, db, people):
    busy_day(people, providers=1, per_calendar=1)
    login(client, "frontdesk")
    events = feed(client, "events", people).json
    appointment = next(e for e in events if "extendedProps" in e)
    assert appointment["start"] == "2026-03-10T08:00:00-04:00"
    assert appointment["extendedProps"]["version"] == 1
    assert any(e.get("display") == "background" and e["title"] == "Break" for e in events)


def test_a_provider_sees_only_their_granted_calendars_in_the_feeds(client, db, people):
    colleague = busy_day(people, providers=2, per_calendar=2)[1]
    login(client, "provider")
    resources = feed(client, "resources", people).json
    assert [r["id"] for r in resources] == [str(people.provider_calendar.id)]
    events = feed(client, "events", people).json
    assert {e["resourceId"] for e in events} == {str(people.provider_calendar.id)}
    assert str(colleague.id) not in {e["resourceId"] for e in events}


def test_the_other_locations_feed_is_empty_for_front_desk(client, db, people):
    factories.make_shift(people.outsider_calendar, DAY, time(8), time(18))
    factories.make_appointment(people.outsider_calendar, datetime(2026, 3, 10, 10, tzinfo=to_utc(DAY, time(0), "UTC").tzinfo))
    ext_db.session.commit()
    login(client, "frontdesk")
    url = f"/calendar/feed/events?location_id={people.other_location.id}&start={DAY}&end={DAY + timedelta(days=1)}"
    assert client.get(url).json == []


def test_bad_feed_arguments_get_a_clear_json_error(client, db, people):
    db.session.commit()
    login(client, "frontdesk")
    response = client.get("/calendar/feed/events?location_id=abc&start=2026-03-10&end=2026-03-11")
    assert response.status_code == 422 and "location_id" in response.json["message"]
    response = client.get(f"/calendar/feed/events?location_id={people.location.id}&start=yesterday&end=2026-03-11")
    assert response.status_code == 422


def test_client_search_finds_only_clients_in_scope(client, db, people):
    mine = factories.make_client(first_name="Mina", last_name="Search", home_location=people.location)
    factories.make_case(client=mine, discipline=people.discipline)
    factories.make_client(first_name="Theo", last_name="Search", home_location=people.other_location)
    db.session.commit()
    login(client, "frontdesk")
    found = client.get("/calendar/feed/clients?q=search").json
    assert [c["name"] for c in found] == ["Mina Search"]
    assert len(found[0]["cases"]) == 1


def test_breaks_and_blocks_carry_their_ids_and_columns_say_whether_the_user_may_change_them(client, db, people):
    from app.models import TimeBlock

    busy_day(people, providers=1, per_calendar=0)
    block = TimeBlock(calendar=people.provider_calendar, starts_at=to_utc(DAY, time(15), "America/Toronto"),
                      ends_at=to_utc(DAY, time(16), "America/Toronto"), reason="Meeting")
    db.session.add(block)
    db.session.commit()
    login(client, "frontdesk")
    background = [e for e in feed(client, "events", people).json if e.get("display") == "background"]
    brk = next(e for e in background if e["extendedProps"]["kind"] == "break")
    assert brk["id"] == f"break-{brk['extendedProps']['break_id']}" and brk["extendedProps"]["shift_id"]
    assert next(e for e in background if e["extendedProps"]["kind"] == "block")["extendedProps"] == {
        "kind": "block", "block_id": block.id, "reason": "Meeting"}
    assert [r["bookable"] for r in feed(client, "resources", people).json] == [True]


def test_extras_feed_statement_count_is_constant(client, db, people):
    session = factories.make_session_type(discipline=people.discipline, duration_minutes=30, needs_room=True)
    factories.make_shift(people.provider_calendar, DAY, time(8), time(18))

    def rooms(n):
        for _ in range(n):
            room = factories.make_calendar(kind=CalendarKind.room, location=people.location,
                                           disciplines=[people.discipline])
            factories.make_shift(room, DAY, time(8), time(18))
        ext_db.session.commit()

    login(client, "frontdesk")
    start = to_utc(DAY, time(10), "America/Toronto").isoformat().replace("+", "%2B")
    url = f"/calendar/feed/extras?calendar_id={people.provider_calendar.id}&session_type_id={session.id}&start={start}"
    rooms(1)
    with counting() as small:
        assert len(client.get(url).json[0]["options"]) == 1
    rooms(6)
    with counting() as large:
        assert len(client.get(url).json[0]["options"]) == 7
    assert len(large) == len(small), (len(small), len(large))
