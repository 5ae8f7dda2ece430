"""A manager edits an SMS template and sees its length and segment count change as
they type (GSM-7 → UCS-2 with an emoji)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.messaging import templates
from app.models import MessageTemplate
from tests.browser.conftest import log_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_the_sms_template_editor_counts_segments_live(page, live_server, db, people, app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    templates.ensure_rows()
    db.session.commit()
    row_id = db.session.scalar(select(MessageTemplate.id).where(MessageTemplate.kind == "sms_reminder"))
    db.session.rollback()
    log_in(page, live_server, "manager", PASSWORD)
    page.goto(f"{live_server}/texttemplateview/edit/{row_id}")
    counter = page.locator("#body_text + .help-block")
    counter.wait_for()
    page.fill("#body_text", "Hi {{ client_name }}, see you {{ time }}")
    page.wait_for_function("document.querySelector('#body_text + .help-block').textContent.includes('22 char')")
    assert "1 segment · GSM-7" in counter.inner_text()
    assert page.locator("#body_text + .help-block + pre").inner_text() == "Hi Alex, see you 09:30"
    page.fill("#body_text", "Hi {{ client_name }} 👋 " + "x" * 70)
    page.wait_for_function("document.querySelector('#body_text + .help-block').textContent.includes('UCS-2')")
    assert "2 segments · UCS-2" in counter.inner_text()
