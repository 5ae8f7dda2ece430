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
