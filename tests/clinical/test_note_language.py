"""A note started from a shipped template nobody edited is written in its writer's
language (titles, labels, checklist options); once signed it keeps that wording whoever
reads it, and its hash still verifies. A template the clinic edited is copied as written."""
from __future__ import annotations

import re

from flask_babel import force_locale

from app.clinical import notes, signing
from app.clinical.templates import SHIPPED, sections_for_note
from app.models import NoteTemplate
from tests.views.helpers import login

SOAP = "Physiotherapy follow-up (SOAP)"


def test_a_provider_reading_portuguese_writes_and_signs_the_note_in_portuguese(app, client, scene, db):
    provider = scene.people.provider.user
    login(client, "provider")
    client.get("/lang/pt_PT")
    editor = client.get(f"/clinical/visits/{scene.visit.id}/note").get_data(as_text=True)
    assert "O que o cliente relata" in editor and "Tratamento realizado" in editor and "Exercício" in editor
    assert "Seguimento de fisioterapia (SOAP)" in editor
    # The form's own titles and labels (the case's earlier notes beside it keep theirs).
    assert re.findall(r"<legend>(.*?)</legend>", editor) == ["Subjetivo", "Objetivo", "Avaliação", "Plano"]
    assert '<label for="f-subjective">O que o cliente relata</label>' in editor

    with app.test_request_context(), force_locale("pt_PT"):
        note = notes.open_note(appointment=scene.visit, actor=provider)
        # The earlier note was signed in English: its ticks follow their options into Portuguese.
        notes.copy_forward(note=note, actor=provider)
        assert note.content["treatment"] == ["Exercício"]
        notes.sign(note=note, actor=provider)
    db.session.commit()
    assert signing.verifies(note)

    for reader, language in (("manager", "en"), ("provider", "fr_CA")):
        client.get("/logout/")
        login(client, reader)
        client.get(f"/lang/{language}")
        signed = client.get(f"/clinical/notes/{note.id}").get_data(as_text=True)
        assert "O que o cliente relata" in signed and "Exercício" in signed, reader
        assert "Ce que le client rapporte" not in signed  # (earlier English notes are listed beside)
    # The colleague's note, signed in English before, still reads in English.
    assert "What the client reports" in client.get(f"/clinical/notes/{scene.signed.id}").get_data(as_text=True)


def test_a_template_the_clinic_edited_is_copied_as_it_was_written(app, scene, db):
    soap = db.session.query(NoteTemplate).filter_by(name=SOAP).one()
    shipped = SHIPPED[SOAP]["sections"]
    with app.test_request_context(), force_locale("fr_CA"):
        assert sections_for_note(soap)[0]["fields"][0]["label"] == "Ce que le client rapporte"
        soap.sections = [{**shipped[0], "title": "Subjective (our words)"}, *shipped[1:]]
        db.session.flush()
        assert sections_for_note(soap) == soap.sections
