"""Text messages end to end against the local Twilio stub: sending, status callbacks,
STOP / START / HELP, signatures, permanent and temporary errors, consent at send time."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from app.extensions import db
from app.messaging import consent
from app.messaging.delivery import deliver
from app.messaging.shortlinks import read_short_token
from app.models import Client, LocationTextSettings, Message, MessageEvent, MessageState
from app.timeutil import UTC
from app.uow import unit_of_work
from tests.messaging.conftest import book
from tests.messaging.test_delivery import due_now, fresh, history
from tests.messaging.twilio_stub import AUTH_TOKEN

PHONE = "+14165550123"
SENDER = "+14165550000"


@pytest.fixture()
def daytime(monkeypatch):
    """Deliveries happen at the next Toronto noon, so the quiet hours (21:00-08:00) below do
    not depend on the hour the suite runs; still before the scene's day, ten days ahead."""
    from app.messaging import delivery
    from app.timeutil import utcnow

    now = utcnow()
    local = now.astimezone(ZoneInfo("America/Toronto"))
    noon = local.replace(hour=12, minute=0, second=0, microsecond=0)
    if noon < local:
        noon += timedelta(days=1)
    monkeypatch.setattr(delivery, "utcnow", lambda: noon.astimezone(UTC))


@pytest.fixture()
def texting(scene, daytime):
    """The scene's client prefers texts and agreed (at the front desk); Toronto texts."""
    with unit_of_work():
        client = db.session.get(Client, scene.client.id)
        client.phone, client.message_channel = PHONE, "sms"
        consent.give_consent(client, "staff")
        db.session.add(LocationTextSettings(location_id=scene.people.location.id, sender_number=SENDER,
                                            quiet_start=time(21), quiet_end=time(8),
                                            text_kinds="confirmation,change,cancellation,reminder"))
    return scene


def texts_of(appointment_id: int) -> list[Message]:
    rows = db.session.scalars(select(Message).where(Message.appointment_id == appointment_id,
                                                    Message.audience == "client").order_by(Message.id)).all()
    db.session.rollback()
    return rows


def post_signed(client, path: str, form: dict, token: str = AUTH_TOKEN, **kw):
    url = "http://127.0.0.1:5000" + path  # PUBLIC_BASE_URL of the tests
    signature = RequestValidator(token).compute_signature(url, form)
    return client.post(path, data=urlencode(form), headers={"X-Twilio-Signature": signature},
                       content_type="application/x-www-form-urlencoded", **kw)


def test_a_client_who_prefers_texts_gets_the_confirmation_by_sms_with_a_short_link(app, texting, twilio):
    appointment = book(texting, texting.at(10))
    rows = texts_of(appointment.id)
    assert {(m.kind, m.channel) for m in rows if m.kind == "confirmation"} == {("confirmation", "sms")}
    message_id = due_now(appointment.id, "confirmation")
    assert deliver(message_id) == "sent"

    [request] = twilio.accepted()
    assert request["path"].endswith("/Messages.json")
    form = request["form"]
    assert (form["To"], form["From"]) == (PHONE, SENDER)
    assert "Follow-up" in form["Body"] and "Secret" not in form["Body"] and "ACL" not in form["Body"]
    assert form["StatusCallback"] == f"http://127.0.0.1:5000/webhooks/twilio/status?m={message_id}"
    short = form["Body"].split("http://127.0.0.1:5000/m/")[1].split()[0]
    assert read_short_token(short) == appointment.id
    sent = fresh(message_id)
    assert (sent.state, sent.provider_message_id, sent.segments) == (MessageState.sent, request["sid"], 1)
    assert sent.body_text == form["Body"] and sent.body_html is None


def test_the_short_link_leads_to_the_manage_page_and_cannot_be_forged(app, client, texting):
    appointment = book(texting, texting.at(10))
    from app.messaging.shortlinks import short_token

    answer = client.get(f"/m/{short_token(appointment.id)}")
    assert answer.status_code == 302 and "/book/manage/" in answer.headers["Location"]
    head = short_token(appointment.id).split(".")[0]
    assert client.get(f"/m/{head}.AAAAAAAAAAAA").status_code == 404
    assert client.get("/m/zz").status_code == 404


def test_whatsapp_goes_through_the_same_provider_when_the_location_turns_it_on(app, texting, twilio):
    with unit_of_work():
        db.session.scalar(select(LocationTextSettings)).whatsapp_enabled = True
    appointment = book(texting, texting.at(10))
    message_id = due_now(appointment.id, "confirmation")
    assert fresh(message_id).channel == "whatsapp"
    assert deliver(message_id) == "sent"
    form = twilio.accepted()[0]["form"]
    assert (form["To"], form["From"]) == (f"whatsapp:{PHONE}", f"whatsapp:{SENDER}")


