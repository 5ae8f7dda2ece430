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
    opened = client.get(f"/clinical/visits/{scene.visit.id}/note")
    note_url = opened.headers["Location"]
    note_id = int(note_url.rsplit("/", 1)[1])
    assert "Earlier notes of this case" in client.get(note_url).get_data(as_text=True)
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
    client.get(f"/clinical/visits/{scene.visit.id}/note")  # a draft, never printed
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
    note_id = int(client.get(f"/clinical/visits/{scene.visit.id}/note").headers["Location"].rsplit("/", 1)[1])
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
