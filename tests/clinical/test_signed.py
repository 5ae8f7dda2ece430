"""Signed notes and addenda never change: the flush guard, PostgreSQL's trigger, the hash."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.clinical import notes, signing
from app.errors import Conflict, ValidationFailed
from app.models import Addendum, Note


def test_a_signed_note_refuses_an_orm_update(scene, db):
    scene.signed.content = {"subjective": "Rewritten history"}
    with pytest.raises(Conflict, match="signed"):
        db.session.flush()
    db.session.rollback()


def test_a_signed_note_refuses_an_orm_delete(scene, db):
    db.session.delete(scene.signed)
    with pytest.raises(Conflict):
        db.session.flush()
    db.session.rollback()


def test_an_addendum_refuses_update_and_delete(scene, db):
    added = notes.add_addendum(note=scene.signed, text="Also iced at home", actor=scene.colleague.user)
    db.session.commit()
    added.text = "Changed"
    with pytest.raises(Conflict):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(Addendum, added.id))
    with pytest.raises(Conflict):
        db.session.flush()
    db.session.rollback()


def test_the_service_refuses_to_edit_or_resign_a_signed_note(scene):
    with pytest.raises(Conflict):
        notes.save_draft(note=scene.signed, content={"plan": "x"}, actor=scene.colleague.user)
    with pytest.raises(Conflict):
        notes.sign(note=scene.signed, actor=scene.colleague.user)


def test_a_draft_changes_freely_until_signed(scene, db):
    draft = notes.open_note(appointment=scene.visit, actor=scene.people.provider.user)
    notes.save_draft(note=draft, content={"subjective": "First"}, actor=scene.people.provider.user)
    db.session.commit()
    notes.save_draft(note=draft, content={"subjective": "Second", "pain": "4"}, actor=scene.people.provider.user)
    db.session.commit()
    assert db.session.get(Note, draft.id).content == {"subjective": "Second", "pain": 4}


@pytest.mark.parametrize("statement", [
    "UPDATE clinical_note SET content = '{}' WHERE id = :id",
    "UPDATE clinical_note SET signed_at = NULL, content_hash = NULL WHERE id = :id",
    "DELETE FROM clinical_note WHERE id = :id",
])
def test_postgresql_refuses_a_hand_written_change_to_a_signed_note(backend, scene, db, statement):
    if backend != "postgresql":
        return  # SQLite has no such trigger; the flush guard above covers the application
    with pytest.raises(DBAPIError, match="signed clinical records"):
        db.session.execute(text(statement), {"id": scene.signed.id})
    db.session.rollback()


def test_postgresql_refuses_changes_to_addenda_but_lets_drafts_change(backend, scene, db):
    if backend != "postgresql":
        return
    added = notes.add_addendum(note=scene.signed, text="Seen by GP", actor=scene.colleague.user)
    draft = notes.open_note(appointment=scene.visit, actor=scene.people.provider.user)
    db.session.commit()
    db.session.execute(text("UPDATE clinical_note SET content = '{\"plan\": \"ok\"}' WHERE id = :id"), {"id": draft.id})
    db.session.commit()
    with pytest.raises(DBAPIError, match="signed clinical records"):
        db.session.execute(text("UPDATE clinical_addendum SET text = 'x' WHERE id = :id"), {"id": added.id})
    db.session.rollback()


def test_the_content_hash_verifies_and_catches_a_changed_copy(scene, db):
    db.session.expire_all()
    stored = db.session.get(Note, scene.signed.id)
    assert signing.verifies(stored)
    assert len(stored.content_hash) == 64
    db.session.expunge(stored)
    stored.content = {**stored.content, "pain": 2}  # a tampered copy, never flushed
    assert not signing.verifies(stored)


def test_an_addendums_hash_verifies(scene, db):
    added = notes.add_addendum(note=scene.signed, text="Imaging normal", actor=scene.colleague.user)
    db.session.commit()
    db.session.expire_all()
    assert signing.verifies(db.session.get(Addendum, added.id))


@pytest.mark.parametrize("content, field", [
    ({"pain": 11}, "pain"), ({"pain": "a lot"}, "pain"), ({"treatment": ["Surgery"]}, "treatment"),
    ({"rom": "ninety"}, "rom"), ({"unknown": "x"}, "unknown"), ({"pain": True}, "pain"),
])
def test_bad_field_values_are_refused_by_name(scene, content, field):
    draft = notes.open_note(appointment=scene.visit, actor=scene.people.provider.user)
    with pytest.raises(ValidationFailed) as refused:
        notes.save_draft(note=draft, content=content, actor=scene.people.provider.user)
    assert [p.field for p in refused.value.problems] == [field]


def test_a_note_is_signed_only_after_the_client_arrived(scene, db):
    from app.models import AppointmentStatus

    scene.visit.status = AppointmentStatus.booked
    draft = notes.open_note(appointment=scene.visit, actor=scene.people.provider.user)
    with pytest.raises(Conflict, match="arrived"):
        notes.sign(note=draft, content={"plan": "x"}, actor=scene.people.provider.user)


def test_copy_forward_fills_the_shared_fields_and_keeps_what_was_typed(scene, db):
    provider = scene.people.provider.user
    draft = notes.open_note(appointment=scene.visit, actor=provider)
    notes.save_draft(note=draft, content={"subjective": "Today: stairs fine"}, actor=provider)
    notes.copy_forward(note=draft, actor=provider)
    assert draft.content == {"subjective": "Today: stairs fine", "pain": 6, "treatment": ["Exercise"]}


def test_a_cases_first_note_starts_as_an_assessment_and_an_empty_draft_can_change_template(scene, db):
    from app.clinical.templates import active_templates
    from app.models import AppointmentStatus
    from tests import factories
    from tests.clinical.conftest import TODAY, at

    provider = scene.people.provider.user
    new_case = factories.make_case(client=scene.client, discipline=scene.people.discipline, provider=scene.people.provider)
    visit = factories.make_appointment(scene.people.provider_calendar, at(TODAY, 14), case=new_case,
                                       session_type=scene.visit.session_type, status=AppointmentStatus.arrived)
    first = notes.open_note(appointment=visit, actor=provider)
    assert first.template.name == "Physiotherapy assessment"
    assert notes.open_note(appointment=scene.visit, actor=provider).template.name == "Physiotherapy follow-up (SOAP)"
    massage = next(t for t in active_templates() if t.name == "Massage therapy")
    notes.change_template(note=first, template_id=massage.id, actor=provider)
    assert first.sections == massage.sections
    notes.save_draft(note=first, content={"reason": "Tight shoulders"}, actor=provider)
    with pytest.raises(Conflict):
        notes.change_template(note=first, template_id=massage.id, actor=provider)
