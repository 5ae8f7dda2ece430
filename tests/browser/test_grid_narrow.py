"""The grid on a phone and a portrait tablet: one calendar at a time with a switcher,
the options behind a button, the appointment panel and dialogs full screen."""
from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS, log_in
from tests.browser.test_grid import DAY, scene, slot_point  # noqa: F401  (scene is a fixture)
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 820, "height": 1180}


@pytest.fixture()
def narrow_page(browser, request):
    size = request.param
    context = browser.new_context(viewport=size, device_scale_factor=1, bypass_csp=True)  # see conftest.page
    page = context.new_page()
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"grid_narrow_{size['width']}_end.png"))
    context.close()


def columns(page) -> list[str]:
    return page.locator(".fc-col-header-cell.fc-resource").all_inner_texts()


@pytest.mark.parametrize("narrow_page", [PHONE, TABLET], indirect=True, ids=["phone", "tablet"])
def test_one_calendar_at_a_time_with_a_switcher(narrow_page, live_server, scene):  # noqa: F811
    page = narrow_page
    width = page.viewport_size["width"]
    log_in(page, live_server, "frontdesk", PASSWORD)
    page.goto(f"{live_server}/calendar/?date={DAY}")  # the date picker is behind Options here
    page.wait_for_selector(".fc-timegrid-event")
    assert columns(page) == [scene["provider_calendar_name"]]
    options = page.locator("#grid-calendar-switch option").all_inner_texts()
    assert options[:2] == [scene["provider_calendar_name"], "Dana Colleague"]
    assert page.is_hidden("#grid-side")
    page.screenshot(path=str(ARTIFACTS / f"grid_narrow_{width}_day.png"))

    page.select_option("#grid-calendar-switch", label="Dana Colleague")
    page.wait_for_function("[...document.querySelectorAll('.fc-col-header-cell.fc-resource')]"
                           ".map(e => e.innerText).join() === 'Dana Colleague'")
    assert page.locator(".fc-timegrid-event").count() == 0  # Rita's visits are on the other calendar
    page.select_option("#grid-calendar-switch", label=scene["provider_calendar_name"])
    page.wait_for_selector(".fc-timegrid-event")

    page.click("#grid-side-open")
    side = page.locator("#grid-side").bounding_box()
    assert side["width"] >= width - 1  # the options cover the screen
    page.click("#grid-side-close")
    assert page.is_hidden("#grid-side")

    page.click(".fc-timegrid-event >> nth=0")
    page.wait_for_selector("#appt-panel:not([hidden])")
    panel = page.locator("#appt-panel").bounding_box()
    assert panel["width"] >= width - 1 and panel["x"] <= 1
    assert page.is_visible("#panel-repeat")
    page.screenshot(path=str(ARTIFACTS / f"grid_narrow_{width}_panel.png"))
    page.click("#panel-close")

    page.mouse.click(*slot_point(page, scene["provider_calendar"], "15:00"))  # a tap: one slot
    page.wait_for_selector("#book-dialog[open]")
    dialog = page.locator("#book-dialog").bounding_box()
    assert dialog["width"] >= width - 1
    assert "15:00" in page.inner_text("#book-when")
    page.screenshot(path=str(ARTIFACTS / f"grid_narrow_{width}_book.png"))
    page.click("#book-cancel")
    page.evaluate("localStorage.clear()")