def test_status_callbacks_are_recorded_once_and_only_move_forward(app, client, texting, twilio):
    appointment = book(texting, texting.at(10))
    message_id = due_now(appointment.id, "confirmation")
    deliver(message_id)
    sid = twilio.accepted()[0]["sid"]
    path = f"/webhooks/twilio/status?m={message_id}"
    for status in ("queued", "sent", "delivered"):
        assert post_signed(client, path, {"MessageSid": sid, "MessageStatus": status}).json == {"recorded": 1}
    # Twilio retries and reorders callbacks: a repeat changes nothing, a late one never goes back.
    assert post_signed(client, path, {"MessageSid": sid, "MessageStatus": "delivered"}).json == {"recorded": 0}
    assert fresh(message_id).delivery_status == "delivered"
    events = db.session.scalars(select(MessageEvent.event).where(MessageEvent.message_id == message_id)
                                .order_by(MessageEvent.id)).all()
    db.session.rollback()
    assert events == ["queued", "sent", "delivered"]


@pytest.mark.parametrize("status, code, still_consents", [
    ("undelivered", "30003", True),   # the phone is off: nothing to conclude
    ("failed", "21610", False),       # they sent STOP to the carrier / Twilio: no more texts
])
def test_an_undelivered_text_keeps_the_carriers_error(app, client, texting, twilio, status, code, still_consents):
    appointment = book(texting, texting.at(10))
    message_id = due_now(appointment.id, "confirmation")
    deliver(message_id)
    sid = twilio.accepted()[0]["sid"]
    answer = post_signed(client, "/webhooks/twilio/status",
                         {"MessageSid": sid, "MessageStatus": status, "ErrorCode": code})
    assert answer.status_code == 200
    message = fresh(message_id)
    assert message.delivery_status == status and code in message.last_error
    assert consent.has_consent(db.session.get(Client, texting.client.id)) is still_consents
    db.session.rollback()


@pytest.mark.parametrize("case", ["no signature", "wrong token", "tampered body", "no token configured"])
def test_webhooks_refuse_requests_without_a_valid_signature(app, client, texting, twilio, monkeypatch, case):
    form = {"MessageSid": "SM1", "From": PHONE, "Body": "STOP"}
    if case == "no signature":
        answer = client.post("/webhooks/twilio/inbound", data=form)
    elif case == "wrong token":
        answer = post_signed(client, "/webhooks/twilio/inbound", form, token="another-token")
    elif case == "tampered body":
        signature = RequestValidator(AUTH_TOKEN).compute_signature(
            "http://127.0.0.1:5000/webhooks/twilio/inbound", {**form, "Body": "HELLO"})
        answer = client.post("/webhooks/twilio/inbound", data=form, headers={"X-Twilio-Signature": signature})
    else:
        monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", None)
        answer = post_signed(client, "/webhooks/twilio/inbound", form)
    assert answer.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(MessageEvent)) == 0
    assert consent.has_consent(db.session.get(Client, texting.client.id))
    db.session.rollback()


def test_stop_then_a_reminder_sends_nothing_and_start_brings_texts_back(app, client, texting, twilio):
    appointment = book(texting, texting.at(16))
    reminder = due_now(appointment.id, "reminder_1")
    answer = post_signed(client, "/webhooks/twilio/inbound", {"MessageSid": "SMin1", "From": PHONE,
                                                               "Body": "Stop"})
    assert answer.status_code == 200 and "<Response" in answer.text
    assert deliver(reminder) == "skipped"
    assert twilio.accepted() == []
    assert fresh(reminder).last_error == "The client opted out of text messages."

    # The same signed request again (a replay) is refused: START in between stays in force.
    post_signed(client, "/webhooks/twilio/inbound", {"MessageSid": "SMin2", "From": PHONE, "Body": "START"})
    assert post_signed(client, "/webhooks/twilio/inbound",
                       {"MessageSid": "SMin1", "From": PHONE, "Body": "Stop"}).status_code == 200
    person = db.session.get(Client, texting.client.id)
    assert consent.has_consent(person) and person.text_consent_source == "reply"
    db.session.rollback()
    second = due_now(appointment.id, "reminder_2")
    assert deliver(second) == "sent"
    assert [r["form"]["To"] for r in twilio.accepted()] == [PHONE]


def test_help_answers_with_the_clinic_and_changes_nothing(app, client, texting, twilio):
    answer = post_signed(client, "/webhooks/twilio/inbound", {"MessageSid": "SMh", "From": PHONE, "Body": "help"})
    assert answer.status_code == 200 and "Reply STOP to opt out" in answer.text
    assert consent.has_consent(db.session.get(Client, texting.client.id))
    db.session.rollback()


