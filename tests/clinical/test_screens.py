"""The clinical screens over HTTP: the provider's day, the editor's JSON, the client and
case files (with their statement count), attachments, the case PDF and the access log."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import AccessEvent, AppointmentStatus, Attachment, Note, VisitProgress
from tests import factories
from tests.clinical.conftest import TODAY, at
from tests.sql import counting
from tests.views.helpers import login

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def reads(db, subject_type):
    return db.session.scalars(select(AccessEvent.subject_id).where(AccessEvent.subject_type == subject_type)).all()


def start_note(client, scene) -> int:
    """The editor's first save on the visit: it starts the note (opening the editor does not)."""
    started = client.put(f"/clinical/visits/{scene.visit.id}/draft", json={"content": {}})
    assert started.status_code == 200, started.get_data(as_text=True)[:300]
    return started.json["note_id"]


def test_the_provider_lands_on_their_day_with_alerts_and_the_last_note(scene, client, db, frozen_now):
    login(client, "provider")
    assert client.get("/").headers["Location"].endswith("/clinical/day")
    page = client.get(f"/clinical/day?date={TODAY.isoformat()}").get_data(as_text=True)
    assert "Ana Silva" in page and "Right knee" in page and "Latex allergy" in page
    assert "Knee sore after stairs" in page  # the last note's summary
    assert "authorisation: 2 visits left" in page
    assert reads(db, "note") == [scene.signed.id]


def test_starting_needs_arrived_and_completing_needs_started(scene, client, db, frozen_now):
    login(client, "provider")
    url = f"/clinical/visits/{scene.visit.id}"
    assert client.post(f"{url}/complete").status_code == 302  # refused with a flash message
    assert db.session.get(VisitProgress, scene.visit.id) is None
    client.post(f"{url}/start")
    client.post(f"{url}/complete")
    db.session.expire_all()
    progress = db.session.get(VisitProgress, scene.visit.id)
    assert progress.started_at and progress.completed_at
    assert db.session.get(type(scene.visit), scene.visit.id).status == AppointmentStatus.arrived


def test_the_editor_autosaves_signs_and_takes_an_addendum(scene, client, db, frozen_now):
    login(client, "provider")
    assert "Earlier notes of this case" in client.get(f"/clinical/visits/{scene.visit.id}/note").get_data(as_text=True)
    note_id = start_note(client, scene)
    note_url = f"/clinical/notes/{note_id}"
    assert client.get(f"/clinical/visits/{scene.visit.id}/note").headers["Location"].endswith(note_url)
    saved = client.put(f"/clinical/notes/{note_id}/draft", json={"content": {"subjective": "Stairs ok", "pain": 3}})
    assert saved.status_code == 200, saved.json
    bad = client.put(f"/clinical/notes/{note_id}/draft", json={"content": {"pain": 12}},
                     headers={"Accept": "application/json"})
    assert bad.status_code == 422 and bad.json["problems"][0]["field"] == "pain"
    copied = client.post(f"/clinical/notes/{note_id}/copy-forward")
    assert copied.json["content"] == {"subjective": "Stairs ok", "pain": 3, "treatment": ["Exercise"]}
    assert db.session.scalar(select(AccessEvent.action).where(AccessEvent.subject_id == scene.signed.id,
                                                              AccessEvent.action == "copy")) == "copy"
    signed = client.post(f"/clinical/notes/{note_id}/sign", json={"content": {"subjective": "Stairs ok", "pain": 3}})
    assert signed.status_code == 200 and len(signed.json["content_hash"]) == 64
    again = client.put(f"/clinical/notes/{note_id}/draft", json={"content": {"pain": 1}},
                       headers={"Accept": "application/json"})
    assert again.status_code == 409
    added = client.post(f"/clinical/notes/{note_id}/addenda", json={"text": "Called next day: fine"})
    assert added.status_code == 201
    db.session.expire_all()
    assert db.session.get(Note, note_id).content == {"subjective": "Stairs ok", "pain": 3}


