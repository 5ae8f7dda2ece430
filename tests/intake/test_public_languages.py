"""The patient's form pages speak the patient's language: their pick (``?lang=``), else the
language on their record, else their browser's; messages, the thank-you page and the PDF too."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.intake import service
from app.intake.defaults import ensure_defaults
from app.intake.links import fill_path
from app.models import FormRequest, FormTemplate
from app.uow import unit_of_work
from tests import factories


@pytest.fixture()
def link(db, people):
    ensure_defaults()
    client = factories.make_client(first_name="Inês", email="ines@example.com", preferred_language="pt_PT")
    template = db.session.scalar(select(FormTemplate).where(FormTemplate.name == "Numeric pain rating scale (NPRS)"))
    with unit_of_work():
        form_request = service.create_request(template, client.id)
    return fill_path(form_request.id)


@pytest.mark.parametrize("query, headers, lang, words", [
    ("", {}, "pt-PT", "A sua dor neste momento"),  # the record's language
    ("", {"Accept-Language": "fr-CA"}, "pt-PT", "Enviar para a clínica"),  # the record beats the browser
    ("?lang=fr_CA", {}, "fr-CA", "Votre douleur en ce moment"),  # the patient's pick beats both
    ("?lang=en", {"Accept-Language": "pt-PT"}, "en", "Send to the clinic"),
])
def test_the_form_page_in_the_patients_language(client, link, query, headers, lang, words):
    page = client.get(link + query, headers=headers).get_data(as_text=True)
    assert f'<html lang="{lang}">' in page and words in page


def test_messages_thank_you_and_pdf_in_portuguese(client, link):
    wrong = client.post(link, data={"action": "submit", "pain_now": "12"})
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and "Indique um número de 0 a 10." in page
    assert "Algumas respostas precisam de ser revistas:" in page
    done = client.post(link, data={"action": "submit", "pain_now": "4"}).get_data(as_text=True)
    assert "Obrigado!" in done and "chegou à clínica" in done
    pdf = client.get(link + "/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    again = client.get(link).get_data(as_text=True)
    assert "Já enviado" in again


def test_an_expired_or_withdrawn_link_says_so_in_the_patients_language(client, link, db):
    from app.models import FormRequest

    db.session.scalars(select(FormRequest)).one().status = "withdrawn"
    db.session.commit()
    page = client.get(link + "?lang=fr_CA")
    assert page.status_code == 404 and "n’est plus valide" in page.get_data(as_text=True)


def test_the_help_text_shows_under_its_question_linked_and_in_the_patients_language(client, link, db):
    nprs = db.session.scalar(select(FormTemplate).where(FormTemplate.name == "Numeric pain rating scale (NPRS)"))
    fields = [dict(nprs.current.fields[0], help="Send to the clinic")]  # words the catalogue knows
    with unit_of_work():
        service.save_version(nprs, fields, nprs.current.scoring, user_id=None)
    client_id = db.session.scalars(select(FormRequest.client_id)).first()
    with unit_of_work():
        fresh = fill_path(service.create_request(nprs, client_id).id)
    page = client.get(fresh + "?lang=en").get_data(as_text=True)
    key = fields[0]["key"]
    assert f'<p class="field-help" id="help-{key}">Send to the clinic</p>' in page
    assert f'aria-describedby="help-{key}"' in page
    translated = client.get(fresh + "?lang=pt_PT").get_data(as_text=True)
    assert f'id="help-{key}">Enviar para a clínica</p>' in translated  # through form_text, like the labels
    wrong = client.post(fresh, data={"action": "submit", key: "12"}).get_data(as_text=True)
    assert f'aria-describedby="help-{key} err-{key}"' in wrong  # the help and the problem, both read out


def _massage_history_for(db, people, **client_fields):
    """A Lisboa patient with a visit there and the shipped massage health history to fill."""
    from datetime import timedelta

    from app.timeutil import utcnow

    ensure_defaults()
    people.other_location.phone = "+351213000100"
    client = factories.make_client(first_name="Maria", last_name="Gonçalves", email="maria@example.pt",
                                   date_of_birth=__import__("datetime").date(1988, 4, 2), **client_fields)
    case = factories.make_case(client=client, discipline=people.discipline, provider=people.outsider)
    visit = factories.make_appointment(people.outsider.calendars[0], utcnow() + timedelta(days=2), case=case)
    template = db.session.scalar(select(FormTemplate).where(FormTemplate.name == "Massage health history"))
    with unit_of_work():
        form_request = service.create_request(template, client.id, case_id=case.id, appointment_id=visit.id)
    db.session.commit()
    return fill_path(form_request.id)


def test_the_form_page_gives_the_phone_of_the_visits_location(client, db, people):
    """Opened from the email, with no booking steps behind it: Lisboa's number, not the clinic's."""
    from app.models import clinic_settings

    clinic_settings().phone = "+14165550100"
    link = _massage_history_for(db, people, preferred_language="pt_PT")
    page = client.get(link).get_data(as_text=True)
    assert "+351213000100" in page and "+14165550100" not in page


def test_the_thank_you_page_and_the_pdf_write_dates_and_chosen_options_in_the_patients_language(client, db, people):
    from tests.billing.test_pdf import text_of

    link = _massage_history_for(db, people, preferred_language="pt_PT")
    answers = {"action": "submit", "reason": "Pain or tension", "medications": "no", "allergies": "no",
               "emergency_contact": "Rui 912 000 111"}
    done = client.post(link, data=answers)
    page = done.get_data(as_text=True)
    assert done.status_code == 200, page[:2000]
    from app.i18n.formatting import day_with_year
    from app.models import FormSubmission
    from app.timeutil import to_local

    submitted = db.session.scalars(select(FormSubmission)).one().submitted_at
    today_in_lisbon = day_with_year(to_local(submitted, "Europe/Lisbon"), locale="pt_PT")
    assert f"chegou à clínica a {today_in_lisbon}." in page  # "5 de dezembro de 2026", not 2026-12-05
    text = " ".join(text_of(client.get(link + "/pdf").data).split())
    assert "nascido(a) a 2 de abril de 1988" in text and "UTC" not in text
    assert "Dor ou tensão" in text and "Pain or tension" not in text  # the shipped option, translated
