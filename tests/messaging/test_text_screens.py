"""The text message screens: location text settings, SMS templates with their live
count, the client's preference and consent, and the grid panel's line about it."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.extensions import db
from app.messaging import consent, templates
from app.models import AuditEvent, Client, LocationTextSettings, MessageTemplate
from tests.messaging.conftest import book
from tests.views.helpers import login


def test_a_manager_sets_up_texts_for_a_location(client, scene):
    login(client, "manager")
    assert client.get("/locationtextsettingsview/list/").status_code == 200
    form = {"location": scene.people.location.id, "sender_number": "416 555 0000", "quiet_start": "21:00",
            "quiet_end": "", "text_kinds": "reminder_2, Confirmation"}
    page = client.post("/locationtextsettingsview/add", data=form).get_data(as_text=True)
    assert "both the start and the end" in page
    assert db.session.scalar(select(LocationTextSettings)) is None
    db.session.rollback()
    client.post("/locationtextsettingsview/add", data={**form, "quiet_end": "08:00", "text_kinds": "reminders"})
    assert db.session.scalar(select(LocationTextSettings)) is None  # unknown kind refused
    db.session.rollback()
    client.post("/locationtextsettingsview/add", data={**form, "quiet_end": "08:00"})
    row = db.session.scalar(select(LocationTextSettings))
    assert (row.sender_number, row.text_kinds, f"{row.quiet_start:%H:%M}-{row.quiet_end:%H:%M}") == (
        "+14165550000", "confirmation,reminder_2", "21:00-08:00")
    db.session.rollback()


def test_front_desk_cannot_change_text_settings_or_templates(client, scene):
    login(client, "frontdesk")
    assert client.get("/locationtextsettingsview/list/").status_code in (302, 403)
    assert client.get("/texttemplateview/list/").status_code in (302, 403)


def test_sms_templates_are_listed_apart_and_counted_live(client, scene):
    login(client, "manager")
    listing = client.get("/texttemplateview/list/").get_data(as_text=True)
    assert "sms_reminder" in listing and "sms_reminder" not in client.get("/messagetemplateview/list/").get_data(
        as_text=True)
    assert client.post("/messagetemplateview/shipped", data={"key": "sms_reminder|client"}).status_code == 404
    client.post("/texttemplateview/shipped", data={"key": "sms_reminder|client"})
    assert "segment" in client.get("/texttemplateview/list/").get_data(as_text=True)
    row_id = db.session.scalar(select(MessageTemplate.id).where(MessageTemplate.kind == "sms_reminder"))
    db.session.rollback()
    assert "sms_count.js" in client.get(f"/texttemplateview/edit/{row_id}").get_data(as_text=True)
    counted = client.post(f"/texttemplateview/count/{row_id}", data={"body_text": "Hi {{ client_name }}"}).json
    assert counted == {"text": "Hi Alex", "encoding": "GSM-7", "units": 7, "segments": 1, "characters": 7}
    accented = client.post(f"/texttemplateview/count/{row_id}", data={"body_text": "Olá {{ client_name }} 👋"}).json
    assert (accented["encoding"], accented["units"]) == ("UCS-2", 11)
    assert "cannot be used" in client.post(f"/texttemplateview/count/{row_id}",
                                           data={"body_text": "{{ client_name "}).json["error"]
    client.post(f"/texttemplateview/edit/{row_id}", data={"body_text": "{{ nope }}"})
    assert db.session.get(MessageTemplate, row_id).body_text == templates.DEFAULTS[("sms_reminder", "client")].body_text
    db.session.rollback()
    client.post(f"/texttemplateview/edit/{row_id}", data={"body_text": "See you {{ date_short }} {{ time }}"})
    assert db.session.get(MessageTemplate, row_id).body_text == "See you {{ date_short }} {{ time }}"
    db.session.rollback()


def test_staff_record_preference_and_consent_on_the_client_form(client, scene):
    from app.uow import unit_of_work

    with unit_of_work():
        db.session.get(Client, scene.client.id).home_location_id = scene.people.location.id
    login(client, "frontdesk")
    person = scene.client
    form = {"home_location": scene.people.location.id, "first_name": person.first_name, "last_name": person.last_name, "email": person.email,
            "phone": "416-555-0123", "message_channel": "sms", "text_consent": "y"}
    answer = client.post(f"/clientview/edit/{person.id}", data=form)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    db.session.expire_all()
    saved = db.session.get(Client, person.id)
    assert (saved.message_channel, saved.text_consent_source, consent.has_consent(saved)) == ("sms", "staff", True)
    db.session.rollback()
    shown = client.get(f"/clientview/show/{person.id}").get_data(as_text=True)
    assert "Recorded by staff" in shown and "Text message" in shown
    edit = client.get(f"/clientview/edit/{person.id}").get_data(as_text=True)
    box = edit[edit.index('id="text_consent"') - 80:edit.index('id="text_consent"') + 80]
    assert "checked" in box
    client.post(f"/clientview/edit/{person.id}", data={**form, "text_consent": ""})
    db.session.expire_all()
    saved = db.session.get(Client, person.id)
    assert not consent.has_consent(saved) and saved.text_opted_out_at is not None
    changes = db.session.scalars(select(AuditEvent.after).where(AuditEvent.entity_type == "Client",
                                                                AuditEvent.action == "updated")).all()
    db.session.rollback()
    assert any("text_consent_at" in (after or {}) for after in changes)


def test_the_grid_panel_shows_how_the_client_hears_from_us(client, scene):
    appointment = book(scene, scene.at(10))
    login(client, "frontdesk")
    shown = client.get(f"/calendar/feed/appointment/{appointment.id}").json
    assert shown["client"]["messages"] == "Email · no consent to texts"


def test_the_panel_gives_the_consent_date_as_a_date_not_iso(client, scene):
    # Issue 14: "texts agreed 2026-12-05 (imported)" in the panel, beside "Fri, Dec 4, 2026".
    appointment = book(scene, scene.at(10))
    appointment.case.client.text_consent_at = datetime(2026, 12, 5, 15, 0, tzinfo=timezone.utc)
    appointment.case.client.text_consent_source = "import"
    db.session.commit()
    login(client, "frontdesk")
    shown = client.get(f"/calendar/feed/appointment/{appointment.id}").json["client"]["messages"]
    assert "Dec 5, 2026" in shown and "2026-12-05" not in shown


@pytest.mark.parametrize("language, source, shown", [
    ("pt_PT", None, "Email · sem consentimento para SMS"),
    ("pt_PT", "import", "Email · SMS aceites a 05/12/2026 (importado)"),
    ("fr_CA", None, "Courriel · pas de consentement aux textos"),
])
def test_the_panels_consent_line_is_in_the_staff_members_language(scene, language, source, shown):
    person = scene.client
    if source:
        person.text_consent_at = datetime(2026, 12, 5, 15, 0, tzinfo=timezone.utc)
        person.text_consent_source = source
    with force_locale(language):
        assert consent.describe(person) == shown
