"""API writes land in the audit trail with the JWT user as actor; refused ones leave nothing."""
from __future__ import annotations

from sqlalchemy import select

from app.models import AuditEvent, Client


def client_events(db):
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "Client")
                              .order_by(AuditEvent.id)).all()


def test_an_api_write_is_audited_with_the_caller_as_actor(people, as_user, db):
    api = as_user("frontdesk")
    created = api.post("/api/v1/client/", json={
        "first_name": "Rita", "last_name": "Lopes", "phone": "416 555 0101", "home_location": people.location.id})
    assert created.status_code == 201, created.json
    assert api.put(f"/api/v1/client/{created.json['id']}", json={"phone": "416 555 0199"}).status_code == 200
    events = [e for e in client_events(db) if e.entity_id == created.json["id"]]
    assert [(e.action, e.actor_id) for e in events] == [("created", people.frontdesk.id), ("updated", people.frontdesk.id)]
    assert events[1].before == {"phone": "+14165550101"} and events[1].after == {"phone": "+14165550199"}


def test_a_refused_api_write_leaves_no_trace(people, as_user, db):
    api = as_user("frontdesk")
    # Valid input, but the client would land outside the front desk's own locations.
    response = api.post("/api/v1/client/", json={
        "first_name": "Rita", "last_name": "Lopes", "home_location": people.other_location.id})
    assert response.status_code == 403
    assert client_events(db) == []
    assert db.session.query(Client).count() == 0
