"""One-row settings screens show their defaults without a row and insert it on the first
save: opening them writes nothing (tests/api/test_get_writes.py checks every screen)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import AuditEvent, NotificationSettings, ReviewSettings
from app.models.settings import saved_or_defaults, unsaved
from tests.views.helpers import login


@pytest.mark.parametrize("model, expected", [
    (NotificationSettings, {"confirmation_enabled": False, "providers_enabled": True,
                            "new_booking_delay_minutes": 3, "from_email": None}),
    (ReviewSettings, {"enabled": False, "delay_hours": 2, "min_days_between": 180, "review_url": None}),
])
def test_unsaved_settings_hold_the_column_defaults_and_stay_out_of_the_session(db, model, expected):
    row = unsaved(model)
    assert {key: getattr(row, key) for key in expected} == expected and row.id == 1
    assert row not in db.session and saved_or_defaults(model).id == 1
    db.session.flush()
    assert db.session.scalar(select(func.count()).select_from(model)) == 0


def test_notification_settings_open_with_defaults_and_the_first_save_inserts_the_row(client, people, db):
    db.session.commit()
    login(client, "manager")
    page = client.get("/notificationsettingsview/edit/1")
    assert page.status_code == 200 and 'name="new_booking_delay_minutes"' in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(NotificationSettings.id))) == 0
    saved = client.post("/notificationsettingsview/edit/1", data={
        "confirmation_enabled": "y", "providers_enabled": "y", "new_booking_delay_minutes": "5", "from_email": ""})
    assert saved.status_code == 302
    db.session.expire_all()
    row = db.session.get(NotificationSettings, 1)
    assert (row.confirmation_enabled, row.reminders_enabled, row.new_booking_delay_minutes) == (True, False, 5)
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.entity_type == "NotificationSettings")) \
        == "created"
    assert client.get("/notificationsettingsview/edit/2").status_code == 404


def test_review_settings_open_with_defaults_and_the_first_save_inserts_the_row(client, people, db):
    db.session.commit()
    login(client, "manager")
    page = client.get("/intake/reviews/")
    assert page.status_code == 200 and 'value="180"' in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ReviewSettings.id))) == 0
    client.post("/intake/reviews/", data={"enabled": "on", "review_url": "https://example.com/r",
                                         "delay_hours": "4", "min_days_between": "90"})
    db.session.expire_all()
    assert (db.session.get(ReviewSettings, 1).delay_hours, db.session.get(ReviewSettings, 1).enabled) == (4, True)


def test_clinic_settings_read_the_configured_defaults_until_the_first_save(client, people, db, app, monkeypatch):
    from app.models import ClinicSettings, read_clinic_settings

    monkeypatch.setitem(app.config, "PLINTH_CLINIC_NAME", "Clinique du Parc")
    db.session.commit()
    login(client, "manager")
    assert read_clinic_settings().clinic_name == "Clinique du Parc"
    assert client.get("/clinicsettingsview/settings/").headers["Location"].endswith("/clinicsettingsview/edit/1")
    assert 'value="Clinique du Parc"' in client.get("/clinicsettingsview/edit/1").get_data(as_text=True)
    assert db.session.scalar(select(func.count(ClinicSettings.id))) == 0


@pytest.mark.parametrize("list_url, key", [("/notetemplateview/list/", "Massage therapy"),
                                           ("/messagetemplateview/list/", "reminder|client"),
                                           ("/texttemplateview/list/", "sms_reminder|client")])
def test_a_shipped_template_gets_its_row_from_the_lists_button_with_the_pages_token(client, people, db, app,
                                                                                     monkeypatch, list_url, key):
    db.session.commit()
    login(client, "manager")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    add_url = list_url.replace("/list/", "/shipped")
    assert client.post(add_url, data={"key": key}).status_code == 400
    page = client.get(list_url).get_data(as_text=True)
    assert f'value="{key}"' in page
    token = page.split('shipped-rows', 1)[1].split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    added = client.post(add_url, data={"key": key, "csrf_token": token})
    assert added.status_code == 302 and "/edit/" in added.headers["Location"]
    assert f'value="{key}"' not in client.get(list_url).get_data(as_text=True)
