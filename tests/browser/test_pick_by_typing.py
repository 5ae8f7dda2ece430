"""The front desk opens a case by typing part of the client's name and picking them
(issue 13, app/views/pickers.py): no list of every client on the form."""
from __future__ import annotations

import pytest

from app.models import Case
from tests import factories
from tests.browser.axe import violations
from tests.browser.conftest import ARTIFACTS, log_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_a_case_is_opened_by_typing_part_of_the_clients_name(page, live_server, db, people):
    emilie = factories.make_client(first_name="Émilie", last_name="Lévesque", home_location=people.location)
    factories.make_client(first_name="Emile", last_name="Leblanc", home_location=people.location)
    factories.make_client(first_name="Emil", last_name="Levski", home_location=people.other_location)
    emilie_id, discipline_id = emilie.id, people.discipline.id
    db.session.commit()
    db.session.remove()  # no transaction left open while the server writes (SQLite's one lock)
    log_in(page, live_server, "frontdesk", PASSWORD)
    page.goto(f"{live_server}/caseview/add")
    assert page.locator("select#client option").count() == 1  # the blank one: nobody listed

    page.click("select#client + .select2-container .select2-selection")
    typing = page.locator(".select2-container--open .select2-search__field")
    assert typing.get_attribute("aria-label") == "Client"
    typing.type("EMIL", delay=30)  # accents not typed, case not minded
    options = page.locator(".select2-results__option:not(.loading-results)")
    options.first.wait_for()
    page.wait_for_function("() => !document.querySelector('.select2-results__option.loading-results')")
    shown = options.all_inner_texts()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "pick_client_by_typing.png"))
    assert any("Émilie Lévesque" in text for text in shown)
    assert any("Emile Leblanc" in text for text in shown)
    assert not any("Levski" in text for text in shown)  # the other location's client
    found = violations(page, impacts=("serious", "critical"))
    assert found == [], "\n".join(found)  # the open picker, as axe reads it

    page.locator(".select2-results__option", has_text="Émilie Lévesque").click()
    assert page.locator("select#client").input_value() == str(emilie_id)
    page.fill("input[name=title]", "Sore knee")
    page.evaluate("id => jQuery('#discipline').val(String(id)).trigger('change')", discipline_id)
    page.evaluate("() => { document.querySelector('input[name=opened_on]').value = '2026-03-02'; }")
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state()
    assert "/caseview/add" not in page.url, page.locator(".alert").all_inner_texts()
    saved = db.session.query(Case).filter_by(title="Sore knee").one()
    assert saved.client_id == emilie_id
