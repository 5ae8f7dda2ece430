"""Forms end to end: versions, the patient's link (draft, per-field messages, submit,
PDF), immutability, sending through the outbox, and who may read the answers."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from app.errors import Conflict
from app.intake import sending, service
from app.intake.defaults import ensure_defaults
from app.intake.links import fill_path
from app.messaging.delivery import still_wanted
from app.models import (
    AccessEvent, AppointmentStatus, FormRequest, FormSubmission, FormTemplate, Message, MessageState,
)
from app.timeutil import utcnow
from app.uow import unit_of_work
from tests import factories
from tests.views.helpers import login

PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


@pytest.fixture()
def scene(db, people):
    ensure_defaults()
    client = factories.make_client(first_name="Inês", last_name="Araújo", email="ines@example.com")
    case = factories.make_case(client=client, discipline=people.discipline, provider=people.provider)
    visit = factories.make_appointment(people.provider_calendar, utcnow().replace(microsecond=0) + timedelta(days=3),
                                       case=case)
    db.session.commit()
    return {"client": client, "case": case, "visit": visit, "people": people}


def template(name: str) -> FormTemplate:
    from app.extensions import db

    return db.session.scalar(select(FormTemplate).where(FormTemplate.name.startswith(name)))


def ask(scene, name="Consent to treatment", **kw) -> FormRequest:
    with unit_of_work():
        return service.create_request(template(name), scene["client"].id, case_id=scene["case"].id,
                                      appointment_id=scene["visit"].id, **kw)


def test_the_patient_saves_a_draft_gets_messages_per_field_then_submits_and_gets_a_pdf(client, scene, db):
    form_request = ask(scene)
    url = fill_path(form_request.id)
    page = client.get(url)
    assert page.status_code == 200 and "I consent to assessment and treatment" in page.get_data(as_text=True)
    assert "Content-Security-Policy" in page.headers and page.headers["Cache-Control"] == "no-store"

    saved = client.post(url, data={"action": "save", "consent": "yes", "signature__name": "Inês Araújo"})
    assert saved.status_code == 302 and "Saved" in client.get(saved.headers["Location"]).get_data(as_text=True)
    assert db.session.get(FormRequest, form_request.id).draft == {"consent": "yes", "signature__name": "Inês Araújo"}
    assert 'value="Inês Araújo"' in client.get(url).get_data(as_text=True)  # the draft comes back

    refused = client.post(url, data={"action": "submit", "consent": "yes", "signature__name": "Inês Araújo"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Sign in the box with your finger or mouse" in body
    assert db.session.scalar(select(func.count(FormSubmission.id))) == 0

    done = client.post(url, data={"action": "submit", "consent": "yes", "signature__name": "Inês Araújo",
                                  "signature__image": PNG})
    assert done.status_code == 200 and "Thank you" in done.get_data(as_text=True)
    submission = db.session.scalar(select(FormSubmission))
    assert (submission.answers, submission.signed_name, submission.signature_image, submission.case_id) == (
        {"consent": "yes", "signature": {"name": "Inês Araújo", "signed": True}}, "Inês Araújo", PNG,
        scene["case"].id)
    assert "Already sent in" in client.get(url).get_data(as_text=True)
    again = client.post(url, data={"action": "submit", "consent": "no"})
    assert db.session.scalar(select(func.count(FormSubmission.id))) == 1 and again.status_code == 200
    pdf = client.get(url + "/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_expired_withdrawn_and_forged_links_show_nothing(client, scene, db):
    old = ask(scene, now=utcnow() - timedelta(days=31))
    assert client.get(fill_path(old.id)).status_code == 404
    assert client.get("/forms/not-a-token").status_code == 404
    assert client.get(fill_path(old.id)[:-2] + "xx").status_code == 404


def test_a_new_version_leaves_filled_forms_on_theirs_and_both_are_immutable(app, scene, db, backend):
    form_request = ask(scene, "Numeric pain")
    with unit_of_work():
        service.submit(form_request, {"pain_now": "7"})
    nprs = template("Numeric pain")
    fields = [dict(nprs.current.fields[0], label="Pain today (0-10)")]
    with unit_of_work():
        version = service.save_version(nprs, fields, nprs.current.scoring, user_id=None)
    assert version.number == 2
    submission = db.session.scalar(select(FormSubmission))
    assert submission.version.number == 1 and submission.score == 7
    assert submission.version.fields[0]["label"].startswith("Your pain right now")

    for change in (lambda: setattr(submission, "answers", {"pain_now": "2"}), lambda: db.session.delete(submission),
                   lambda: setattr(version, "fields", [])):
        change()
        with pytest.raises(Conflict):
            db.session.flush()
        db.session.rollback()
    if backend == "postgresql":
        with pytest.raises(Exception, match="immutable"):
            db.session.execute(text("UPDATE form_submission SET answers = '{}'"))
        db.session.rollback()
        with pytest.raises(Exception, match="immutable"):
            db.session.execute(text("DELETE FROM form_submission"))
        db.session.rollback()


def test_sending_queues_the_link_and_a_reminder_that_filling_or_canceling_withdraws(app, scene, db):
    with app.test_request_context():
        form_request = ask(scene)
        with unit_of_work():
            assert sending.send(form_request)
    messages = {m.kind: m for m in db.session.scalars(select(Message))}
    assert set(messages) == {"form_request", "form_reminder"}
    assert "/forms/" in messages["form_request"].context["form_url"]
    assert messages["form_reminder"].due_at == scene["visit"].starts_at - timedelta(days=1)
    assert still_wanted(messages["form_reminder"]) is None

    scene["visit"].status = AppointmentStatus.canceled
    db.session.flush()
    assert still_wanted(messages["form_reminder"]) == "The appointment is canceled."
    assert still_wanted(messages["form_request"]) == "The appointment is canceled."
    db.session.rollback()

    with unit_of_work():
        service.submit(db.session.get(FormRequest, form_request.id), {
            "consent": "yes", "signature__name": "Inês Araújo", "signature__image": PNG})
    assert db.session.get(Message, messages["form_reminder"].id).state == MessageState.canceled


def test_managers_and_the_clients_provider_read_answers_logged_the_front_desk_sees_status_only(app, scene, db):
    form_request = ask(scene, "Numeric pain")
    with unit_of_work():
        submission_id = service.submit(form_request, {"pain_now": "6"}).id
    client_id = scene["client"].id
    readers_expected = sorted([scene["people"].manager.id, scene["people"].provider.user_id])
    db.session.commit()  # no transaction (on SQLite: no write lock) held while the requests run
    expectations = {"manager": 200, "provider": 200, "frontdesk": 403, "outsider": 404}
    for username, status in expectations.items():
        with app.app_context():  # a fresh `g` per user (the test's own context would keep the last login)
            browser = app.test_client()
            login(browser, username)
            assert browser.get(f"/intake/submissions/{submission_id}").status_code == status, username
            overview = browser.get(f"/intake/clients/{client_id}/")
        if username == "outsider":
            assert overview.status_code == 404
        else:
            page = overview.get_data(as_text=True)
            assert "Numeric pain rating scale (NPRS): complete" in page
            assert ("/intake/submissions/" in page) == (status == 200), username
    reads = db.session.execute(select(AccessEvent.action, AccessEvent.actor_id).where(
        AccessEvent.subject_type == "form", AccessEvent.subject_id == submission_id)).all()
    assert sorted(actor for action, actor in reads if action == "view") == readers_expected
    # the client's forms page shows the score over the case: that read is logged too
    assert sorted(actor for action, actor in reads if action == "score") == readers_expected


def test_form_status_for_many_clients_in_one_query(scene, db):
    ask(scene)
    other = factories.make_client()
    statuses = service.form_status([scene["client"].id, other.id])
    assert [s.label() for s in statuses[scene["client"].id]] == ["Consent to treatment: pending"]
    assert other.id not in statuses
