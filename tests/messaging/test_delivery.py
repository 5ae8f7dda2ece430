"""Sending one message: claim, send-time re-check, SendGrid via the local stub,
retry classification, .ics invites, the file channel, sandboxed templates."""
from __future__ import annotations

import base64
import email
from datetime import timedelta

import pytest
from icalendar import Calendar as ICal
from jinja2.exceptions import SecurityError
from sqlalchemy import select, update

from app.extensions import db
from app.messaging import attachments, outbox, templates
from app.messaging.delivery import deliver
from app.models import Message, MessageAttempt, MessageState, MessageTemplate
from app.scheduling import booking
from app.timeutil import utcnow
from app.uow import unit_of_work
from tests.messaging.conftest import book


def due_now(appointment_id: int, kind: str, audience: str = "client") -> int:
    """Time passes: the message is due now. Returns its id."""
    with unit_of_work():
        message_id = db.session.scalar(select(Message.id).where(
            Message.appointment_id == appointment_id, Message.kind == kind, Message.audience == audience,
            Message.state == MessageState.pending))
        db.session.execute(update(Message).where(Message.id == message_id).values(due_at=utcnow()))
    return message_id


def fresh(message_id: int) -> Message:
    db.session.expire_all()
    message = db.session.get(Message, message_id)
    db.session.rollback()
    return message


def history(message_id: int) -> list[str]:
    rows = db.session.scalars(select(MessageAttempt.outcome).where(MessageAttempt.message_id == message_id)
                              .order_by(MessageAttempt.id)).all()
    db.session.rollback()
    return list(rows)


def invite_of(request: dict) -> ICal:
    files = [a for a in request["body"].get("attachments", []) if a["filename"].endswith(".ics")]
    assert len(files) == 1
    return ICal.from_ical(base64.b64decode(files[0]["content"]))


def test_a_confirmation_goes_through_sendgrid_with_its_invite(scene, sendgrid):
    appointment = book(scene, scene.at(10))
    message_id = due_now(appointment.id, "confirmation")
    assert deliver(message_id) == "sent"

    [request] = sendgrid.accepted()
    assert request["path"] == "/v3/mail/send"
    assert request["headers"]["Authorization"] == "Bearer SG.test-key"
    body = request["body"]
    assert body["personalizations"][0]["to"] == [{"email": "alex@example.com"}]
    assert "Follow-up" in body["content"][0]["value"] and body["content"][1]["type"] == "text/html"
    assert body["custom_args"] == {"plinth_message_id": str(message_id), "plinth_kind": "confirmation"}
    # No clinical detail anywhere in what left the clinic.
    raw = str(body)
    assert "ACL" not in raw and "Secret clinical note" not in raw

    calendar = invite_of(request)
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "REQUEST"
    assert event["UID"] == f"appointment-{appointment.id}@plinth" and event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == scene.at(10)
    assert str(event.decoded("DTSTART").tzinfo) == "America/Toronto"
    assert "ACL" not in calendar.to_ical().decode()

    message = fresh(message_id)
    assert message.state == MessageState.sent and message.attempts == 1 and message.provider_message_id
    assert message.subject.startswith("Your appointment at") and "Alex" in message.body_text
    assert history(message_id) == ["sent"]


def test_a_change_keeps_the_uid_and_raises_the_sequence_and_a_cancel_cancels(scene, sendgrid):
    appointment = book(scene, scene.at(10))
    deliver(due_now(appointment.id, "confirmation"))
    with unit_of_work():
        booking.move(appointment=db.session.merge(appointment), actor=scene.people.frontdesk, start=scene.at(13))
    deliver(due_now(appointment.id, "change"))
    with unit_of_work():
        booking.cancel(appointment=db.session.merge(appointment), actor=scene.people.frontdesk)
    deliver(due_now(appointment.id, "cancellation"))
    client_requests = [r for r in sendgrid.accepted() if r["body"]["personalizations"][0]["to"][0]["email"]
                       == "alex@example.com"]
    events = [invite_of(r) for r in client_requests]
    assert [str(c["METHOD"]) for c in events] == ["REQUEST", "REQUEST", "CANCEL"]
    vevents = [c.walk("VEVENT")[0] for c in events]
    assert len({str(e["UID"]) for e in vevents}) == 1
    assert [int(e["SEQUENCE"]) for e in vevents] == [0, 1, 2]
    assert vevents[1].decoded("DTSTART") == scene.at(13)
    assert str(vevents[2]["STATUS"]) == "CANCELLED"


