"""Managers keep a version of each message per language from the Templates screen; a new
version starts from Plinth's own text in that language, and a client then gets it."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.messaging import templates
from app.models import MessageTemplate
from tests.views.helpers import login


def _english(kind="confirmation"):
    db.session.rollback()
    return db.session.scalar(select(MessageTemplate).where(MessageTemplate.kind == kind,
                                                           MessageTemplate.audience == "client",
                                                           MessageTemplate.language == "en"))


def test_a_manager_adds_a_portuguese_version_and_a_portuguese_client_gets_it(client, scene):
    login(client, "manager")
    client.post("/messagetemplateview/shipped", data={"key": "confirmation|client"})  # its English row
    english = _english()
    preview = client.get(f"/messagetemplateview/preview/{english.id}").get_data(as_text=True)
    assert "Add a version in Português (Portugal)" in preview
    added = client.post(f"/messagetemplateview/language/{english.id}", data={"language": "pt_PT"})
    assert added.status_code == 302 and "/messagetemplateview/edit/" in added.headers["Location"]
    db.session.rollback()
    portuguese = db.session.scalar(select(MessageTemplate).where(MessageTemplate.kind == "confirmation",
                                                                 MessageTemplate.audience == "client",
                                                                 MessageTemplate.language == "pt_PT"))
    assert portuguese.subject == templates.shipped("confirmation", "client", "pt_PT").subject
    # asked again: the same version, not a second one
    again = client.post(f"/messagetemplateview/language/{english.id}", data={"language": "pt_PT"})
    assert again.headers["Location"].endswith(f"/edit/{portuguese.id}")
    portuguese.subject = "Marcação confirmada na clínica"
    db.session.commit()
    chosen = templates.template_for("confirmation", "client", language="pt_PT")
    assert chosen.subject == "Marcação confirmada na clínica"
    assert templates.template_for("confirmation", "client", language="fr_CA").subject == \
        templates.shipped("confirmation", "client", "fr_CA").subject


def test_an_unknown_language_is_refused_with_a_message(client, scene):
    login(client, "manager")
    client.post("/messagetemplateview/shipped", data={"key": "confirmation|client"})
    english = _english()
    refused = client.post(f"/messagetemplateview/language/{english.id}", data={"language": "xx"},
                          follow_redirects=True)
    assert refused.status_code == 200 and "not a language Plinth speaks" in refused.get_data(as_text=True)
    assert client.post("/messagetemplateview/language/999999", data={"language": "pt_PT"}).status_code == 404


def test_reset_puts_back_the_text_in_the_versions_own_language(client, scene):
    login(client, "manager")
    client.post("/messagetemplateview/shipped", data={"key": "confirmation|client"})
    english = _english()
    client.post(f"/messagetemplateview/language/{english.id}", data={"language": "fr_CA"})
    db.session.rollback()
    french = db.session.scalar(select(MessageTemplate).where(MessageTemplate.kind == "confirmation",
                                                             MessageTemplate.language == "fr_CA",
                                                             MessageTemplate.audience == "client"))
    french.subject = "changed"
    db.session.commit()
    assert client.post(f"/messagetemplateview/reset/{french.id}").status_code == 302
    db.session.rollback()
    assert db.session.get(MessageTemplate, french.id).subject == templates.shipped("confirmation", "client", "fr_CA").subject


def test_only_managers_add_versions(client, scene):
    login(client, "frontdesk")
    assert client.post("/messagetemplateview/language/1", data={"language": "pt_PT"}).status_code in (302, 403)
