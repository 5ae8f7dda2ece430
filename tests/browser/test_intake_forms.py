"""A patient fills intake and consent on a phone, with a drawn signature; the provider
then reads the answers from the client's forms page."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from playwright.sync_api import expect

from app.intake import service
from app.intake.defaults import ensure_defaults
from app.intake.links import fill_path
from app.models import FormSubmission, FormTemplate
from app.timeutil import utcnow
from tests import factories
from tests.browser.conftest import ARTIFACTS, log_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture()
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, has_touch=True,
                                  is_mobile=True)
    page = context.new_page()
    yield page
    context.close()


def test_a_patient_fills_intake_and_consent_on_a_phone_and_the_provider_reads_them(
        live_server, db, people, phone, page):
    ensure_defaults()
    client = factories.make_client(first_name="João", last_name="Gonçalves", email="joao@example.com")
    case = factories.make_case(client=client, discipline=people.discipline, provider=people.provider)
    visit = factories.make_appointment(people.provider_calendar, utcnow() + timedelta(days=2), case=case)
    links = {}
    for name in ("Physiotherapy intake", "Consent to treatment"):
        template = db.session.scalar(select(FormTemplate).where(FormTemplate.name == name))
        links[name] = fill_path(service.create_request(template, client.id, case_id=case.id,
                                                       appointment_id=visit.id).id)
    client_id = client.id
    db.session.commit()

    phone.goto(live_server + links["Physiotherapy intake"])
    phone.get_by_label("What brings you in?").fill("Low back pain after lifting a box.")
    phone.get_by_label("Lower back").check()
    # Save and continue: the answers survive a reload (a locked phone, a closed tab).
    phone.get_by_role("button", name="Save and continue later").click()
    phone.get_by_text("Saved. You can close this page").wait_for()
    phone.goto(live_server + links["Physiotherapy intake"])
    assert phone.get_by_label("What brings you in?").input_value() == "Low back pain after lifting a box."
    phone.get_by_role("button", name="Send to the clinic").click()
    phone.locator("#form-errors").wait_for()  # messages per field, focus on the summary
    assert phone.locator("#q-pain_now .error").inner_text() == "This question needs an answer."
    phone.get_by_label("Pain right now (0 = none, 10 = worst imaginable)").fill("6")
    for question in ("Do you take any medication?", "Do you have allergies (latex, oils, medication)?"):
        phone.get_by_role("group", name=question).get_by_label("No").check()
    phone.get_by_label("Emergency contact (name and phone)").fill("Maria Gonçalves 416 555 0199")
    phone.get_by_role("button", name="Send to the clinic").click()
    phone.get_by_text("Thank you!").wait_for()

    phone.goto(live_server + links["Consent to treatment"])
    phone.get_by_role("group", name="I consent to assessment and treatment").get_by_label("Yes").check()
    phone.get_by_label("Your full name").fill("João Gonçalves")
    pad = phone.locator("canvas.signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    phone.mouse.move(box["x"] + 30, box["y"] + 100)
    phone.mouse.down()
    for step in range(1, 12):
        phone.mouse.move(box["x"] + 30 + step * 25, box["y"] + 100 - (step % 3) * 30)
    phone.mouse.up()
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "intake_consent_phone.png"), full_page=True)
    phone.get_by_role("button", name="Send to the clinic").click()
    phone.get_by_text("Thank you!").wait_for()

    signed = db.session.scalar(select(FormSubmission).where(FormSubmission.signed_name == "João Gonçalves"))
    assert signed.signature_image.startswith("data:image/png;base64,") and len(signed.signature_image) > 500
    db.session.commit()

    log_in(page, live_server, "provider", PASSWORD)
    page.goto(f"{live_server}/intake/clients/{client_id}/")
    assert "Consent to treatment: signed on" in page.content()
    assert "Physiotherapy intake: complete on" in page.content()
    page.locator("li", has_text="Physiotherapy intake").get_by_role("link", name="answers").click()
    expect(page.get_by_text("Low back pain after lifting a box.")).to_be_visible()
    expect(page.get_by_text("Lower back")).to_be_visible()
