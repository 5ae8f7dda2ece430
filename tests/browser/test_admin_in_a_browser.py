"""What a manager and a provider see when they log in to the admin screens."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tests import factories
from tests.browser.conftest import log_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def _scene(db, people):
    mine = factories.make_client(first_name="Mina", last_name="Mine", home_location=people.location)
    theirs = factories.make_client(first_name="Theo", last_name="Theirs", home_location=people.other_location)
    st = factories.make_session_type(discipline=people.discipline)
    when = datetime(2026, 3, 10, 15, tzinfo=timezone.utc)
    factories.make_appointment(people.provider_calendar, when, session_type=st,
                               case=factories.make_case(client=mine, discipline=people.discipline))
    factories.make_appointment(people.outsider_calendar, when, session_type=st,
                               case=factories.make_case(client=theirs, discipline=people.discipline))
    db.session.commit()


def test_a_manager_finds_setup_and_every_client(page, live_server, db, people):
    _scene(db, people)
    log_in(page, live_server, "manager", PASSWORD)
    menu = page.locator(".navbar").inner_text()
    for category in ("Calendar", "Clients", "Billing", "Setup"):
        assert category in menu
    assert "Security" not in menu  # users and roles are the administrator's
    page.click("text=Clients >> nth=0")
    page.click(".dropdown-menu >> text=Clients")
    page.wait_for_load_state()
    table = page.locator("table.table-bordered").inner_text()
    assert "Mine" in table and "Theirs" in table


def test_a_new_calendar_without_a_discipline_shows_why_it_was_refused(page, live_server, db, people):
    db.session.commit()
    log_in(page, live_server, "manager", PASSWORD)
    page.goto(f"{live_server}/calendarview/add")
    page.fill("input[name=name]", "Room 7")
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state()
    assert "A calendar must accept at least one discipline." in page.content()


def test_a_provider_sees_only_their_clients_and_no_setup(page, live_server, db, people):
    _scene(db, people)
    log_in(page, live_server, "provider", PASSWORD)
    menu = page.locator(".navbar").inner_text()
    assert "Setup" not in menu and "Security" not in menu
    page.goto(f"{live_server}/clientview/list/")
    table = page.locator("table.table-bordered").inner_text()
    assert "Mine" in table
    assert "Theirs" not in table