def test_front_desk_sees_a_signed_note_without_its_content(scene, client, db):
    login(client, "frontdesk")
    page = client.get(f"/clinical/clients/{scene.client.id}").get_data(as_text=True)
    assert "Signed note" in page
    assert "Knee sore" not in page and f"/clinical/notes/{scene.signed.id}" not in page
    assert client.get(f"/clinical/notes/{scene.signed.id}").status_code in (302, 403, 404)
    assert reads(db, "client") == [scene.client.id] and reads(db, "note") == []


def test_an_unrelated_provider_gets_nothing(scene, client, db):
    login(client, "outsider")
    assert client.get(f"/clinical/clients/{scene.client.id}", headers={"Accept": "application/json"}).status_code == 404
    assert client.get(f"/clinical/notes/{scene.signed.id}", headers={"Accept": "application/json"}).status_code == 404
    assert client.get(f"/clinical/cases/{scene.case.id}/notes.pdf",
                      headers={"Accept": "application/json"}).status_code == 404


def test_managers_see_who_opened_the_record(scene, client, db):
    login(client, "frontdesk")
    client.get(f"/clinical/clients/{scene.client.id}")
    client.get("/logout/")
    login(client, "manager")
    page = client.get(f"/clinical/clients/{scene.client.id}").get_data(as_text=True)
    assert "Who opened this record" in page and "frontdesk" in page


def _file_statements(client, client_id: int) -> tuple[int, list[str]]:
    client.get(f"/clinical/clients/{client_id}")  # warm FAB's caches
    with counting() as statements:
        assert client.get(f"/clinical/clients/{client_id}").status_code == 200
    # FAB checks a permission per menu entry (the same on every page); the rest is the file.
    return len(statements), [s for s in statements if "ab_permission_view" not in s]


def test_the_client_file_takes_the_same_number_of_statements_whatever_the_visits(scene, client, db):
    from app.clinical import notes

    login(client, "manager")
    before, own = _file_statements(client, scene.client.id)
    # 32: the forms section reads the forms one may send and the cases' outcome scores (one each).
    assert len(own) <= 32, "\n".join(s[:100] for s in own)
    for n in range(12):
        visit = factories.make_appointment(scene.people.provider_calendar, at(TODAY - timedelta(days=20 + n), 9),
                                           case=scene.case, session_type=scene.visit.session_type,
                                           status=AppointmentStatus.arrived if n % 3 else AppointmentStatus.no_show)
        if n % 3:
            note = notes.open_note(appointment=visit, actor=scene.people.provider.user)
            notes.sign(note=note, content={"plan": f"Visit {n}"}, actor=scene.people.provider.user)
    other = factories.make_case(client=scene.client, discipline=scene.people.discipline, title="Neck")
    factories.make_appointment(scene.people.provider_calendar, at(TODAY + timedelta(days=3), 9), case=other)
    db.session.commit()
    after, _ = _file_statements(client, scene.client.id)
    assert after == before, (before, after)


