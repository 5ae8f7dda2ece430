"""One move is one "moved" row in the audit trail, one status change one "status" row
(the generic "updated" row of the flush used to come as well)."""
from __future__ import annotations

from sqlalchemy import select

from app.models import AppointmentStatus, AuditEvent
from app.scheduling import booking, lifecycle
from tests.scheduling.conftest import NOW, at


def _actions(db, appointment_id: int) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_type == "Appointment", AuditEvent.entity_id == appointment_id).order_by(AuditEvent.id)))


def test_a_move_and_a_status_change_are_each_audited_once(clinic, db):
    appointment = booking.book(case=clinic.case, session_type=clinic.physio, calendar=clinic.provider,
                               start=at(9, 30), actor=None, now=NOW).appointment
    db.session.commit()
    booking.move(appointment=appointment, actor=None, start=at(11), now=NOW)
    db.session.commit()
    lifecycle.change_status(appointment, AppointmentStatus.confirmed, actor=None, now=NOW)
    db.session.commit()
    assert _actions(db, appointment.id) == ["created", "moved", "status"]
    moved = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "moved"))
    assert moved.before and moved.after and moved.before != moved.after


def test_a_plain_edit_is_still_audited_as_updated(clinic, db):
    appointment = booking.book(case=clinic.case, session_type=clinic.physio, calendar=clinic.provider,
                               start=at(9, 30), actor=None, now=NOW).appointment
    db.session.commit()
    assert appointment.notes is None  # loaded: the trail records a change against a known value
    appointment.notes = "Bring the referral"
    db.session.commit()
    assert _actions(db, appointment.id) == ["created", "updated"]
