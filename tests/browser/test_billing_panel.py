"""Arrive, Bill, Collect in a real browser, from the grid's appointment panel: the front
desk marks a client arrived, accepts the charges, invoices them, takes a partial then a
final payment and sees the visit become Paid; a no-show gets its fee."""
from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from app.models import FeeMode, FeePolicy, Payer, PayerKind
from app.timeutil import to_utc
from tests import factories
from tests.browser.conftest import log_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser
DAY = date.today() - timedelta(days=7)  # last week: the visits have happened (arrive / no-show)
ZONE = "America/Toronto"
SHOTS = None


@pytest.fixture()
def scene(db, people):
    people.location.invoice_prefix = "DT-"
    treatment = factories.make_billing_item(code="PT-FU", name="Physiotherapy follow-up", unit_price=Decimal("95.00"),
                                            tax_rate=Decimal("13"))
    session = factories.make_session_type(name="Follow-up", discipline=people.discipline, duration_minutes=30,
                                          price=Decimal("95.00"), billing_items=[(treatment, Decimal("1"))])
    factories.make_shift(people.provider_calendar, DAY, time(9), time(17))
    insurer = factories.make_payer(name="Sun Life", kind=PayerKind.insurer)
    rita = factories.make_client(first_name="Rita", last_name="Almeida", home_location=people.location)
    case = factories.make_case(client=rita, title="Knee rehab", discipline=people.discipline, payer=insurer)
    factories._add(FeePolicy(location=people.location, no_show_mode=FeeMode.fixed, no_show_amount=Decimal("40.00")))
    factories.make_appointment(people.provider_calendar, to_utc(DAY, time(9), ZONE), case=case, session_type=session)
    factories.make_appointment(people.provider_calendar, to_utc(DAY, time(11), ZONE), case=case, session_type=session)
    db.session.commit()
    db.session.close()


def open_panel(page, base, nth: int):
    log_in(page, base, "frontdesk", PASSWORD)
    page.goto(f"{base}/calendar/")
    page.fill("#grid-date", DAY.isoformat())
    page.dispatch_event("#grid-date", "change")
    page.wait_for_selector(".fc-event")
    page.click(f".fc-timegrid-event >> nth={nth}")
    page.wait_for_selector("#appointment-billing:not([hidden]) .billing-status")


def test_arrive_invoice_and_collect_until_paid(page, live_server, scene, tmp_path):
    open_panel(page, live_server, 0)
    page.click("#appointment-billing [data-status='arrived']")
    page.wait_for_selector("#arrive-form")
    assert "Physiotherapy follow-up" in page.inner_text("#arrive-form")
    page.click("#arrive-confirm")
    page.wait_for_selector(".billing-message.ok")
    assert "Arrived" in page.inner_text(".status-pill")
    assert "107.35" in page.inner_text(".billing-charges")

    page.click("#invoice-button")
    page.wait_for_selector(".billing-invoices")
    invoices = page.inner_text(".billing-invoices")
    assert "DT-000001" in invoices and "Sun Life" in invoices and "owes $107.35" in invoices

    page.fill("#pay-amount", "50")
    page.select_option("#pay-method", "card")
    page.click("#pay-button")
    page.wait_for_function("document.querySelector('.billing-invoices').innerText.includes('owes $57.35')")
    assert "Arrived" in page.inner_text(".status-pill")
    page.screenshot(path=str(tmp_path / "partly-paid.png"))

    page.select_option("#pay-method", "cash")
    page.click("#pay-button")  # the amount is prefilled with what is still owed
    page.wait_for_function("document.querySelector('.status-pill').innerText === 'Paid'")
    assert "paid" in page.inner_text(".billing-invoices")
    assert "invoices: $0.00" in page.inner_text("#billing-balance")
    # The grid redraws the event in the Paid status.
    page.wait_for_function("document.querySelector('#status-bar').innerText.includes('Paid 1')")
    pdf = page.request.get(f"{live_server}/api/v1/invoices/1/pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    page.screenshot(path=str(tmp_path / "paid.png"))


def test_a_no_show_gets_its_fee_or_a_changed_one(page, live_server, scene):
    open_panel(page, live_server, 1)
    page.click("#appointment-billing [data-status='no_show']")
    page.wait_for_selector("#no-show-form")
    assert page.input_value("#fee-amount") == "40.00"
    page.fill("#fee-amount", "30")
    page.click("#no-show-confirm")
    page.wait_for_selector(".billing-message.ok")
    assert "No show" in page.inner_text(".status-pill")
    assert "30.00" in page.inner_text(".billing-charges") and "fee" in page.inner_text(".billing-charges")
    page.click("#appointment-billing [data-status='booked']")
    page.wait_for_function("document.querySelector('.status-pill').innerText === 'Booked'")
    assert "None yet." in page.inner_text(".billing-charges")


def test_an_insurers_long_name_stays_inside_the_panel(page, live_server, db, scene):
    # Issue 14: "Invoice the ticked charges to Lakeshore Mutual — Auto Acci…" ran past the
    # panel's edge, cut off.
    db.session.execute(update(Payer).where(Payer.name == "Sun Life")
                       .values(name="Lakeshore Mutual — Auto Accident Benefits"))
    db.session.commit()
    db.session.close()
    open_panel(page, live_server, 0)
    page.click("#appointment-billing [data-status='arrived']")
    page.wait_for_selector("#arrive-form")
    page.click("#arrive-confirm")
    page.wait_for_selector("#invoice-button")
    button = page.locator("#invoice-button").bounding_box()
    panel = page.locator("#appointment-billing").bounding_box()
    assert button["x"] + button["width"] <= panel["x"] + panel["width"] + 1
    assert "Lakeshore Mutual — Auto Accident Benefits" in page.inner_text("#invoice-button")