def test_a_message_is_sent_once_however_often_its_job_runs(scene, sendgrid):
    appointment = book(scene, scene.at(10))
    message_id = due_now(appointment.id, "confirmation")
    assert [deliver(message_id) for _ in range(3)] == ["sent", "not-claimed", "not-claimed"]
    assert len(sendgrid.accepted()) == 1


def test_a_message_not_yet_due_is_not_claimed(scene, sendgrid):
    book(scene, scene.at(10))
    with unit_of_work():
        message_id = db.session.scalar(select(Message.id).where(Message.kind == "confirmation"))
    assert deliver(message_id) == "not-claimed"
    assert sendgrid.requests == []


def test_send_time_check_skips_a_reminder_for_a_moved_or_canceled_appointment(scene, sendgrid):
    appointment = book(scene, scene.at(10))
    reminder = due_now(appointment.id, "reminder_2")
    # Moved behind the outbox's back (the sweep could have claimed it just before the move).
    with unit_of_work():
        db.session.execute(update(Message).where(Message.id == reminder).values(
            appointment_starts_at=scene.at(9)))
    assert deliver(reminder) == "skipped"
    assert "moved" in fresh(reminder).last_error

    confirmation = due_now(appointment.id, "confirmation")
    with unit_of_work():
        db.session.merge(appointment).notify = False
    assert deliver(confirmation) == "skipped"
    assert fresh(confirmation).state == MessageState.canceled
    assert sendgrid.requests == []


@pytest.mark.parametrize("status, state, retried", [
    (429, MessageState.pending, True),
    (500, MessageState.pending, True),
    (502, MessageState.pending, True),
    (503, MessageState.pending, True),
    (400, MessageState.failed, False),
    (401, MessageState.failed, False),
    (403, MessageState.failed, False),
    (413, MessageState.failed, False),
])
def test_temporary_errors_retry_with_backoff_permanent_ones_fail(app, db, sendgrid, status, state, retried):
    with unit_of_work():
        message = outbox.queue_email("login_code", "pat@example.com", {"code": "123456", "minutes": 10}, "k1")
    sendgrid.plan.append(status)
    before = utcnow()
    deliver(message.id)
    row = fresh(message.id)
    assert row.state == state and str(status) in row.last_error
    if retried:
        assert row.due_at >= before + timedelta(seconds=30)  # the first backoff step
        assert history(message.id) == ["retry"]
        with unit_of_work():  # time passes; the next try goes through
            db.session.execute(update(Message).where(Message.id == message.id).values(due_at=utcnow()))
        assert deliver(message.id) == "sent"
        assert fresh(message.id).attempts == 2 and history(message.id) == ["retry", "sent"]
    else:
        assert history(message.id) == ["failed"]
        assert deliver(message.id) == "not-claimed"


def test_network_errors_retry_and_the_cap_fails_the_message(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "SENDGRID_API_KEY", "SG.test-key")
    monkeypatch.setitem(app.config, "SENDGRID_API_HOST", "http://127.0.0.1:9")  # nothing listens
    monkeypatch.setitem(app.config, "PLINTH_OUTBOX_MAX_ATTEMPTS", 3)
    with unit_of_work():
        message = outbox.queue_email("login_code", "pat@example.com", {"code": "1", "minutes": 10}, "k2")
    outcomes = []
    for _ in range(3):
        outcomes.append(deliver(message.id))
        with unit_of_work():
            db.session.execute(update(Message).where(Message.id == message.id).values(due_at=utcnow()))
    assert outcomes == ["retry", "retry", "failed"]
    row = fresh(message.id)
    assert row.state == MessageState.failed and "unreachable" in row.last_error and row.attempts == 3


def test_without_an_api_key_messages_become_eml_files(app, scene, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "SENDGRID_API_KEY", None)
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    appointment = book(scene, scene.at(10))
    assert deliver(due_now(appointment.id, "confirmation")) == "sent"
    [path] = list((tmp_path / "outbox").glob("*.eml"))
    parsed = email.message_from_bytes(path.read_bytes())
    assert parsed["To"] == "alex@example.com" and "Your appointment" in parsed["Subject"]
    types = [part.get_content_type() for part in parsed.walk()]
    assert "text/plain" in types and "text/html" in types and "text/calendar" in types
    [invite] = [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]
    assert invite.get_content_charset() == "utf-8" and "BEGIN:VCALENDAR" in invite.get_payload(decode=True).decode("utf-8")