def test_attachments_are_checked_by_content_stored_outside_static_and_logged(scene, client, db, app):
    from pathlib import Path

    login(client, "frontdesk")
    url = f"/clinical/clients/{scene.client.id}/attachments"
    fake = client.post(url, data={"file": (__import__("io").BytesIO(b"MZ\x90\x00 not a pdf"), "letter.pdf")},
                       content_type="multipart/form-data", headers={"Accept": "application/json"})
    assert fake.status_code == 422 and "PDF, JPEG and PNG" in fake.json["message"]
    ok = client.post(url, data={"file": (__import__("io").BytesIO(PDF), "referral.pdf"), "case_id": str(scene.case.id),
                                "description": "GP referral"}, content_type="multipart/form-data")
    assert ok.status_code == 302
    stored = db.session.scalars(select(Attachment)).one()
    path = Path(app.instance_path) / "attachments" / stored.storage_key
    assert path.read_bytes() == PDF and "static" not in str(path.relative_to(app.instance_path))
    download = client.get(f"/clinical/attachments/{stored.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    download.close()
    assert reads(db, "attachment") == [stored.id]


def test_the_case_pdf_holds_only_signed_notes(scene, client, db):
    login(client, "provider")
    start_note(client, scene)  # a draft, never printed
    response = client.get(f"/clinical/cases/{scene.case.id}/notes.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert sorted(set(reads(db, "note"))) == [scene.signed.id]


def test_plan_and_discharge_from_the_case_file(scene, client, db):
    login(client, "provider")
    url = f"/clinical/cases/{scene.case.id}"
    client.post(f"{url}/plan", data={"planned_sessions": "6", "frequency": "2× a week", "goals": "Stairs without pain",
                                     "reassess_after_visits": "2", "starts_on": "2026-03-01"})
    page = client.get(url).get_data(as_text=True)
    assert "Stairs without pain" in page and "reassessment due" in page
    client.post(f"{url}/discharge", data={"discharged_on": "2026-03-20", "discharge_summary": "Goals met"})
    db.session.expire_all()
    assert scene.case.closed_on.isoformat() == "2026-03-20"


def test_the_day_lists_earlier_drafts_and_visits_without_a_note_until_done(scene, client, db, frozen_now):
    from app.clinical import day as days
    from app.clinical import notes

    provider = scene.people.provider
    old_draft = factories.make_appointment(scene.people.provider_calendar, at(TODAY - timedelta(days=2), 9),
                                           case=scene.case, status=AppointmentStatus.arrived)
    no_note = factories.make_appointment(scene.people.provider_calendar, at(TODAY - timedelta(days=1), 9),
                                         case=scene.case, status=AppointmentStatus.paid)
    factories.make_appointment(scene.people.provider_calendar, at(TODAY - timedelta(days=30), 9), case=scene.case,
                               status=AppointmentStatus.paid)  # too old to nag about
    draft = notes.open_note(appointment=old_draft, actor=provider.user)
    owed = days.unsigned_notes(provider, before=at(TODAY, 0))
    assert [(o["note_id"], o["appointment_id"]) for o in owed] == [(draft.id, old_draft.id), (None, no_note.id)]
    notes.sign(note=draft, content={"plan": "done"}, actor=provider.user)
    assert [o["appointment_id"] for o in days.unsigned_notes(provider, before=at(TODAY, 0))] == [no_note.id]


def test_managers_define_templates_as_checked_json(client, db, people):
    import json

    from app.models import NoteTemplate

    db.session.commit()
    login(client, "manager")
    assert "Physiotherapy follow-up (SOAP)" in client.get("/notetemplateview/list/").get_data(as_text=True)
    assert db.session.scalar(select(NoteTemplate.id)) is None  # listed, not written
    soap = client.post("/notetemplateview/shipped", data={"key": "Physiotherapy follow-up (SOAP)"})
    assert soap.status_code == 302 and "/notetemplateview/edit/" in soap.headers["Location"]
    assert db.session.scalars(select(NoteTemplate.name)).all() == ["Physiotherapy follow-up (SOAP)"]
    assert client.post("/notetemplateview/shipped", data={"key": "Mine"}).status_code == 404
    sections = [{"title": "Hand", "fields": [{"key": "grip", "label": "Grip", "kind": "measure", "unit": "kg"}]}]
    client.post("/notetemplateview/add", data={"name": "Hand therapy", "active": "y", "sections": json.dumps(sections)})
    assert db.session.scalars(select(NoteTemplate).where(NoteTemplate.name == "Hand therapy")).one().sections == sections
    bad = client.post("/notetemplateview/add", data={"name": "Broken", "sections": '[{"title": "A", "fields": '
                                                     '[{"key": "m", "label": "M", "kind": "measure"}]}]'})
    assert "needs a unit" in bad.get_data(as_text=True)
    assert client.post("/notetemplateview/add", data={"name": "Broken", "sections": "{not json"}).status_code == 200
    assert db.session.scalars(select(NoteTemplate).where(NoteTemplate.name == "Broken")).first() is None
    client.get("/logout/")
    login(client, "provider")
    assert client.post("/notetemplateview/add", data={"name": "Mine", "sections": json.dumps(sections)}).status_code \
        in (302, 403)
    assert db.session.scalars(select(NoteTemplate).where(NoteTemplate.name == "Mine")).first() is None


def test_writes_need_the_pages_token(scene, client, db, app, monkeypatch):
    login(client, "provider")
    note_id = start_note(client, scene)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    refused = client.put(f"/clinical/notes/{note_id}/draft", json={"content": {"plan": "x"}},
                         headers={"Accept": "application/json"})
    assert refused.status_code == 403
    page = client.get(f"/clinical/notes/{note_id}").get_data(as_text=True)
    token = page.split('data-csrf="', 1)[1].split('"', 1)[0]
    saved = client.put(f"/clinical/notes/{note_id}/draft", json={"content": {"plan": "x"}},
                       headers={"Accept": "application/json", "X-CSRFToken": token})
    assert saved.status_code == 200


@pytest.mark.parametrize("username, scoped", [("provider", True), ("frontdesk", True), ("manager", False)])
def test_the_client_file_says_when_its_counts_cover_only_the_visits_the_reader_sees(scene, client, db, username,
                                                                                    scoped):
    login(client, username)
    page = client.get(f"/clinical/clients/{scene.client.id}").get_data(as_text=True)
    assert ("(in the visits you see)" in page) is scoped


def _writes(statements: list[str]) -> list[str]:
    """The writes among ``statements``, but for the records of the visit itself (who read
    what, the session's last use)."""
    from tests.api.test_get_writes import RECORDS_OF_THE_VISIT, WRITE

    return [s for s in statements if (m := WRITE.match(s)) and m.group(2).lower() not in RECORDS_OF_THE_VISIT]


def test_opening_the_editor_writes_nothing_and_the_first_save_starts_the_note(scene, client, db, frozen_now):
    login(client, "provider")
    url = f"/clinical/visits/{scene.visit.id}/note"
    with counting() as statements:
        page = client.get(url)
        other = client.get(f"{url}?template=Massage therapy")
    assert page.status_code == 200 and other.status_code == 200
    assert _writes(statements) == [], _writes(statements)
    assert db.session.scalar(select(Note.id).where(Note.appointment_id == scene.visit.id)) is None
    text = page.get_data(as_text=True)
    assert 'id="note-form"' in text and f'data-draft-url="/clinical/visits/{scene.visit.id}/draft"' in text
    assert 'data-template="Physiotherapy follow-up (SOAP)"' in text and 'name="f-pain"' not in text
    assert 'data-template="Massage therapy"' in other.get_data(as_text=True)
    assert client.get(f"{url}?template=Nope", headers={"Accept": "application/json"}).status_code == 422

    first = client.put(f"/clinical/visits/{scene.visit.id}/draft",
                       json={"content": {"reason": "Tight calves"}, "template": "Massage therapy"})
    assert first.status_code == 200, first.json
    note = db.session.get(Note, first.json["note_id"])
    assert (note.template.name, note.content) == ("Massage therapy", {"reason": "Tight calves"})
    assert first.json["urls"]["sign"] == f"/clinical/notes/{note.id}/sign"
    again = client.put(f"/clinical/visits/{scene.visit.id}/draft",  # a second tab's first save: the same note
                       json={"content": {"reason": "Calves"}, "template": "Massage therapy"})
    assert again.json["note_id"] == note.id
    assert client.get(url).headers["Location"].endswith(f"/clinical/notes/{note.id}")


def test_only_the_treating_provider_starts_a_note_on_first_save(scene, client, db):
    login(client, "manager")
    assert client.get(f"/clinical/visits/{scene.visit.id}/note",
                      headers={"Accept": "application/json"}).status_code == 404
    refused = client.put(f"/clinical/visits/{scene.visit.id}/draft", json={"content": {}},
                         headers={"Accept": "application/json"})
    assert refused.status_code == 403
    assert db.session.scalar(select(Note.id).where(Note.appointment_id == scene.visit.id)) is None
