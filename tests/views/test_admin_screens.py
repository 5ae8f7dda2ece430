"""The managers' setup screens: every screen opens, bad input is refused with a clear
message and nothing is saved, and providers only ever see their own records."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest
from sqlalchemy import func, select

from app.models import Calendar, CalendarAccess, CalendarKind, Case, Client, Location, Shift, TeamMember
from tests import factories
from tests.views.helpers import login

SCREENS = [
    "/appointmentview/list/", "/shiftview/list/", "/timeblockview/list/", "/clientview/list/",
    "/caseview/list/", "/billingitemview/list/", "/payerview/list/", "/locationview/list/",
    "/disciplineview/list/", "/teammemberview/list/", "/calendarview/list/",
    "/calendaraccessview/list/", "/sessiontypeview/list/",
    "/locationview/add", "/teammemberview/add", "/calendarview/add", "/shiftview/add",
    "/timeblockview/add", "/clientview/add", "/caseview/add", "/sessiontypeview/add",
]


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture()
def manager_client(client, people, db):
    db.session.commit()
    login(client, "manager")
    return client


def test_every_setup_screen_opens_for_a_manager(manager_client):
    for url in SCREENS:
        response = manager_client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize(
    "form, message",
    [
        ({"name": "Uptown", "timezone": "Mars/Olympus", "invoice_prefix": "UP-"}, "not a known time zone"),
        ({"name": "Uptown", "timezone": "America/Toronto", "invoice_prefix": "UP-", "email": "not-an-email"}, "not a valid email"),
        ({"name": "Uptown", "timezone": "America/Toronto", "invoice_prefix": "UP-", "phone": "12"}, "not a"),
        ({"name": "Uptown", "timezone": "America/Toronto", "invoice_prefix": "UP-", "grid_start": "18:00", "grid_end": "08:00"}, "must end after it starts"),
    ],
)
def test_a_location_with_bad_input_is_refused_and_not_saved(manager_client, db, form, message):
    before = count(db, Location)
    response = manager_client.post("/locationview/add", data=form)
    assert response.status_code == 200  # the form again, with the reason
    assert message in response.get_data(as_text=True)
    assert count(db, Location) == before


def test_a_location_phone_is_saved_in_international_form(manager_client, db):
    response = manager_client.post(
        "/locationview/add",
        data={"name": "Uptown", "timezone": "America/Toronto", "invoice_prefix": "UP-", "phone": "(416) 555-0199"},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Location.phone).where(Location.name == "Uptown")) == "+14165550199"


@pytest.mark.parametrize(
    "start, end, breaks, message",
    [
        ("16:00", "08:00", "", "must end after it starts"),
        ("08:00", "16:00", "07:00-07:30", "outside the shift"),
        ("08:00", "16:00", "12:00-12:45, 12:30-13:00", "overlap"),
        ("08:00", "16:00", "lunch", "is not a break"),
    ],
)
def test_a_shift_with_bad_times_or_breaks_is_refused(manager_client, db, people, start, end, breaks, message):
    before = count(db, Shift)
    response = manager_client.post(
        "/shiftview/add",
        data={"calendar": people.provider_calendar.id, "day": "2026-03-09", "start_time": start,
              "end_time": end, "breaks_text": breaks},
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(db, Shift) == before


def test_a_shift_is_saved_with_its_breaks(manager_client, db, people):
    response = manager_client.post(
        "/shiftview/add",
        data={"calendar": people.provider_calendar.id, "day": "2026-03-09", "start_time": "08:00",
              "end_time": "16:00", "breaks_text": "12:00-12:30, 15:00-15:15"},
    )
    assert response.status_code == 302
    shift = db.session.scalars(select(Shift)).one()
    assert [(b.start_time, b.end_time) for b in shift.breaks] == [(time(12), time(12, 30)), (time(15), time(15, 15))]


def test_a_calendar_accepting_no_discipline_is_refused(manager_client, db, people):
    before = count(db, Calendar)
    response = manager_client.post(
        "/calendarview/add",
        data={"name": "Room 9", "kind": "room", "location": people.location.id, "colour": "#112233",
              "sort_order": 1, "overlap_policy": "never", "lead_time_minutes": 0, "buffer_before_minutes": 0,
              "buffer_after_minutes": 0, "cancellation_window_hours": 24, "booking_horizon_days": 30},
    )
    assert "at least one discipline" in response.get_data(as_text=True)
    assert count(db, Calendar) == before


def test_a_duplicate_booking_link_name_is_refused(manager_client, db, people):
    people.provider_calendar.slug = "dr-who"
    db.session.commit()
    before = count(db, Calendar)
    response = manager_client.post(
        "/calendarview/add",
        data={"name": "Room 9", "kind": "room", "location": people.location.id, "colour": "#112233",
              "disciplines": [people.discipline.id], "slug": "dr-who", "sort_order": 1,
              "overlap_policy": "never", "lead_time_minutes": 0, "buffer_before_minutes": 0,
              "buffer_after_minutes": 0, "cancellation_window_hours": 24, "booking_horizon_days": 30},
    )
    assert response.status_code == 200
    assert "Already exists" in response.get_data(as_text=True)
    assert count(db, Calendar) == before


def test_a_negative_price_is_refused(manager_client, db):
    response = manager_client.post(
        "/billingitemview/add", data={"code": "X1", "name": "Hot pack", "unit_price": "-5", "tax_rate": "13"}
    )
    assert "cannot be negative" in response.get_data(as_text=True)


def test_a_session_type_with_no_duration_is_refused(manager_client, db, people):
    response = manager_client.post(
        "/sessiontypeview/add",
        data={"name": "Quick", "category": "Physio", "discipline": people.discipline.id,
              "duration_minutes": "0", "price": "50", "colour": "#112233", "for_new_clients": "y"},
    )
    assert "must be more than zero" in response.get_data(as_text=True)


def test_a_new_provider_gets_a_calendar_at_their_location_and_another_when_asked(manager_client, db, people):
    response = manager_client.post(
        "/teammemberview/add",
        data={"display_name": "Ana Costa", "username": "ana", "email": "ana@clinic.example.com",
              "password": "a-long-password", "role": "Provider", "is_provider": "y",
              "locations": [people.location.id], "disciplines": [people.discipline.id],
              "extra_location": people.other_location.id},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    member = db.session.scalars(select(TeamMember).where(TeamMember.display_name == "Ana Costa")).one()
    calendars = sorted(member.calendars, key=lambda c: c.id)
    assert [c.location for c in calendars] == [people.location, people.other_location]
    assert all(c.kind == CalendarKind.provider and c.disciplines == [people.discipline] for c in calendars)
    granted = db.session.scalars(select(CalendarAccess.calendar_id).where(CalendarAccess.user_id == member.user_id)).all()
    assert sorted(granted) == [c.id for c in calendars]


def test_a_team_member_with_a_taken_login_is_refused(manager_client, db, people):
    before = count(db, TeamMember)
    response = manager_client.post(
        "/teammemberview/add",
        data={"display_name": "Copy", "username": "provider", "email": "x@clinic.example.com",
              "password": "a-long-password", "role": "Provider"},
    )
    assert "is taken" in response.get_data(as_text=True)
    assert count(db, TeamMember) == before


def _scene(db, people):
    mine = factories.make_client(first_name="Mina", last_name="Mine", home_location=people.location)
    theirs = factories.make_client(first_name="Theo", last_name="Theirs", home_location=people.other_location)
    when = datetime(2026, 3, 10, 15, tzinfo=timezone.utc)
    st = factories.make_session_type(discipline=people.discipline)
    factories.make_appointment(people.provider_calendar, when, session_type=st,
                               case=factories.make_case(client=mine, discipline=people.discipline))
    factories.make_appointment(people.outsider_calendar, when, session_type=st,
                               case=factories.make_case(client=theirs, discipline=people.discipline))
    db.session.commit()
    return mine, theirs


@pytest.mark.parametrize("url", ["/clientview/list/", "/clientview/list/?_flt_0_last_name=Theirs",
                                 "/caseview/list/", "/appointmentview/list/"])
def test_a_provider_never_sees_another_calendars_clients(client, db, people, url):
    mine, theirs = _scene(db, people)
    login(client, "provider")
    page = client.get(url).get_data(as_text=True)
    assert "Theo" not in page  # (the filter echoes "Theirs" back; Theo's first name must not appear)
    if "_flt_" not in url:
        assert "Mina" in page


def test_a_provider_cannot_open_or_edit_another_calendars_client(client, db, people):
    mine, theirs = _scene(db, people)
    login(client, "provider")
    assert client.get(f"/clientview/show/{mine.id}").status_code == 200
    assert client.get(f"/clientview/show/{theirs.id}").status_code == 404
    assert client.get(f"/clientview/edit/{theirs.id}").status_code == 404
    response = client.post(f"/clientview/edit/{theirs.id}", data={"first_name": "Hacked", "last_name": "X"})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Client, theirs.id).first_name == "Theo"


def test_a_provider_cannot_open_setup_screens(client, db, people):
    db.session.commit()
    login(client, "provider")
    for url in ["/locationview/add", "/calendarview/list/", "/teammemberview/list/", "/sessiontypeview/add"]:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"] or response.status_code == 403, url


def test_front_desk_sees_their_locations_clients_only(client, db, people):
    mine, theirs = _scene(db, people)
    factories.make_client(first_name="Wanda", last_name="Walkin", home_location=people.location)
    db.session.commit()
    login(client, "frontdesk")
    page = client.get("/clientview/list/").get_data(as_text=True)
    assert "Mine" in page and "Walkin" in page
    assert "Theirs" not in page


def test_a_provider_cannot_file_a_case_under_a_client_they_cannot_see(client, db, people):
    mine, theirs = _scene(db, people)
    login(client, "provider")
    before = count(db, Case)
    response = client.post(
        "/caseview/add",
        data={"client": theirs.id, "title": "Sneaky", "discipline": people.discipline.id, "opened_on": "2026-03-01"},
    )
    assert response.status_code == 422
    assert "alert-danger" in response.get_data(as_text=True)  # the client field is refused
    assert count(db, Case) == before


def test_a_shift_overlapping_another_that_day_is_refused(manager_client, db, people):
    factories.make_shift(people.provider_calendar, date(2026, 3, 9), time(8), time(16))
    db.session.commit()
    response = manager_client.post(
        "/shiftview/add",
        data={"calendar": people.provider_calendar.id, "day": "2026-03-09", "start_time": "10:00",
              "end_time": "18:00", "breaks_text": ""},
    )
    assert "overlaps the shift 08:00–16:00" in response.get_data(as_text=True)
    assert count(db, Shift) == 1
