"""Who may read and write the clinical record, role by role (service level)."""
from __future__ import annotations

import pytest

from app.clinical import attachments, notes
from app.clinical.client_file import load
from app.errors import Forbidden
from app.security import in_scope, note_scope
from tests.clinical.conftest import NOW, TODAY

ROLES = ("treating", "colleague", "unrelated", "frontdesk", "manager")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

READS_CONTENT = {"treating": True, "colleague": True, "unrelated": False, "frontdesk": False, "manager": True}
# What the client file tells each role about the signed note ("none": not even the client).
NOTE_IN_FILE = {"treating": "content", "colleague": "content", "unrelated": None, "frontdesk": "status",
                "manager": "content"}
ADDS_ADDENDUM = {"treating": True, "colleague": True, "unrelated": False, "frontdesk": False, "manager": False}
READS_ATTACHMENT = {"treating": True, "colleague": True, "unrelated": False, "frontdesk": True, "manager": True}


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_a_notes_content(scene, role):
    user = scene.users()[role]
    assert in_scope(note_scope(user), scene.signed.id) is READS_CONTENT[role]
    assert notes.may_read(user, scene.signed) is READS_CONTENT[role]


@pytest.mark.parametrize("role", ROLES)
def test_what_the_client_file_shows_of_a_note(scene, role):
    from app.security import client_scope

    user = scene.users()[role]
    if NOTE_IN_FILE[role] is None:
        assert not in_scope(client_scope(user), scene.client.id)
        return
    file = load(user=user, client=scene.client, now=NOW, today=TODAY)
    visit = next(v for v in file.visits if v.id == scene.first_visit.id)
    assert (visit.note_id, visit.note_signed) == (scene.signed.id, True)
    assert visit.note_readable is (NOTE_IN_FILE[role] == "content")
    assert ("Knee sore" in visit.note_summary) is (NOTE_IN_FILE[role] == "content")
    assert file.readable_note_ids == ([scene.signed.id] if NOTE_IN_FILE[role] == "content" else [])


@pytest.mark.parametrize("role", ROLES)
def test_only_the_treating_provider_starts_and_signs_the_visits_note(scene, db, role, frozen_now):
    user = scene.users()[role]
    if role != "treating":
        with pytest.raises(Forbidden):
            notes.open_note(appointment=scene.visit, actor=user)
        return
    note = notes.open_note(appointment=scene.visit, actor=user)
    notes.sign(note=note, actor=user, content={"subjective": "Better", "pain": 3})
    db.session.commit()
    assert note.signed_by_id == scene.people.provider.id and note.content_hash


@pytest.mark.parametrize("role", ROLES)
def test_nobody_but_the_author_edits_a_draft(scene, db, role):
    draft = notes.open_note(appointment=scene.visit, actor=scene.users()["treating"])
    db.session.commit()
    user = scene.users()[role]
    if role == "treating":
        notes.save_draft(note=draft, content={"plan": "Progress squats"}, actor=user)
        assert draft.content == {"plan": "Progress squats"}
    else:
        with pytest.raises(Forbidden):
            notes.save_draft(note=draft, content={"plan": "Mine now"}, actor=user)


@pytest.mark.parametrize("role", ROLES)
def test_providers_of_the_case_add_addenda(scene, db, role):
    user = scene.users()[role]
    if ADDS_ADDENDUM[role]:
        added = notes.add_addendum(note=scene.signed, text=f"Addendum by {role}", actor=user)
        db.session.commit()
        assert added.content_hash
    else:
        with pytest.raises(Forbidden):
            notes.add_addendum(note=scene.signed, text="Not mine to add", actor=user)


@pytest.mark.parametrize("role", ROLES)
def test_who_downloads_a_case_attachment(scene, db, role):
    stored = attachments.upload(client=scene.client, case=scene.case, filename="referral.png", data=PNG,
                                description="Referral", actor=scene.people.frontdesk, member_id=None)
    db.session.commit()
    assert (attachments.readable(scene.users()[role], stored.id) is not None) is READS_ATTACHMENT[role]
