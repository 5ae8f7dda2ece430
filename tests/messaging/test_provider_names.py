"""The team reads the client's full name ("New booking: Ana Souza, …"); the client is
greeted by the name they go by."""
from __future__ import annotations

from app.extensions import db
from app.messaging.delivery import deliver
from tests.messaging.conftest import book
from tests.messaging.test_delivery import due_now, fresh


def test_the_provider_email_names_the_client_in_full_and_the_client_is_greeted_by_first_name(scene, sendgrid):
    scene.client.first_name, scene.client.last_name, scene.client.preferred_name = "Ana", "Souza", None
    db.session.commit()
    appointment = book(scene, scene.at(10))
    to_provider = due_now(appointment.id, "confirmation", audience="provider")
    to_client = due_now(appointment.id, "confirmation")
    assert deliver(to_provider) == "sent" and deliver(to_client) == "sent"
    assert fresh(to_provider).subject.startswith("New booking: Ana Souza, ")
    assert "Ana Souza" in fresh(to_provider).body_text
    assert "Ana Souza" not in fresh(to_client).body_text and "Ana" in fresh(to_client).body_text
