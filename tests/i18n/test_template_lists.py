"""The message and text template lists name each row's kind, audience and language in
words in the reader's language, as the preview does (app/messaging/kind_names.py), never
the stored codes ("confirmation", "client", "pt_PT")."""
from __future__ import annotations

import re

import pytest

from app.models import MessageTemplate
from tests.views.helpers import login

CELLS = re.compile(r"<td>\s*(.*?)\s*</td>", re.S)

WORDS = {
    "pt_PT": {"email": ["Confirmação de marcação", "para o cliente", "Português (Portugal)"],
              "text": ["Lembrete"]},
    "fr_CA": {"email": ["Confirmation de rendez-vous", "au client", "Português (Portugal)"],
              "text": ["Rappel"]},
}


@pytest.mark.parametrize("code", list(WORDS))
def test_the_template_lists_name_kinds_and_audiences_in_the_readers_language(client, db, people, code):
    db.session.add_all([
        MessageTemplate(kind="confirmation", audience="client", language="pt_PT", subject="Marcado {{ when }}",
                        body_text="Até breve", body_html="<p>Até breve</p>"),
        MessageTemplate(kind="sms_reminder", audience="client", language="en", subject="", body_text="See you",
                        body_html=""),
    ])
    db.session.commit()
    login(client, "manager")
    client.get(f"/lang/{code}")
    for screen, url in (("email", "/messagetemplateview/list/"), ("text", "/texttemplateview/list/")):
        page = client.get(url)
        assert page.status_code == 200, url
        cells = CELLS.findall(page.get_data(as_text=True))
        for word in WORDS[code][screen]:
            assert any(word in cell for cell in cells), (url, word)
        assert not {"confirmation", "client", "pt_PT", "sms_reminder"} & set(cells), (url, cells)
