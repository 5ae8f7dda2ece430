"""The Messages screens: who sees what, resend / cancel through the service, preview."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.messaging import outbox
from app.models import AuditEvent, Message, MessageState
from app.uow import unit_of_work
from tests.messaging.conftest import book
from tests.views.helpers import login


def test_manager_screens_render(client, scene):
    appointment = book(scene, scene.at(10))
    login(client, "manager")
    for url in ("/messageview/list/", "/reminderplanview/list/", "/messagetemplateview/list/"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "alex@example.com" in client.get("/messageview/list/").get_data(as_text=True)
    settings = client.get("/notificationsettingsview/list/")
    assert settings.status_code == 302 and "/edit/1" in settings.headers["Location"]
    message_id = db.session.scalar(select(Message.id).where(Message.appointment_id == appointment.id))
    db.session.rollback()
    assert client.get(f"/messageview/show/{message_id}").status_code == 200
    listing = client.get("/messagetemplateview/list/").get_data(as_text=True)
    assert "Booking confirmation (to the client)" in listing  # shipped, no row yet: opening the list writes none
    edit = client.post("/messagetemplateview/shipped", data={"key": "confirmation|client"})
    template_id = int(edit.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    db.session.rollback()
    preview = client.get(f"/messagetemplateview/preview/{template_id}")
    assert preview.status_code == 200 and "Preview" in preview.get_data(as_text=True)


def test_front_desk_reads_but_cannot_resend_and_a_provider_sees_no_other_messages(client, scene):
    book(scene, scene.at(10))
    login(client, "frontdesk")
    assert client.get("/messageview/list/").status_code == 200
    assert client.get("/messagetemplateview/list/").status_code in (302, 403)
    message_id = db.session.scalar(select(Message.id))
    db.session.rollback()
    client.post("/messageview/action_post", data={"action": "cancel", "rowid": [message_id]})
    assert db.session.get(Message, message_id).state == MessageState.pending
    db.session.rollback()
    client.get("/logout/")
    login(client, "outsider")
    assert "alex@example.com" not in client.get("/messageview/list/").get_data(as_text=True)


def test_cancel_and_resend_go_through_the_service_and_are_audited(client, scene):
    with unit_of_work():
        message = outbox.queue_email("login_code", "pat@example.com", {"code": "1", "minutes": 10}, "scr:1")
        message.due_at = message.due_at.replace(year=message.due_at.year + 1)
    login(client, "manager")
    client.post("/messageview/action_post", data={"action": "cancel", "rowid": [message.id]})
    db.session.expire_all()
    assert db.session.get(Message, message.id).state == MessageState.canceled
    db.session.rollback()
    client.post("/messageview/action_post", data={"action": "resend", "rowid": [message.id]})
    db.session.expire_all()
    assert db.session.get(Message, message.id).state == MessageState.pending
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "Message")).all()
    db.session.rollback()
    assert sorted(actions) == ["message_canceled", "message_resent"]
