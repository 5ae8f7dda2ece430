"""Every change to clinic data leaves an audit event in the same transaction."""
from __future__ import annotations

from sqlalchemy import select

from app.models import AuditEvent, Client, TeamMember
from tests import factories
from tests.views.helpers import login


def events(db, entity_type: str):
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == entity_type).order_by(AuditEvent.id)
    ).all()


def test_a_change_made_in_a_screen_is_recorded_with_who_and_what(client, db, people):
    db.session.commit()
    login(client, "manager")
    response = client.post("/clientview/add", data={"first_name": "Rita", "last_name": "Lopes", "phone": "416 555 0101"})
    assert response.status_code == 302
    rita = db.session.scalars(select(Client).where(Client.last_name == "Lopes")).one()
    response = client.post(f"/clientview/edit/{rita.id}", data={"first_name": "Rita", "last_name": "Lopes", "phone": "416 555 0199"})
    assert response.status_code == 302

    created, updated = [e for e in events(db, "Client") if e.entity_id == rita.id]
    assert (created.action, created.actor_id) == ("created", people.manager.id)
    assert created.after["phone"] == "+14165550101"
    assert (updated.action, updated.actor_id) == ("updated", people.manager.id)
    assert updated.before == {"phone": "+14165550101"}
    assert updated.after == {"phone": "+14165550199"}


def test_a_deletion_keeps_the_last_values(db):
    walkin = factories.make_client(first_name="Walter", last_name="Inn")
    db.session.commit()
    walkin_id = walkin.id
    db.session.delete(walkin)
    db.session.commit()
    deleted = [e for e in events(db, "Client") if e.action == "deleted"]
    assert [(e.entity_id, e.before["first_name"]) for e in deleted] == [(walkin_id, "Walter")]


def test_a_failed_transaction_leaves_no_audit_event(db):
    factories.make_client(first_name="Ghost")
    db.session.rollback()
    assert events(db, "Client") == []


def test_passwords_never_reach_the_trail(db):
    factories.make_team_member(username="sam")
    db.session.commit()
    rows = db.session.scalars(select(AuditEvent)).all()
    assert rows and all("password" not in (e.after or {}) for e in rows)


def test_a_change_of_linked_locations_is_recorded(db, people):
    member = db.session.scalars(select(TeamMember).where(TeamMember.user_id == people.frontdesk.id)).one()
    db.session.commit()
    member.locations.append(people.other_location)
    db.session.commit()
    (event,) = [e for e in events(db, "TeamMember") if e.entity_id == member.id and e.action == "updated"]
    assert event.before == {"locations": [people.location.id]}
    assert event.after == {"locations": sorted([people.location.id, people.other_location.id])}
