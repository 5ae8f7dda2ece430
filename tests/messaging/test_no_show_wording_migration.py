"""Migration 0031: a clinic's no-show email subject and text still in the wording Plinth
shipped before ``{{ visit_day }}`` ("today", "aujourd'hui", "hoje") take the day's wording;
a manager's edited wording is left exactly as they wrote it; downgrade puts it back."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from app.messaging.template_defaults import DEFAULTS
from app.messaging.translated_defaults import TRANSLATED
from config import load_config
from tests.test_migrations import _flask, fresh_database  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow

EDITED_SUBJECT = "We missed you today at {{ clinic.name }}!"
EDITED_TEXT = "{{ clinic.name }}: sentimos a sua falta hoje. Ligue-nos."
ROWS = [
    # (kind, language, subject, body_text)
    ("no_show", "en", "We missed you today at {{ clinic.name }}", "Hello"),
    ("no_show", "fr_CA", "Nous vous avons manqué aujourd'hui chez {{ clinic.name }}", "Bonjour, édité"),
    ("no_show", "pt_PT", EDITED_SUBJECT, "Olá"),
    ("sms_no_show", "en", "", "{{ clinic.name }}: we missed you today.{% if location_phone %} To rebook: "
                              "{{ location_phone }}{% endif %}"),
    ("sms_no_show", "pt_PT", "", EDITED_TEXT),
    ("sms_no_show", "fr_CA", "", "{{ clinic.name }}: nous vous avons attendu aujourd'hui.{% if location_phone %} "
                                 "Pour reprendre rendez-vous : {{ location_phone }}{% endif %}"),
]


def _rows(engine) -> dict[tuple[str, str], tuple[str, str]]:
    with engine.connect() as conn:
        return {(kind, language): (subject, body) for kind, language, subject, body in conn.execute(text(
            "SELECT kind, language, subject, body_text FROM message_template"))}


def test_unedited_no_show_wording_takes_the_visits_day_and_edits_are_kept(app, backend, fresh_database, tmp_path):
    instance_dir = tmp_path / "instance"
    engine = create_engine(load_config({"DATABASE_URL": fresh_database, "PLINTH_INSTANCE_DIR": str(instance_dir)})[
        "SQLALCHEMY_DATABASE_URI"])
    try:
        _flask(fresh_database, instance_dir, "db", "upgrade", "0029")
        with engine.begin() as conn:
            for kind, language, subject, body in ROWS:
                conn.execute(text("INSERT INTO message_template (kind, audience, language, subject, body_text, "
                                  "body_html, updated_at) VALUES (:kind, 'client', :language, :subject, :body, '', "
                                  "CURRENT_TIMESTAMP)"),
                             {"kind": kind, "language": language, "subject": subject, "body": body})
        _flask(fresh_database, instance_dir, "db", "upgrade", "0031")
        after = _rows(engine)
        shipped = {"en": DEFAULTS, **TRANSLATED}
        assert after[("no_show", "en")] == (shipped["en"][("no_show", "client")].subject, "Hello")
        assert after[("no_show", "fr_CA")] == (shipped["fr_CA"][("no_show", "client")].subject, "Bonjour, édité")
        assert after[("no_show", "pt_PT")] == (EDITED_SUBJECT, "Olá")
        for language in ("en", "fr_CA"):
            assert after[("sms_no_show", language)][1] == shipped[language][("sms_no_show", "client")].body_text
        assert after[("sms_no_show", "pt_PT")][1] == EDITED_TEXT

        _flask(fresh_database, instance_dir, "db", "downgrade", "0029")
        assert _rows(engine) == {(kind, language): (subject, body) for kind, language, subject, body in ROWS}
    finally:
        engine.dispose()
