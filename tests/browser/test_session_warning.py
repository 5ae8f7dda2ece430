"""In a browser, under the real Content-Security-Policy: staff pages run without a
violation, and an ending session warns, can be extended, and never loses a half-typed
form (the clock is frozen and moved by hand, no waiting)."""
from __future__ import annotations

import pytest

from tests import factories
from tests.auth.conftest import clock  # noqa: F401  (the frozen clock fixture)
from tests.browser.conftest import log_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture()
def strict_page(browser):
    """A page whose context keeps the CSP (the suite's `page` bypasses it for Playwright)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.violations = []
    page.on("console", lambda msg: page.violations.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    yield page
    context.close()


def test_staff_pages_run_under_the_policy_without_a_violation(strict_page, live_server, db, people):
    factories.make_user("Admin", username="root")
    db.session.commit()
    log_in(strict_page, live_server, "root", PASSWORD)
    for path in ("/clientview/list/", "/clientview/add", "/security/sign-in-locks/", "/users/list/", "/swagger/v1"):
        strict_page.goto(f"{live_server}{path}")
        strict_page.wait_for_load_state("networkidle")
    strict_page.goto(f"{live_server}/logout/")
    log_in(strict_page, live_server, "manager", PASSWORD)
    strict_page.goto(f"{live_server}/calendar/")
    strict_page.wait_for_selector(".fc-timegrid-slot")  # FullCalendar ran
    strict_page.wait_for_load_state("networkidle")
    assert strict_page.violations == []


def focus(page) -> None:
    page.evaluate("window.dispatchEvent(new Event('focus'))")


def test_the_session_warns_extends_and_ends_without_losing_the_form(strict_page, live_server, db, people, clock,
                                                                      app):
    db.session.commit()
    page = strict_page
    idle = app.config["PLINTH_SESSION_IDLE_MINUTES"]
    log_in(page, live_server, "frontdesk", PASSWORD)
    page.goto(f"{live_server}/clientview/add")
    page.fill("input[name=first_name]", "Half-typed")
    banner = page.locator("#session-banner")

    clock.advance(minutes=idle - 1)
    focus(page)
    banner.get_by_text("Your session ends in about 1 minute.").wait_for()
    page.click("#session-stay")
    banner.wait_for(state="hidden")

    clock.advance(minutes=idle + 1)
    focus(page)
    banner.get_by_text("Your session has ended").wait_for()
    assert page.input_value("input[name=first_name]") == "Half-typed"

    other = page.context.new_page()
    log_in(other, live_server, "frontdesk", PASSWORD)  # "sign in in another tab"
    focus(page)
    banner.wait_for(state="hidden")
    assert page.input_value("input[name=first_name]") == "Half-typed"
    assert page.violations == []
