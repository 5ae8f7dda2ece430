"""What appointment changes put in the outbox (one transaction with the change)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.messaging import outbox
from app.models import AppointmentStatus, Message, MessageState, NotificationSettings, ReminderPlan
from app.scheduling import booking, lifecycle
from app.timeutil import utcnow
from app.uow import unit_of_work
from tests.messaging.conftest import ahead, book, cover


def messages(**filters) -> list[Message]:
    query = select(Message).order_by(Message.id)
    for name, value in filters.items():
        query = query.where(getattr(Message, name) == value)
    rows = db.session.scalars(query).all()
    db.session.rollback()  # SQLite: do not hold the write lock between steps
    return rows


def summary(rows) -> set[tuple[str, str, str]]:
    return {(m.kind, m.audience, m.state.value) for m in rows}


def test_a_booking_queues_confirmations_and_reminders(scene):
    start = scene.at(10)
    before = utcnow()
    appointment = book(scene, start)
    rows = messages(appointment_id=appointment.id)
    assert summary(rows) == {
        ("confirmation", "client", "pending"), ("confirmation", "provider", "pending"),
        ("reminder_1", "client", "pending"), ("reminder_2", "client", "pending"),
    }
    by_kind = {(m.kind, m.audience): m for m in rows}
    confirmation = by_kind[("confirmation", "client")]
    assert confirmation.to_address == "alex@example.com"
    # Due after the new-booking delay, not at once.
    assert before + timedelta(minutes=3) <= confirmation.due_at <= utcnow() + timedelta(minutes=3)
    assert by_kind[("confirmation", "provider")].to_address == scene.people.provider.user.email
    assert by_kind[("reminder_1", "client")].due_at == start - timedelta(hours=24)
    assert by_kind[("reminder_2", "client")].due_at == start - timedelta(hours=2)
    assert by_kind[("reminder_2", "client")].appointment_starts_at == start


def test_notify_off_sends_the_client_nothing(scene):
    appointment = book(scene, scene.at(10), notify=False)
    assert summary(messages(appointment_id=appointment.id)) == {("confirmation", "provider", "pending")}


def test_the_provider_is_not_told_what_they_did_themselves_or_what_they_turned_off(scene):
    appointment = book(scene, scene.at(10), actor=scene.people.provider.user)
    assert ("confirmation", "provider", "pending") not in summary(messages(appointment_id=appointment.id))
    with unit_of_work():
        db.session.merge(scene.people.provider).notify_new_booking = False
    other = book(scene, scene.at(11))
    assert ("confirmation", "provider", "pending") not in summary(messages(appointment_id=other.id))


def test_disabled_events_queue_nothing(scene):
    with unit_of_work():
        settings = db.session.get(NotificationSettings, 1)
        settings.confirmation_enabled = settings.reminders_enabled = False
    appointment = book(scene, scene.at(10))
    assert messages(appointment_id=appointment.id) == []


def test_a_session_type_plan_overrides_the_location_plan(scene):
    with unit_of_work():
        db.session.add(ReminderPlan(location_id=scene.people.location.id, session_type_id=scene.session_type.id,
                                    offsets="7d"))
    appointment = book(scene, scene.at(10))
    reminders = [m for m in messages(appointment_id=appointment.id) if m.kind.startswith("reminder")]
    assert [(m.kind, m.offset_minutes) for m in reminders] == [("reminder_1", 10080)]


def test_offsets_already_past_at_booking_are_skipped(scene):
    _, start = ahead((5, 8), minutes=60)
    cover(scene, start)
    appointment = book(scene, start)
    kinds = {m.kind for m in messages(appointment_id=appointment.id, audience="client")}
    assert "reminder_2" in kinds and "reminder_1" not in kinds  # 24 h before is already past


def test_reschedule_replaces_pending_reminders_and_keeps_one_confirmation(scene):
    appointment = book(scene, scene.at(10))
    with unit_of_work():
        booking.move(appointment=db.session.merge(appointment), actor=scene.people.frontdesk, start=scene.at(14))
    rows = messages(appointment_id=appointment.id)
    live = [m for m in rows if m.state == MessageState.pending]
    # The confirmation, not yet sent, will tell the final time: no change message on top.
    assert sorted((m.kind, m.audience) for m in live) == [
        ("confirmation", "client"), ("confirmation", "provider"), ("reminder_1", "client"), ("reminder_2", "client")]
    assert {m.due_at for m in live if m.kind.startswith("reminder")} == {
        scene.at(14) - timedelta(hours=24), scene.at(14) - timedelta(hours=2)}
    withdrawn = [m for m in rows if m.state == MessageState.canceled]
    assert {m.kind for m in withdrawn} == {"reminder_1", "reminder_2"}
    assert all("rescheduled" in m.last_error for m in withdrawn)


def test_a_move_after_the_confirmation_went_out_queues_a_change(scene):
    appointment = book(scene, scene.at(10))
    with unit_of_work():
        for m in db.session.scalars(select(Message).where(Message.kind == "confirmation")):
            m.state = MessageState.sent
    with unit_of_work():
        booking.move(appointment=db.session.merge(appointment), actor=scene.people.frontdesk, start=scene.at(15))
    pending = summary(messages(appointment_id=appointment.id, state=MessageState.pending))
    assert ("change", "client", "pending") in pending and ("change", "provider", "pending") in pending


def test_cancel_within_the_delay_sends_nothing_at_all(scene):
    appointment = book(scene, scene.at(10))
    with unit_of_work():
        booking.cancel(appointment=db.session.merge(appointment), actor=scene.people.frontdesk)
    rows = messages(appointment_id=appointment.id)
    assert rows and all(m.state == MessageState.canceled for m in rows)
    assert not any(m.kind == "cancellation" for m in rows)


def test_cancel_after_the_confirmation_went_out_tells_client_and_provider(scene):
    appointment = book(scene, scene.at(10))
    with unit_of_work():
        for m in db.session.scalars(select(Message).where(Message.kind == "confirmation")):
            m.state = MessageState.sent
    with unit_of_work():
        booking.cancel(appointment=db.session.merge(appointment), actor=scene.people.frontdesk)
    rows = messages(appointment_id=appointment.id)
    assert summary(m for m in rows if m.state == MessageState.pending) == {
        ("cancellation", "client", "pending"), ("cancellation", "provider", "pending")}
    assert {m.kind for m in rows if m.state == MessageState.canceled} == {"reminder_1", "reminder_2"}


def test_no_show_withdraws_reminders_and_sends_a_notice(scene):
    appointment = book(scene, scene.at(10))
    with unit_of_work():
        lifecycle.change_status(db.session.merge(appointment), AppointmentStatus.no_show, actor=None,
                                now=appointment.starts_at)
    rows = messages(appointment_id=appointment.id)
    assert {m.kind for m in rows if m.state == MessageState.canceled} == {"reminder_1", "reminder_2"}
    assert ("no_show", "client", "pending") in summary(rows)


def test_rebook_speaks_through_the_new_appointment(scene):
    appointment = book(scene, scene.at(10))
    with unit_of_work():
        for m in db.session.scalars(select(Message).where(Message.kind == "confirmation")):
            m.state = MessageState.sent
    with unit_of_work():
        new = booking.rebook(appointment=db.session.merge(appointment), start=scene.at(16),
                             actor=scene.people.frontdesk).appointment
    old_rows = messages(appointment_id=appointment.id)
    assert not any(m.state == MessageState.pending for m in old_rows)
    new_rows = summary(messages(appointment_id=new.id))
    assert ("change", "client", "pending") in new_rows  # the client knew the old one
    assert ("confirmation", "client", "pending") not in new_rows


def test_a_rolled_back_booking_leaves_no_message(scene):
    with pytest.raises(RuntimeError):
        with unit_of_work():
            booking.book(case=scene.case, session_type=scene.session_type, calendar=scene.calendar,
                         start=scene.at(10), actor=scene.people.frontdesk)
            raise RuntimeError("the request failed after booking")
    assert messages() == []


def test_queue_email_refuses_a_duplicate_key_without_spoiling_the_transaction(db):
    with unit_of_work():
        first = outbox.queue_email("login_code", "pat@example.com", {"code": "123456", "minutes": 10}, "login:1")
        again = outbox.queue_email("login_code", "pat@example.com", {"code": "999999", "minutes": 10}, "login:1")
        other = outbox.queue_email("login_code", "pat@example.com", {"code": "222222", "minutes": 10}, "login:2")
    assert first is not None and again is None and other is not None
    rows = messages()
    assert [(m.dedupe_key, m.context["code"]) for m in rows] == [("login:1", "123456"), ("login:2", "222222")]


def test_an_online_booking_is_confirmed_at_once_the_patient_has_finished(scene):
    from app.scheduling.availability import ONLINE

    with unit_of_work():
        calendar = db.session.merge(scene.calendar)
        calendar.online_enabled, calendar.lead_time_minutes = True, 0
        db.session.merge(scene.session_type).online_bookable = True
    before = utcnow()
    with unit_of_work():
        result = booking.book(case=db.session.merge(scene.case), session_type=db.session.merge(scene.session_type),
                              calendar=db.session.merge(scene.calendar), start=scene.at(10), actor=None, channel=ONLINE)
        appointment_id = result.appointment.id
    confirmation = next(m for m in messages(appointment_id=appointment_id)
                        if (m.kind, m.audience) == ("confirmation", "client"))
    assert confirmation.due_at <= before + timedelta(seconds=30)
