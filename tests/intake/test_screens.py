"""The staff screens of forms: send by hand, the builder's versions, review settings; bad
input comes back as a message, never a 500."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.intake.defaults import ensure_defaults
from app.intake.reviews import review_settings
from app.models import FormRequest, FormTemplate, FormVersion, Message
from tests import factories
from tests.views.helpers import login


@pytest.fixture()
def manager(client, people, db):
    ensure_defaults()
    db.session.commit()
    login(client, "manager")
    return client


def test_a_form_is_sent_by_hand_from_the_clients_page(manager, people, db):
    patient = factories.make_client(email="zoe@example.com")
    nameless = factories.make_client(email=None)
    consent = db.session.scalar(select(FormTemplate.id).where(FormTemplate.name == "Consent to treatment"))
    db.session.commit()
    response = manager.post(f"/intake/clients/{patient.id}/send", data={"template_id": consent})
    assert response.status_code == 302
    assert db.session.scalar(select(Message.to_address).where(Message.kind == "form_request")) == "zoe@example.com"
    refused = manager.post(f"/intake/clients/{nameless.id}/send", data={"template_id": consent})
    assert refused.status_code == 302
    assert db.session.scalar(select(func.count(FormRequest.id))) == 1  # nothing half-saved for the second
    assert manager.post("/intake/clients/999999/send", data={"template_id": consent}).status_code == 404


def test_saving_a_form_makes_a_new_version_and_bad_definitions_are_refused(manager, db):
    nprs = db.session.scalar(select(FormTemplate).where(FormTemplate.name.startswith("Numeric pain")))
    fields = [dict(nprs.current.fields[0], label="Pain now")]
    url = f"/intake/forms/{nprs.id}/"
    assert manager.get(url).status_code == 200
    ok = manager.post(url, json={"fields": fields, "scoring": nprs.current.scoring, "active": True})
    assert ok.status_code == 200 and ok.json["version"] == 2
    bad = manager.post(url, json={"fields": [{"key": "x", "kind": "number", "label": ""}], "active": True})
    assert bad.status_code == 422 and bad.json["problems"][0]["field"] == "fields.0.label"
    numbers = db.session.scalars(select(FormVersion.number).where(FormVersion.template_id == nprs.id)).all()
    assert sorted(numbers) == [1, 2]


def test_review_settings_are_checked_and_saved(manager, db):
    bad = manager.post("/intake/reviews/", data={"enabled": "on", "review_url": "", "delay_hours": "2",
                                                 "min_days_between": "90"}, headers={"Referer": "/intake/reviews/"})
    assert bad.status_code == 302
    db.session.expire_all()
    assert review_settings().enabled is False
    good = manager.post("/intake/reviews/", data={"enabled": "on", "review_url": "https://example.com/r",
                                                  "delay_hours": "4", "min_days_between": "120"})
    assert good.status_code == 302
    db.session.expire_all()
    settings = review_settings()
    assert (settings.enabled, settings.review_url, settings.delay_hours, settings.min_days_between) == (
        True, "https://example.com/r", 4, 120)


@pytest.mark.parametrize("url", ["/intake/forms/", "/intake/reviews/", "/formruleview/list/", "/formruleview/add"])
def test_form_setup_opens_for_managers_only(client, people, db, url):
    db.session.commit()
    login(client, "manager")
    assert client.get(url).status_code == 200


def test_a_rules_patients_are_picked_from_a_list_and_read_back_in_words(manager, db):
    from app.models import FormRule

    page = manager.get("/formruleview/add").get_data(as_text=True)
    assert '<select' in page and 'value="returning"' in page and "Returning patients" in page
    consent = db.session.scalar(select(FormTemplate.id).where(FormTemplate.name == "Consent to treatment"))
    refused = manager.post("/formruleview/add", data={"template": consent, "patient_kind": "everyone", "active": "y"})
    assert refused.status_code == 200 and db.session.scalar(select(func.count(FormRule.id))) == 0
    assert manager.post("/formruleview/add", data={"template": consent, "patient_kind": "new",
                                                   "active": "y"}).status_code == 302
    assert db.session.scalar(select(FormRule.patient_kind)) == "new"
    assert "New patients (no earlier visit)" in manager.get("/formruleview/list/").get_data(as_text=True)


def test_a_new_form_needs_a_listed_purpose(manager, db):
    before = db.session.scalar(select(func.count(FormTemplate.id)))
    refused = manager.post("/intake/forms/new", data={"name": "Knee intake", "purpose": "x" * 40})
    assert refused.status_code == 302 and db.session.scalar(select(func.count(FormTemplate.id))) == before
    assert manager.post("/intake/forms/new", data={"name": "Knee intake", "purpose": "outcome"}).status_code == 302
    assert db.session.scalar(select(FormTemplate.purpose).where(FormTemplate.name == "Knee intake")) == "outcome"
