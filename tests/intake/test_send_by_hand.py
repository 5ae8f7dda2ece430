"""Staff sending a form by hand (the grid panel's and the client file's "Send form…"): what
is refused, and how (4xx naming the field, nothing written), and what a sending leaves —
the request, its email and reminder in the outbox, an audit row, the panel's status."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.intake import service
from app.intake.defaults import ensure_defaults
from app.models import AppointmentStatus, AuditEvent, FormRequest, FormTemplate, Message
from app.timeutil import utcnow
from tests import factories
from tests.views.helpers import login


@pytest.fixture()
def scene(client, db, people):
    ensure_defaults()
    ahead = utcnow().replace(microsecond=0) + timedelta(days=3)

    def person(first, email, location=people.location):
        patient = factories.make_client(first_name=first, last_name="Sousa", email=email, home_location=location)
        case = factories.make_case(client=patient, discipline=people.discipline, provider=people.provider)
        return patient, case

    ana, ana_case = person("Ana", "ana@example.com")
    bea, bea_case = person("Bea", None)
    visit = factories.make_appointment(people.provider_calendar, ahead, case=ana_case)
    past = factories.make_appointment(people.provider_calendar, ahead - timedelta(days=10), case=ana_case)
    canceled = factories.make_appointment(people.provider_calendar, ahead + timedelta(days=1), case=ana_case)
    canceled.status = AppointmentStatus.canceled
    other_visit = factories.make_appointment(people.provider_calendar, ahead + timedelta(hours=2), case=bea_case)
    stranger = factories.make_client(first_name="Far", last_name="Away", email="far@example.com",
                                     home_location=people.other_location)
    names = {t.name: t for t in db.session.scalars(select(FormTemplate))}
    archived = names["Consent to treatment"]
    archived.active = False
    empty = FormTemplate(name="Not written yet", purpose="intake", active=True, created_at=utcnow())
    db.session.add(empty)
    db.session.commit()
    login(client, "frontdesk")
    return {"ana": ana.id, "ana_case": ana_case.id, "bea": bea.id, "bea_case": bea_case.id, "visit": visit.id,
            "past": past.id, "canceled": canceled.id, "other_visit": other_visit.id, "stranger": stranger.id,
            "intake": names["Physiotherapy intake"].id, "archived": archived.id, "empty": empty.id}


def send(client, scene, who="ana", **body):
    body = {k: scene.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    return client.post(f"/intake/clients/{scene[who]}/send.json", json=body)


@pytest.mark.parametrize("who, body, status, field, words", [
    ("bea", {"template_id": "intake"}, 422, "client", "no email address"),
    ("ana", {"template_id": "archived"}, 422, "template_id", "archived"),
    ("ana", {"template_id": "empty"}, 422, "template_id", "no questions"),
    ("ana", {"template_id": 999999}, 422, "template_id", "Choose a form"),
    ("ana", {"template_id": "12"}, 422, "template_id", "Choose a form"),
    ("ana", {}, 422, "template_id", "Choose a form"),
    ("ana", {"template_id": True}, 422, "template_id", "Choose a form"),
    ("ana", {"template_id": "intake", "case_id": 1.5}, 422, "case_id", "from the list"),
    ("ana", {"template_id": "intake", "appointment_id": "other_visit"}, 422, "appointment_id", "not this client"),
    ("ana", {"template_id": "intake", "appointment_id": "canceled"}, 422, "appointment_id", "over or canceled"),
    ("ana", {"template_id": "intake", "appointment_id": "past"}, 422, "appointment_id", "over or canceled"),
    ("ana", {"template_id": "intake", "case_id": "bea_case"}, 422, "case_id", "not this client"),
    ("ana", {"template_id": "intake", "case_id": "ana_case", "appointment_id": "other_visit"}, 422,
     "appointment_id", "not this client"),
    ("ana", {"template_id": "intake", "appointment_id": "x"}, 422, "appointment_id", "from the list"),
    ("ana", {"template_id": "intake", "appointment_id": 999999}, 404, None, "no such visit"),
    ("stranger", {"template_id": "intake"}, 404, None, "no such client"),
])
def test_a_sending_that_breaks_a_rule_is_refused_and_nothing_is_written(client, db, scene, who, body, status,
                                                                        field, words):
    if body.get("appointment_id") == "x":
        response = client.post(f"/intake/clients/{scene[who]}/send.json",
                               json={"template_id": scene["intake"], "appointment_id": "x"})
    else:
        response = send(client, scene, who, **body)
    assert response.status_code == status, response.json
    assert words in response.json["message"]
    if field:
        assert [p["field"] for p in response.json["problems"]] == [field]
    assert db.session.scalar(select(func.count(FormRequest.id))) == 0
    assert db.session.scalar(select(func.count(Message.id))) == 0


def test_the_front_desk_sends_a_form_for_a_visit_and_sees_it_pending_then_sends_it_again(client, db, scene):
    first = send(client, scene, template_id="intake", appointment_id="visit")
    assert first.status_code == 201, first.json
    assert first.json["message"] == "“Physiotherapy intake” was sent to ana@example.com."
    assert [(f["status"], f["label"]) for f in first.json["forms"]] == [
        ("pending", "Physiotherapy intake: pending")]
    request = db.session.get(FormRequest, first.json["request_id"])
    assert (request.appointment_id, request.case_id) == (scene["visit"], scene["ana_case"])
    kinds = db.session.execute(select(Message.kind, Message.to_address).order_by(Message.id)).all()
    assert kinds == [("form_request", "ana@example.com"), ("form_reminder", "ana@example.com")]
    assert db.session.scalar(select(AuditEvent.after).where(AuditEvent.action == "sent by hand"))["to"] == \
        "ana@example.com"
    # Still pending for this visit: the same request, its link in a new email.
    again = send(client, scene, template_id="intake", appointment_id="visit")
    assert again.status_code == 201 and "sent again" in again.json["message"]
    assert again.json["request_id"] == request.id
    assert db.session.scalar(select(func.count(FormRequest.id))) == 1
    assert db.session.scalar(select(func.count(Message.id)).where(Message.kind == "form_request")) == 2
    # The panel shows the status to the front desk, never a way to the answers.
    panel = client.get(f"/intake/panel/{scene['visit']}").json
    assert panel["may_send"] is True and panel["client_id"] == scene["ana"]
    assert [f["answers_url"] for f in panel["forms"]] == [None]
    assert "Consent to treatment" not in [t["name"] for t in panel["templates"]]  # archived


def test_a_submitted_consent_reads_signed_on_its_day_and_only_readers_get_the_answers(client, db, scene, people):
    consent = db.session.get(FormTemplate, scene["archived"])
    consent.active = True
    request = service.create_request(consent, scene["ana"], appointment_id=scene["visit"])
    submission = service.submit(request, {"consent": "yes", "signature__name": "Ana Sousa",
                                          "signature__image": "data:image/png;base64,AAAA"})
    db.session.commit()
    day = submission.submitted_at
    frontdesk = client.get(f"/intake/panel/{scene['visit']}").json["forms"]
    assert frontdesk[0]["label"].startswith("Consent to treatment: signed on ")
    assert str(day.year) in frontdesk[0]["label"] and frontdesk[0]["answers_url"] is None
    client.get("/logout/")
    login(client, "manager")
    assert client.get(f"/intake/panel/{scene['visit']}").json["forms"][0]["answers_url"].endswith(
        f"/intake/submissions/{submission.id}")


def test_the_client_file_sends_by_plain_form_and_comes_back(client, db, scene):
    response = client.post(f"/intake/clients/{scene['ana']}/send",
                           data={"template_id": scene["intake"], "next": f"/clinical/clients/{scene['ana']}"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/clinical/clients/{scene['ana']}")
    assert db.session.scalar(select(func.count(FormRequest.id))) == 1
    page = client.get(f"/clinical/clients/{scene['ana']}").get_data(as_text=True)
    assert "Physiotherapy intake: pending" in page and "Send form…" in page
    offsite = client.post(f"/intake/clients/{scene['ana']}/send",
                          data={"template_id": scene["intake"], "next": "https://evil.example.com/"})
    assert "evil" not in offsite.headers["Location"]
