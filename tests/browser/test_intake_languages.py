"""The patient's form pages on a phone in each language: the form, its saved notice, its
messages to fix, the drawn signature, the thank-you page and an expired link are in the
patient's language (``<html lang>``) with 0 axe-core violations (WCAG 2.1 AA, every impact)."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db as ext_db
from app.intake import service
from app.intake.defaults import ensure_defaults
from app.intake.links import fill_path
from app.models import FormRequest, FormSubmission, FormTemplate
from app.timeutil import utcnow
from tests import factories
from tests.browser.axe import violations
from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser
PHONE = dict(viewport={"width": 390, "height": 844}, device_scale_factor=2, has_touch=True, is_mobile=True)
SHOTS = Path("/work/wt/shots/h17")
WORDS = {  # what each page must say in that language
    "en": {"fill": "Send to the clinic", "saved": "Saved. You can close this page", "errors": "Some answers need another look",
           "done": "Thank you!", "expired": "This form link has expired"},
    "fr_CA": {"fill": "Envoyer à la clinique", "saved": "Enregistré. Vous pouvez fermer cette page",
              "errors": "Certaines réponses sont à revoir", "done": "Merci!", "expired": "Ce lien vers le formulaire a expiré"},
    "pt_PT": {"fill": "Enviar para a clínica", "saved": "Guardado. Pode fechar esta página",
              "errors": "Algumas respostas precisam de ser revistas", "done": "Obrigado!",
              "expired": "Esta ligação para o formulário expirou"},
}


def draw_signature(page) -> None:
    pad = page.locator("canvas.signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 100)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 30 + step * 25, box["y"] + 100 - (step % 3) * 30)
    page.mouse.up()


@pytest.mark.parametrize("language", list(WORDS))
def test_the_form_pages_in_each_language_on_a_phone_have_no_axe_violations(browser, live_server, db, people,
                                                                          language):
    ensure_defaults()
    client = factories.make_client(first_name="Inês", last_name="Araújo", email="ines@example.com",
                                   preferred_language=language)
    case = factories.make_case(client=client, discipline=people.discipline, provider=people.provider)
    visit = factories.make_appointment(people.provider_calendar, utcnow() + timedelta(days=2), case=case)
    asked: dict[str, FormRequest] = {}
    for name in ("Physiotherapy intake", "Consent to treatment", "Numeric pain rating scale (NPRS)"):
        template = db.session.scalar(select(FormTemplate).where(FormTemplate.name == name))
        asked[name] = service.create_request(template, client.id, case_id=case.id, appointment_id=visit.id)
    asked["Numeric pain rating scale (NPRS)"].expires_at = utcnow() - timedelta(minutes=1)
    links = {name: fill_path(form_request.id) for name, form_request in asked.items()}
    db.session.commit()
    ext_db.session.close()

    context = browser.new_context(**PHONE, locale="en-CA")  # the record's language wins over the browser's
    page = context.new_page()
    found: list[str] = []
    words = WORDS[language]

    def check(step: str) -> None:
        assert words[step] in page.inner_text("main"), step
        assert page.get_attribute("html", "lang") == language.replace("_", "-"), step
        found.extend(f"{step}: {v}" for v in violations(page))
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"forms_{language}_{step}.png"), full_page=True)

    page.goto(live_server + links["Physiotherapy intake"])
    check("fill")
    page.locator("textarea#complaint").fill("Dor lombar.")
    page.locator("button[value=save]").click()
    page.locator("p.notice").wait_for()
    check("saved")
    page.locator("button[value=submit]").click()
    page.locator("#form-errors").wait_for()
    check("errors")

    page.goto(live_server + links["Consent to treatment"])
    page.locator("#q-consent input[value=yes]").check()
    page.locator("#signature__name").fill("Inês Araújo")
    draw_signature(page)
    if language == "pt_PT":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "form_phone_pt_PT.png"), full_page=True)
    found.extend(f"signed: {v}" for v in violations(page))
    page.locator("button[value=submit]").click()
    page.locator(".card.success").wait_for()
    check("done")
    pdf = page.request.get(live_server + links["Consent to treatment"] + "/pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")

    page.goto(live_server + links["Numeric pain rating scale (NPRS)"])
    check("expired")
    context.close()
    assert not found, "\n".join(found)
    signed = db.session.scalar(select(FormSubmission).where(FormSubmission.signed_name == "Inês Araújo"))
    assert signed.signature_image.startswith("data:image/png;base64,")
