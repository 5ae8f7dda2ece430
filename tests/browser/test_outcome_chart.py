"""The scores over a case, drawn (Chart.js) in the case file and in the provider's day."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.intake import service
from app.intake.defaults import ensure_defaults
from app.models import AppointmentStatus, FormTemplate
from app.timeutil import to_local
from tests import factories
from tests.browser.axe import violations
from tests.browser.conftest import log_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser
SHOTS = Path("/work/wt/shots/h17")


def test_the_case_file_and_the_day_draw_the_nprs_over_the_case(live_server, db, people, page):
    ensure_defaults()
    nprs = db.session.scalar(select(FormTemplate).where(FormTemplate.name.startswith("Numeric pain")))
    client = factories.make_client(first_name="Rui", last_name="Costa")
    case = factories.make_case(client=client, discipline=people.discipline, provider=people.provider,
                               title="Right shoulder impingement")
    today = datetime.now(timezone.utc).replace(hour=15, minute=0, second=0, microsecond=0)
    for week, pain in zip(range(5, -1, -1), (7, None, None, 5, 4, 3)):
        status = AppointmentStatus.paid if week else AppointmentStatus.booked
        visit = factories.make_appointment(people.provider_calendar, today - timedelta(weeks=week), case=case,
                                           status=status)
        if pain is not None:
            asked = service.create_request(nprs, client.id, case_id=case.id, appointment_id=visit.id,
                                           now=visit.starts_at - timedelta(days=1))
            service.submit(asked, {"pain_now": str(pain)}, now=visit.starts_at - timedelta(hours=2))
    case_id, on = case.id, to_local(today, "America/Toronto").date().isoformat()
    db.session.commit()

    log_in(page, live_server, "provider", PASSWORD)
    page.goto(f"{live_server}/clinical/cases/{case_id}")
    expect(page.get_by_text("NPRS 7 → 3 over 6 visits (better)")).to_be_visible()
    page.wait_for_function("() => Chart.getChart(document.querySelector('canvas.outcome-chart')) !== undefined")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".case-outcomes").screenshot(path=str(SHOTS / "case_chart.png"))
    page.screenshot(path=str(SHOTS / "case_file.png"), full_page=True)
    assert violations(page, impacts=("serious", "critical")) == []  # the staff pages' standard

    page.goto(f"{live_server}/clinical/day?date={on}")
    expect(page.locator(".day-outcomes").get_by_text("NPRS 7 → 3 over 6 visits (better)")).to_be_visible()
    page.wait_for_function("() => Chart.getChart(document.querySelector('.day-outcomes canvas')) !== undefined")
    page.screenshot(path=str(SHOTS / "day_chart.png"), full_page=True)
    assert violations(page, impacts=("serious", "critical")) == []
