"""Forms without JSON, in a real browser: a manager builds a form with every kind of
question in the editor (a refused setting is shown beside its question, then fixed) and
saves it; the front desk sends a form from the grid's panel and sees it pending, with
its email in the outbox. Both screens at 0 serious/critical axe-core violations."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from app.intake.defaults import ensure_defaults
from app.models import Client, FormTemplate, Message
from tests.browser.axe import violations
from tests.browser.conftest import ARTIFACTS, log_in
from tests.browser.test_grid import open_grid, scene  # noqa: F401  (fixture)
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser
SERIOUS = ("serious", "critical")


def question(page, number: int):
    return page.locator("#editor-fields > li").nth(number - 1)


def add(page, kind: str, label: str):
    page.select_option("#editor-add-kind", kind)
    page.click("#editor-add")
    # The new question's text takes the focus: type it straight away.
    page.keyboard.type(label)


def test_a_manager_builds_a_form_with_every_kind_of_question_and_saves_it(page, live_server, db, people):
    db.session.commit()
    log_in(page, live_server, "manager", PASSWORD)
    page.goto(f"{live_server}/intake/forms/")
    page.fill("#name", "Sports intake")
    page.get_by_role("button", name="Create").click()
    page.wait_for_selector("#editor-add")

    add(page, "heading", "About you")
    add(page, "short_text", "What brings you in?")
    question(page, 2).get_by_label("Help text (optional)").fill("A few words are enough.")
    question(page, 2).get_by_label("Required", exact=True).check()
    add(page, "long_text", "Earlier injuries")
    add(page, "single_choice", "Main sport")
    question(page, 4).get_by_label("Options, one per line").fill("Running")
    add(page, "multiple_choice", "Days that suit you")
    question(page, 5).get_by_label("Options, one per line").fill("Monday\nWednesday\nFriday")
    add(page, "yes_no", "Do you take medication?")
    question(page, 6).get_by_label("Follow-up question", exact=True).fill("Which ones?")
    add(page, "date", "Date of birth")
    add(page, "number", "Pain now")
    question(page, 8).get_by_label("Smallest number (optional)").fill("0")
    question(page, 8).get_by_label("Largest number (optional)").fill("10")
    question(page, 8).get_by_label("Whole numbers only").check()
    add(page, "body_area", "Where does it hurt?")
    add(page, "signature", "Signature")
    add(page, "short_text", "A question to drop")
    page.get_by_role("button", name="Remove question 11").click()
    # The preview follows the questions as they are typed.
    preview = page.locator("#editor-preview")
    assert preview.get_by_text("Which ones?").is_visible()
    assert preview.get_by_label("Lower back").is_disabled()

    page.click("#editor-save")
    summary = page.locator("#editor-summary")
    summary.wait_for()
    assert page.evaluate("document.activeElement.id") == "editor-summary"
    assert "Question 4: A choice needs at least two options." in summary.inner_text()
    assert question(page, 4).locator(".editor-error:not(:empty)").inner_text() == "A choice needs at least two options."
    assert question(page, 4).get_by_label("Options, one per line").get_attribute("aria-invalid") == "true"
    found = [f"editor_errors: {v}" for v in violations(page, impacts=SERIOUS)]

    question(page, 4).get_by_label("Options, one per line").fill("Running\nCycling\nNone")
    # The heading goes below the first question, from the keyboard.
    page.get_by_role("button", name="Move question 2 up").focus()
    page.keyboard.press("Enter")
    assert question(page, 1).get_by_label("Question", exact=True).input_value() == "What brings you in?"
    page.click("#editor-save")
    page.get_by_text("Saved as version 1").wait_for()
    assert summary.is_hidden()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "form_editor_saved.png"), full_page=True)
    found += [f"editor: {v}" for v in violations(page, impacts=SERIOUS)]
    assert found == []

    db.session.expire_all()
    form = db.session.scalar(select(FormTemplate).where(FormTemplate.name == "Sports intake"))
    fields = form.current.fields
    assert [f["kind"] for f in fields] == ["short_text", "heading", "long_text", "single_choice", "multiple_choice",
                                           "yes_no", "date", "number", "body_area", "signature"]
    assert fields[0] == {"key": "what_brings_you_in", "kind": "short_text", "label": "What brings you in?",
                         "required": True, "help": "A few words are enough."}
    assert fields[3]["options"] == ["Running", "Cycling", "None"]
    assert fields[5]["follow_up"] == {"when": "yes", "label": "Which ones?"}
    assert (fields[7]["min"], fields[7]["max"], fields[7]["integer"]) == (0, 10, True)


def test_the_front_desk_sends_a_form_from_the_grid_panel_and_sees_it_pending(
        page, live_server, db, scene):  # noqa: F811
    ensure_defaults()
    db.session.execute(update(Client).where(Client.last_name == "Almeida").values(email="rita@example.com"))
    db.session.commit()
    db.session.close()
    open_grid(page, live_server, "frontdesk")
    page.locator(".fc-timegrid-event").first.click()
    forms = page.locator("#appointment-forms")
    forms.get_by_text("No forms sent yet.").wait_for()
    forms.get_by_role("button", name="Send form…").click()
    assert page.evaluate("document.activeElement.id") == "panel-form-template"
    forms.get_by_label("Form", exact=True).select_option(label="Physiotherapy intake")
    assert forms.get_by_label("For this visit").is_checked()
    found = [f"panel_send: {v}" for v in violations(page, impacts=SERIOUS)]
    forms.get_by_role("button", name="Send by email").click()
    forms.get_by_text("“Physiotherapy intake” was sent to rita@example.com.").wait_for()
    assert forms.locator("#panel-forms-list li").inner_text() == "pending Physiotherapy intake: pending"
    assert "answers" not in forms.inner_text()
    found += [f"panel_sent: {v}" for v in violations(page, impacts=SERIOUS)]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "grid_panel_form_sent.png"))
    assert found == []
    db.session.expire_all()
    sent = db.session.execute(select(Message.kind, Message.to_address, Message.appointment_id)
                              .where(Message.kind == "form_request")).all()
    assert len(sent) == 1 and sent[0][1] == "rita@example.com" and sent[0][2] is not None
    # The client file says the same to the front desk, and offers Send form… too.
    rita = db.session.scalar(select(Client.id).where(Client.last_name == "Almeida"))
    db.session.close()
    page.goto(f"{live_server}/clinical/clients/{rita}")
    page.get_by_text("Physiotherapy intake: pending").wait_for()
    page.get_by_text("Send form…").click()
    assert page.get_by_label("For the visit").is_visible()
    assert [f"client_file: {v}" for v in violations(page, impacts=SERIOUS)] == []
