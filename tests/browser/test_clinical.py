"""A provider's day in a real browser: open the day, write a SOAP note with a pain score,
close the tab mid-draft, reopen (nothing lost), sign, add an addendum; then the front desk
opens the same client file and sees "Signed note" without its content."""
from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS, log_in
from tests.clinical.conftest import frozen_now, scene  # noqa: F401  (fixtures)
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture()
def ids(scene, db):  # noqa: F811
    found = {"client": scene.client.id, "visit": scene.visit.id, "case": scene.case.id}
    db.session.close()  # no transaction open while the server thread works (SQLite)
    return found


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"clinical-{name}.png"), full_page=True)


def test_a_provider_writes_signs_and_amends_a_note_and_front_desk_sees_only_that_it_exists(
        browser, live_server, ids, frozen_now):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, live_server, "provider", PASSWORD)
    page.goto(f"{live_server}/")
    page.wait_for_selector(".day-visits")
    assert "/clinical/day" in page.url
    row = page.locator(f"#visit-{ids['visit']}")
    assert "Ana Silva" in row.inner_text() and "Knee sore after stairs" in row.inner_text()
    shot(page, "day")

    row.locator("a.open-chart").click()
    page.wait_for_selector("#note-form")
    note_url = page.url
    page.fill("#f-subjective", "Stairs easier; mild ache after work.")
    page.click("[data-key=pain] label.pain-4")
    page.wait_for_selector("#save-state.ok")
    page.fill("#f-objective", "Squat to 90 degrees without pain")  # then the tab closes at once
    page.close(run_before_unload=True)

    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(note_url)
    page.wait_for_selector("#note-form")
    page.wait_for_function("document.querySelector('#f-objective').value.includes('Squat')")
    assert page.input_value("#f-subjective") == "Stairs easier; mild ache after work."
    assert page.is_checked("[data-key=pain] input[value='4']")
    page.fill("#f-assessment", "Improving as planned.")
    page.check("[data-key=treatment] input[value='Exercise']")
    shot(page, "editor")

    page.click("#sign-note")
    page.wait_for_selector(".note-view .signature")
    assert "Signed by" in page.inner_text(".note-view")
    assert "Squat to 90 degrees" in page.inner_text(".note-view")
    page.fill("#addendum-text", "Client phoned: no pain overnight.")
    page.click("#addendum-form button[type=submit]")
    page.wait_for_selector(".note-view .addendum")
    assert "no pain overnight" in page.inner_text(".note-view .addendum")
    shot(page, "signed")
    page.goto(f"{live_server}/clinical/clients/{ids['client']}")
    page.wait_for_selector(".timeline")
    shot(page, "client-file-provider")
    page.goto(f"{live_server}/clinical/cases/{ids['case']}")
    page.wait_for_selector(".plan-form")
    assert "Signed by" in page.inner_text(".case-file")
    shot(page, "case-file")
    context.close()

    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    log_in(page, live_server, "frontdesk", PASSWORD)
    page.goto(f"{live_server}/calendar/")  # the grid's panel leads to the client file
    page.fill("#grid-date", "2026-03-16")
    page.dispatch_event("#grid-date", "change")
    page.check("#grid-all")  # the scene has no shifts
    page.wait_for_selector(".fc-event")
    page.click(".fc-event >> nth=0")
    page.click("#panel-client-file")
    page.wait_for_selector(".timeline")
    assert f"/clinical/clients/{ids['client']}" in page.url
    visit = page.inner_text(f"#visit-{ids['visit']}")
    assert "Signed note" in visit
    body = page.inner_text("body")
    assert "Squat" not in body and "Stairs easier" not in body and "Knee sore" not in body
    shot(page, "client-file-frontdesk")
    desk.close()
