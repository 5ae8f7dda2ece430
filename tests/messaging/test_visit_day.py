"""A no-show notice names the visit's day as it is when the message goes out: a notice
sent the day after (the front desk marked the no-show late, or the outbox was down)
must not say "today"."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.messaging import compose
from app.messaging.delivery import deliver
from app.models import AppointmentStatus
from app.scheduling import lifecycle
from app.uow import unit_of_work
from tests.messaging.conftest import book
from tests.messaging.test_delivery import due_now, fresh


def _no_show_sent_after(scene, monkeypatch, after: timedelta, language: str | None = None):
    if language:
        scene.client.preferred_language = language
        db.session.commit()
    appointment = book(scene, scene.at(10))
    with unit_of_work():
        lifecycle.change_status(db.session.merge(appointment), AppointmentStatus.no_show, actor=None,
                                now=appointment.starts_at)
    message_id = due_now(appointment.id, "no_show")
    monkeypatch.setattr(compose, "utcnow", lambda: appointment.starts_at + after)  # the clock at send time
    assert deliver(message_id) == "sent"
    return fresh(message_id)


@pytest.mark.parametrize("after, language, says, never", [
    (timedelta(hours=2), None, "We missed you today at", "yesterday"),
    (timedelta(hours=20), None, "We missed you yesterday at", "today"),
    (timedelta(days=3), None, "We missed you on ", "today"),
    (timedelta(hours=20), "fr_CA", "Nous vous avons manqué hier chez", "aujourd'hui"),
    (timedelta(hours=20), "pt_PT", "Sentimos a sua falta ontem na", "hoje"),
])
def test_a_no_show_notice_names_the_day_from_when_it_is_sent(scene, sendgrid, monkeypatch, after, language, says,
                                                             never):
    message = _no_show_sent_after(scene, monkeypatch, after, language)
    assert message.subject.startswith(says), message.subject
    assert never not in message.subject


def test_a_late_notice_names_the_visits_date(scene, sendgrid, monkeypatch):
    message = _no_show_sent_after(scene, monkeypatch, timedelta(days=3))
    assert f"We missed you on {scene.day:%a} {scene.day.day} {scene.day:%b} at" in message.subject, message.subject
