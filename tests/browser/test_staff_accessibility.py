"""Staff pages at 0 serious or critical axe-core violations (WCAG 2.1 AA): the sign-in page,
the grid with its panel and dialogs open, the client file and list screens."""
from __future__ import annotations

from datetime import time

import pytest

from tests import factories
from tests.browser.axe import violations
from tests.browser.conftest import ARTIFACTS, log_in
from tests.browser.test_grid import DAY, open_grid, scene  # noqa: F401  (fixture)
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser
SERIOUS = ("serious", "critical")


def serious(page, where: str) -> list[str]:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"a11y_{where}.png"), full_page=True)
    return [f"{where}: {v}" for v in violations(page, impacts=SERIOUS)]


def test_the_sign_in_page_has_no_serious_violations(page, live_server):
    page.goto(f"{live_server}/login/")
    assert page.get_attribute("html", "lang") == "en"
    assert serious(page, "login") == []


def test_the_grid_with_its_panel_and_dialogs_has_no_serious_violations(page, live_server, scene):  # noqa: F811
    page.set_viewport_size({"width": 1440, "height": 900})
    open_grid(page, live_server, "frontdesk")
    assert page.locator("#status-legend").is_visible()  # the statuses' colours and patterns, named
    assert "Booked" in page.locator(".fc-timegrid-event").first.inner_text()  # the status in words too
    found = serious(page, "grid")
    # An appointment is reached from the keyboard and opens the panel with Enter; the
    # panel takes the focus, Escape gives it back.
    page.locator(".fc-timegrid-event").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#appt-panel:not([hidden])")
    assert page.evaluate("document.activeElement.id") == "panel-client"
    found += serious(page, "grid_panel")
    page.click("#panel-repeat")
    page.wait_for_selector("#repeat-dialog[open]")
    found += serious(page, "grid_repeat_dialog")
    page.click("#repeat-close")
    page.focus("#panel-client")
    page.keyboard.press("Escape")
    assert page.locator("#appt-panel").is_hidden()
    # Booking from the keyboard: Find Time Slot, then an opening, opens the dialog.
    page.focus("#find-go")
    page.keyboard.press("Enter")
    page.wait_for_selector("#find-results li button")
    page.focus("#find-results li button >> nth=0")
    page.keyboard.press("Enter")
    page.wait_for_selector("#book-dialog[open]")
    found += serious(page, "grid_book_dialog")
    assert found == []


def test_the_client_file_and_list_screens_have_no_serious_violations(page, live_server, db, people):
    from sqlalchemy import select

    from app.intake import service
    from app.intake.defaults import ensure_defaults
    from app.models import FormTemplate

    # A phone (a tel: link in a line of text) and a filled form (its "answers" link): links
    # told apart from their text by an underline, not by colour alone (link-in-text-block).
    client = factories.make_client(first_name="Rita", last_name="Almeida", home_location=people.location,
                                   phone="+14165550123")
    case = factories.make_case(client=client, title="Knee rehab", discipline=people.discipline, provider=people.provider)
    # A closed case: shown with a dashed border (it was faded, its links below 4.5:1).
    from datetime import date

    factories.make_case(client=client, title="Old shoulder", discipline=people.discipline,
                        opened_on=date(2025, 1, 6), closed_on=date(2025, 3, 3))
    ensure_defaults()
    nprs = db.session.scalar(select(FormTemplate).where(FormTemplate.name == "Numeric pain rating scale (NPRS)"))
    service.submit(service.create_request(nprs, client.id, case_id=case.id), {"pain_now": "4"})
    session = factories.make_session_type(name="Follow-up", discipline=people.discipline, duration_minutes=30)
    factories.make_shift(people.provider_calendar, DAY, time(9), time(17))
    from app.timeutil import to_utc
    factories.make_appointment(people.provider_calendar, to_utc(DAY, time(9), "America/Toronto"), case=case,
                               session_type=session)
    db.session.commit()
    client_id = client.id
    db.session.close()
    log_in(page, live_server, "manager", PASSWORD)
    found = []
    for where, path in [("client_file", f"/clinical/clients/{client_id}"), ("client_forms", f"/intake/clients/{client_id}/"),
                        ("clients", "/clientview/list/"),
                        ("appointments", "/appointmentview/list/"), ("cases", "/caseview/list/"),
                        ("team", "/teammemberview/list/"), ("calendars", "/calendarview/list/"), ("home", "/")]:
        page.goto(live_server + path)
        assert page.get_attribute("html", "lang") == "en", where
        found += serious(page, where)
    assert found == []
