"""The form editor's round trip: the JSON its page builds becomes a version exactly as
posted (each kind of question), a patient can open it, and every bad setting comes back
as a 422 naming the question and the setting — nothing saved."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.intake.definition import definition_problems
from app.intake.links import fill_path
from app.intake import service
from app.models import FormTemplate, FormVersion
from app.timeutil import utcnow
from tests import factories
from tests.views.helpers import login

EVERY_KIND = [
    {"key": "about", "kind": "heading", "label": "About you"},
    {"key": "reason", "kind": "short_text", "label": "What brings you in?", "required": True,
     "help": "A few words are enough."},
    {"key": "history", "kind": "long_text", "label": "Earlier injuries", "required": False},
    {"key": "sport", "kind": "single_choice", "label": "Main sport", "required": True,
     "options": ["Running", "Cycling", "None"]},
    {"key": "days", "kind": "multiple_choice", "label": "Days that suit you", "required": False,
     "options": ["Monday", "Wednesday", "Friday"]},
    {"key": "meds", "kind": "yes_no", "label": "Do you take medication?", "required": True,
     "follow_up": {"label": "Which ones?", "when": "yes", "required": True}},
    {"key": "born", "kind": "date", "label": "Date of birth", "required": False},
    {"key": "pain", "kind": "number", "label": "Pain now (0-10)", "required": True, "min": 0, "max": 10,
     "integer": True},
    {"key": "where", "kind": "body_area", "label": "Where does it hurt?", "required": False},
    {"key": "signed", "kind": "signature", "label": "Signature", "required": True},
]


def q(kind="short_text", **settings):
    return dict({"key": "a", "kind": kind, "label": "A question"}, **settings)


@pytest.fixture()
def manager(client, people, db):
    db.session.add(FormTemplate(name="Sports intake", purpose="intake", active=True, created_at=utcnow()))
    db.session.commit()
    login(client, "manager")
    return client


def template(db) -> FormTemplate:
    return db.session.scalar(select(FormTemplate).where(FormTemplate.name == "Sports intake"))


def test_every_kind_of_question_round_trips_into_a_version_a_patient_can_open(manager, db, people):
    form = template(db)
    url = f"/intake/forms/{form.id}/"
    page = manager.get(url)
    assert page.status_code == 200 and b'id="form-editor-data"' in page.data
    saved = manager.post(url, json={"description": "Before your first visit", "active": True,
                                    "fields": EVERY_KIND, "scoring": None})
    assert saved.status_code == 200, saved.json
    assert saved.json["version"] == 1
    db.session.expire_all()
    form = template(db)
    assert form.current.fields == EVERY_KIND and form.description == "Before your first visit"
    # The same questions again are the same version; one change is a new one.
    assert manager.post(url, json={"active": True, "fields": EVERY_KIND}).json["version"] == 1
    moved = [EVERY_KIND[1], EVERY_KIND[0], *EVERY_KIND[2:]]
    assert manager.post(url, json={"active": True, "fields": moved}).json["version"] == 2
    # The editor's page carries the current questions back, as saved.
    assert b"Which ones?" in manager.get(url).data
    patient = factories.make_client(email="pat@example.com")
    request = service.create_request(template(db), patient.id)
    db.session.commit()
    fill = manager.get(fill_path(request.id))
    assert fill.status_code == 200 and "Days that suit you" in fill.get_data(as_text=True)


@pytest.mark.parametrize("fields, field, words", [
    ([], "fields", "at least one question"),
    ([q(label="  ")], "fields.0.label", "Write the question"),
    ([q(key="Pain Now")], "fields.0.key", "lower-case letters"),
    ([q(), q(kind="date")], "fields.1.key", "used by another question"),
    ([q(kind="essay")], "fields.0.kind", "what kind of question"),
    ([q(kind="single_choice", options=["Only"])], "fields.0.options", "at least two options"),
    ([q(kind="multiple_choice", options=["A", " "])], "fields.0.options", "An option is empty"),
    ([q(kind="multiple_choice", options=["A", "A"])], "fields.0.options", "there twice"),
    ([q(kind="number", min=5, max=1)], "fields.0.max", "below the smallest"),
    ([q(kind="number", min="five")], "fields.0.min", "Enter a number"),
    ([q(kind="number", max="Infinity")], "fields.0.max", "Enter a number"),
    ([q(kind="number", integer="yes")], "fields.0.integer", "Whole numbers"),
    ([q(kind="yes_no", follow_up={"label": ""})], "fields.0.follow_up", "follow-up question"),
    ([q(kind="yes_no", follow_up={"label": "Which?", "when": "maybe"})], "fields.0.follow_up", "after yes or"),
    ([q(required="true")], "fields.0.required", "yes or no"),
    ([q(help="x" * 1001)], "fields.0.help", "at most 1000"),
    ([q(), "not a question"], "fields.1", "not a question"),
])
def test_each_bad_setting_is_named_beside_its_question_and_nothing_is_saved(manager, db, fields, field, words):
    assert [p.field for p in definition_problems(fields)] == [field]
    response = manager.post(f"/intake/forms/{template(db).id}/", json={"active": True, "fields": fields})
    assert response.status_code == 422
    problems = response.json["problems"]
    assert [p["field"] for p in problems] == [field] and words in problems[0]["message"], problems
    assert db.session.scalar(select(func.count(FormVersion.id))) == 0


@pytest.mark.parametrize("body, words", [
    ("not json", "JSON object"),
    ([EVERY_KIND], "JSON object"),
    ({"fields": EVERY_KIND, "active": "on"}, "In use is yes or no"),
    ({"fields": EVERY_KIND, "scoring": "sum"}, "scoring is a JSON object"),
    ({"fields": EVERY_KIND, "description": 5}, "description is text"),
])
def test_a_body_that_is_not_the_editors_shape_is_a_422(manager, db, body, words):
    url = f"/intake/forms/{template(db).id}/"
    response = (manager.post(url, data=body, content_type="application/json") if isinstance(body, str)
                else manager.post(url, json=body))
    assert response.status_code == 422 and words in response.json["message"]
    assert db.session.scalar(select(func.count(FormVersion.id))) == 0


def test_a_scoring_that_does_not_fit_the_questions_is_named_and_the_front_desk_may_not_edit(
        manager, client, db, people):
    url = f"/intake/forms/{template(db).id}/"
    response = manager.post(url, json={"fields": [q(kind="number", key="pain", min=0, max=10)],
                                       "scoring": {"method": "sum", "better": "lower", "items": ["nope"]}})
    assert response.status_code == 422 and response.json["problems"][0]["field"] == "scoring"
    client.get("/logout/")
    login(client, "frontdesk")
    assert client.post(url, json={"fields": EVERY_KIND}).status_code in (302, 403)
    assert db.session.scalar(select(func.count(FormVersion.id))) == 0
