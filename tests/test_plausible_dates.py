"""Plausible dates, one rule (app/plausible_dates.py) used by the admin forms, the REST
API, the scheduling engine, the grid's feeds, the booking site and the client import."""
from __future__ import annotations

from datetime import date

import pytest

from app.models import Client, Shift
from app.plausible_dates import EARLIEST, YEARS_AHEAD, check_birth_date, check_schedule_date
from app.setup.validation import InvalidValue
from tests.api.conftest import as_user  # noqa: F401  (fixture)
from tests.views.helpers import login

TODAY = date(2026, 12, 4)


@pytest.mark.parametrize("born, ok", [
    (date(1900, 1, 1), False), (EARLIEST, True), (date(1985, 6, 1), True), (TODAY, True),
    (date(2026, 12, 5), False), (date(9999, 12, 31), False),
])
def test_dates_of_birth(born, ok):
    if ok:
        assert check_birth_date(born, TODAY) == born
    else:
        with pytest.raises(InvalidValue):
            check_birth_date(born, TODAY)


@pytest.mark.parametrize("day, ok", [
    (date(1900, 1, 1), False), (EARLIEST, True), (date(2020, 3, 9), True), (TODAY, True),
    (date(2026 + YEARS_AHEAD, 12, 4), True), (date(2026 + YEARS_AHEAD, 12, 5), False), (date(9999, 12, 31), False),
])
def test_shift_and_appointment_dates(day, ok):
    if ok:
        assert check_schedule_date(day, TODAY) == day
    else:
        with pytest.raises(InvalidValue):
            check_schedule_date(day, TODAY)


def test_a_leap_day_today_still_has_a_latest_date():
    assert check_schedule_date(date(2038, 2, 28), date(2028, 2, 29))


@pytest.mark.parametrize("path", ["events", "resources"])
@pytest.mark.parametrize("start, end", [("9999-12-31", "9999-12-31"), ("0001-01-01", "0001-01-02"),
                                        ("1900-01-01", "1900-01-02")])
def test_the_grid_feeds_refuse_dates_nobody_means(client, db, people, path, start, end):
    """9999-12-31 was a 500 (OverflowError turning the day into its UTC bounds)."""
    login(client, "frontdesk")
    response = client.get(f"/calendar/feed/{path}?location_id={people.location.id}&start={start}&end={end}")
    assert response.status_code == 422  # the app's answer to bad input, like "start and end must be ISO dates"
    assert "date" in response.get_data(as_text=True).lower()


def test_a_shift_dated_1900_is_refused_by_the_api(people, as_user, db):
    response = as_user("manager").post("/api/v1/shift/", json={
        "calendar": people.provider_calendar.id, "day": "1900-01-01", "start_time": "08:00:00", "end_time": "16:00:00"})
    assert response.status_code == 422
    assert "too far in the past" in {p.get("field"): p["message"] for p in response.json["problems"]}["day"]
    assert db.session.query(Shift).count() == 0


def test_a_date_of_birth_in_1900_is_refused_by_the_api(people, as_user, db):
    response = as_user("frontdesk").post("/api/v1/client/", json={
        "first_name": "Rita", "last_name": "Lopes", "date_of_birth": "1900-01-01", "home_location": people.location.id})
    assert response.status_code == 422
    assert db.session.query(Client).count() == 0


def test_the_client_form_refuses_a_date_of_birth_in_1900(client, people, db):
    login(client, "frontdesk")
    response = client.post("/clientview/add", data={
        "first_name": "Rita", "last_name": "Lopes", "date_of_birth": "1900-01-01", "home_location": people.location.id})
    assert "not a plausible date of birth" in response.get_data(as_text=True)
    assert db.session.query(Client).count() == 0


def test_the_shift_form_refuses_1900(client, people, db):
    login(client, "manager")
    response = client.post("/shiftview/add", data={
        "calendar": people.provider_calendar.id, "day": "1900-01-01", "start_time": "08:00", "end_time": "16:00"})
    assert "too far in the past" in response.get_data(as_text=True)
    assert db.session.query(Shift).count() == 0