def test_registered_attachments_travel_with_their_kind(db, sendgrid):
    billing_pdf = attachments._REGISTRY.get("invoice")  # registered by create_app
    attachments.register("invoice", lambda message: [("INV-1.pdf", "application/pdf", b"%PDF-1.4 test")])
    try:
        with unit_of_work():
            message = outbox.queue_email("invoice", "pat@example.com", {"invoice_number": "INV-1",
                                                                        "amount": "$90.00"}, "inv:1", invoice_id=1)
        assert deliver(message.id) == "sent"
    finally:
        attachments.register("invoice", billing_pdf)
    [request] = sendgrid.accepted()
    [pdf] = request["body"]["attachments"]
    assert pdf["filename"] == "INV-1.pdf" and base64.b64decode(pdf["content"]).startswith(b"%PDF")


# --- templates -----------------------------------------------------------------------------
SANDBOX_ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ clinic.__class__.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os }}",
]


@pytest.mark.parametrize("body", SANDBOX_ESCAPES)
def test_templates_are_sandboxed(body):
    template = templates.Template("Hi", body, "<p>x</p>")
    assert templates.check(template, "confirmation")  # refused when saved
    with pytest.raises(SecurityError):
        templates.render(template, {"clinic": {"name": "X"}})


def test_html_is_escaped_and_unknown_variables_are_reported():
    rendered = templates.render(templates.DEFAULTS[("confirmation", "client")],
                                {**templates.SAMPLES["confirmation"], "client_name": "<script>x</script>",
                                 "clinic": templates.SAMPLE_CLINIC})
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html
    assert "<script>" in rendered.text  # plain text is not HTML
    problems = templates.check(templates.Template("{{ nope }}", "x", "y"), "confirmation")
    assert problems and "nope" in problems[0]
    assert all(templates.check(t, kind) == [] for (kind, _), t in templates.DEFAULTS.items())


def test_a_manager_template_is_used_and_a_broken_one_falls_back_to_the_default(scene, sendgrid):
    with unit_of_work():
        templates.ensure_rows()
        row = db.session.scalar(select(MessageTemplate).where(
            MessageTemplate.kind == "confirmation", MessageTemplate.audience == "client"))
        row.subject = "See you {{ date }}, {{ client_name }}!"
    appointment = book(scene, scene.at(10))
    deliver(due_now(appointment.id, "confirmation"))
    assert sendgrid.accepted()[-1]["body"]["subject"].startswith("See you ")
    with unit_of_work():
        db.session.scalar(select(MessageTemplate).where(MessageTemplate.kind == "confirmation",
                                                        MessageTemplate.audience == "client")).subject = "{{ x.y.z"
    other = book(scene, scene.at(12))
    deliver(due_now(other.id, "confirmation"))
    assert sendgrid.accepted()[-1]["body"]["subject"].startswith("Your appointment at")


def test_login_codes_from_online_booking_render_their_context(db, sendgrid):
    with unit_of_work():
        message = outbox.queue_email("login_code", "pat@example.com", {"code": "482913", "minutes": 10}, "lc:1")
    deliver(message.id)
    body = sendgrid.accepted()[0]["body"]
    assert "482913" in body["subject"] and "10 minutes" in body["content"][0]["value"]
    assert "attachments" not in body


def test_an_eml_subject_keeps_its_spaces_between_accented_words(tmp_path):
    """Python 3.11 folded a long subject into encoded words and lost the space between two of
    them ("« Échelle numérique »" read back as "« Échellenumérique »")."""
    from email import policy

    from app.messaging.channels.base import Envelope
    from app.messaging.channels.files import FileChannel

    subject = "Plinth Demo Clinic : veuillez remplir « Échelle numérique de la douleur (NPRS) »"
    FileChannel(tmp_path).send(Envelope(to="gabriel@example.ca", subject=subject, text="Bonjour",
                                        from_address="clinic@example.com", from_name="Plinth Demo Clinic"))
    [path] = list(tmp_path.glob("*.eml"))
    assert email.message_from_bytes(path.read_bytes(), policy=policy.default)["Subject"] == subject
