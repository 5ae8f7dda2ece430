"""End to end on a phone: a new patient books online, is offered the intake and consent
forms on the confirmation page (and by email, through the outbox's stub), fills the intake
and signs the consent by drawing on the signature pad; the provider then signs in, reads
the answers in the client file, and that read is in the access log."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db as ext_db
from app.intake.defaults import ensure_defaults
from app.models import AccessEvent, Client, FormRule, FormSubmission, FormTemplate, Message
from tests.booking.conftest import GENEROUS, site  # noqa: F401  (fixtures)
from tests.browser.conftest import ARTIFACTS, log_in
from tests.browser.test_intake_languages import PHONE, draw_signature
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _production_like(app, monkeypatch):
    from app.booking import limits

    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    monkeypatch.setitem(app.config, "BOOKING_RATE_LIMITS", dict(GENEROUS))
    with app.test_request_context():
        limits.reset()


def test_a_new_patient_books_fills_intake_and_signs_consent_and_the_provider_reads_them(
        browser, live_server, site, db, page, people):  # noqa: F811
    ensure_defaults()
    for name in ("Physiotherapy intake", "Consent to treatment"):
        template = db.session.scalar(select(FormTemplate).where(FormTemplate.name == name))
        db.session.add(FormRule(template_id=template.id, patient_kind="new", active=True))
    provider_user_id = people.provider.user_id
    day = site.days[0].isoformat()
    db.session.commit()
    ext_db.session.close()

    context = browser.new_context(**PHONE)
    phone = context.new_page()
    phone.goto(f"{live_server}/book/")
    if phone.locator("text=Downtown").count():
        phone.click("text=Downtown")
    phone.click("#new-patient")
    phone.click("text=Initial assessment")
    phone.click("text=Maya Chen")
    phone.goto(f"{live_server}/book/times?day={day}")
    phone.locator("button.time").first.click()
    phone.fill("#first_name", "Nora")
    phone.fill("#last_name", "Patel")
    phone.fill("#email", "nora@example.com")
    phone.fill("#phone", "416 555 0199")
    phone.fill("#date_of_birth", "1988-04-02")
    phone.click("text=Review booking")
    phone.click("#confirm")
    phone.wait_for_selector("text=You're booked!")
    offered = phone.locator("#before-your-visit a.choice")
    expect(offered).to_have_count(2)
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "intake_after_booking_confirmed.png"), full_page=True)

    # The same forms went to the patient's email through the outbox.
    emails = {m.context["form_name"]: m for m in ext_db.session.scalars(
        select(Message).where(Message.kind == "form_request", Message.to_address == "nora@example.com"))}
    assert sorted(emails) == ["Consent to treatment", "Physiotherapy intake"]
    ext_db.session.close()

    # The intake, from the confirmation page.
    phone.locator("#before-your-visit a.choice", has_text="Physiotherapy intake").click()
    phone.get_by_label("What brings you in?").fill("Left knee pain on stairs since a fall.")
    phone.get_by_label("Left knee").check()
    phone.get_by_label("Pain right now (0 = none, 10 = worst imaginable)").fill("5")
    for question in ("Do you take any medication?", "Do you have allergies (latex, oils, medication)?"):
        phone.get_by_role("group", name=question).get_by_label("No").check()
    phone.get_by_label("Emergency contact (name and phone)").fill("Raj Patel 416 555 0123")
    phone.get_by_role("button", name="Send to the clinic").click()
    phone.get_by_text("Thank you!").wait_for()

    # The consent, from the email's link, signed by drawing with a finger.
    phone.goto(live_server + urlsplit(emails["Consent to treatment"].context["form_url"]).path)
    phone.get_by_role("group", name="I consent to assessment and treatment").get_by_label("Yes").check()
    phone.get_by_label("Your full name").fill("Nora Patel")
    draw_signature(phone)
    phone.screenshot(path=str(ARTIFACTS / "intake_after_booking_consent.png"), full_page=True)
    phone.get_by_role("button", name="Send to the clinic").click()
    phone.get_by_text("Thank you!").wait_for()
    context.close()

    nora = ext_db.session.scalar(select(Client).where(Client.email == "nora@example.com"))
    signed = ext_db.session.scalar(select(FormSubmission).where(FormSubmission.client_id == nora.id,
                                                                FormSubmission.signed_name == "Nora Patel"))
    assert signed.signature_image.startswith("data:image/png;base64,") and len(signed.signature_image) > 500
    intake = ext_db.session.scalar(select(FormSubmission).where(FormSubmission.client_id == nora.id,
                                                                FormSubmission.signed_name.is_(None)))
    client_id, intake_id = nora.id, intake.id
    ext_db.session.close()

    log_in(page, live_server, "provider", PASSWORD)
    page.goto(f"{live_server}/clinical/clients/{client_id}")
    expect(page.get_by_text("Consent to treatment: signed on")).to_be_visible()
    page.locator("li", has_text="Physiotherapy intake: complete on").get_by_role("link", name="answers").click()
    expect(page.get_by_text("Left knee pain on stairs since a fall.")).to_be_visible()
    expect(page.get_by_text("Raj Patel 416 555 0123")).to_be_visible()
    reads = ext_db.session.scalars(select(AccessEvent.actor_id).where(
        AccessEvent.subject_type == "form", AccessEvent.subject_id == intake_id, AccessEvent.action == "view")).all()
    assert reads == [provider_user_id]