@pytest.mark.parametrize("status, code, state, retried", [
    (400, 21610, MessageState.failed, False),   # opted out with the carrier
    (400, 21211, MessageState.failed, False),   # invalid number
    (400, 21614, MessageState.failed, False),   # not a mobile
    (401, 20003, MessageState.failed, False),   # our credentials
    (429, 20429, MessageState.pending, True),   # too many requests
    (500, None, MessageState.pending, True),    # Twilio's trouble
    (503, None, MessageState.pending, True),
])
def test_twilio_errors_are_permanent_or_retried(app, texting, twilio, status, code, state, retried):
    appointment = book(texting, texting.at(10))
    message_id = due_now(appointment.id, "confirmation")
    twilio.plan.append((status, code))
    assert deliver(message_id) == ("retry" if retried else "failed")
    message = fresh(message_id)
    assert message.state == state
    if code:
        assert str(code) in message.last_error
    if retried:
        assert history(message_id) == ["retry"]
    else:
        assert deliver(message_id) == "not-claimed"  # never again
    person = db.session.get(Client, texting.client.id)
    assert consent.has_consent(person) == (code != 21610)  # 21610 also records the opt-out
    db.session.rollback()


def test_without_twilio_credentials_texts_are_written_to_files(app, texting):
    appointment = book(texting, texting.at(10))
    message_id = due_now(appointment.id, "confirmation")
    assert deliver(message_id) == "sent"
    from pathlib import Path

    [written] = list((Path(app.instance_path) / "outbox").glob(f"{message_id}-*.sms.txt"))
    text = written.read_text()
    assert f"To: {PHONE}" in text and f"From: {SENDER}" in text and "Follow-up" in text
    for stale in (Path(app.instance_path) / "outbox").glob("*.sms.txt"):
        stale.unlink()


def test_a_client_without_consent_gets_the_email_instead(app, texting, twilio):
    with unit_of_work():
        db.session.get(Client, texting.client.id).text_consent_at = None
    appointment = book(texting, texting.at(10))
    assert {m.channel for m in texts_of(appointment.id)} == {"email"}


def test_consent_withdrawn_after_planning_stops_the_queued_text(app, texting, twilio):
    appointment = book(texting, texting.at(10))
    message_id = due_now(appointment.id, "confirmation")
    with unit_of_work():
        consent.withdraw_consent(db.session.get(Client, texting.client.id))
    assert deliver(message_id) == "skipped" and twilio.accepted() == []
    assert fresh(message_id).last_error == "The client opted out of text messages."


def test_a_text_due_in_quiet_hours_waits_for_the_morning(app, texting, twilio, monkeypatch):
    appointment = book(texting, texting.at(16))
    message_id = due_now(appointment.id, "confirmation")
    from app.messaging import delivery

    night = texting.at(23, day=texting.day - timedelta(days=1))
    monkeypatch.setattr(delivery, "utcnow", lambda: night)
    with unit_of_work():
        db.session.get(Message, message_id).due_at = night
    assert deliver(message_id) == "postponed"
    message = fresh(message_id)
    assert message.state == MessageState.pending and message.due_at == texting.at(8)
    assert message.attempts == 0 and twilio.accepted() == []


@pytest.mark.parametrize("local_start, reminder_2_utc", [
    (time(9, 30), "2027-03-14 12:00"),   # 2 h before = 07:30 EDT, quiet: 08:00 EDT the same morning
    (time(10, 30), "2027-03-14 12:30"),  # 08:30 EDT: outside quiet hours, unchanged
    (time(8, 0), None),                  # 06:00 → 08:00 is not before the visit: no text reminder
])
def test_reminders_planned_in_quiet_hours_across_the_spring_dst_change(app, texting, local_start, reminder_2_utc):
    from tests.messaging.conftest import ZONE, cover
    from app.timeutil import to_utc

    start = to_utc(datetime(2027, 3, 14).date(), local_start, ZONE)  # the day clocks go forward
    cover(texting, start)
    appointment = book(texting, start)
    reminders = {m.kind: m.due_at for m in texts_of(appointment.id) if m.kind.startswith("reminder")}
    assert reminders["reminder_1"] == to_utc(datetime(2027, 3, 13).date(), local_start, ZONE)  # 24 h
    if reminder_2_utc is None:
        assert "reminder_2" not in reminders
    else:
        assert reminders["reminder_2"] == datetime.fromisoformat(reminder_2_utc).replace(tzinfo=UTC)
