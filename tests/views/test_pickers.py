"""Clients, cases and visits are picked on forms by typing part of a name (issue 13,
app/views/pickers.py): the page holds only the row chosen, the picker's route answers at most
20 rows of the user's scope, and an id outside it is refused with a 422."""
from __future__ import annotations

import pytest

from app.extensions import db as ext_db
from app.models import Case
from app.views.pickers import SHOWN
from tests import factories
from tests.sql import counting
from tests.views.helpers import login

PICK = "/caseview/pick/client"


def names(client, typed: str, url: str = PICK) -> list[str]:
    response = client.get(url, query_string={"q": typed})
    assert response.status_code == 200, response.get_data(as_text=True)
    return [row["text"] for row in response.get_json()["results"]]


@pytest.fixture()
def two_locations(db, people):
    ours = factories.make_client(first_name="Émilie", last_name="Lévesque", home_location=people.location)
    factories.make_client(first_name="Joao", last_name="Leveque", home_location=people.location)
    theirs = factories.make_client(first_name="Emil", last_name="Levski", home_location=people.other_location)
    factories.make_case(client=ours, discipline=people.discipline, title="Knee")
    factories.make_case(client=theirs, discipline=people.discipline, title="Knee")
    db.session.commit()
    return ours, theirs


@pytest.mark.parametrize("role, expected", [
    ("frontdesk", ["Joao Leveque", "Émilie Lévesque"]),
    ("manager", ["Joao Leveque", "Émilie Lévesque", "Emil Levski"]),
])
def test_the_picker_answers_the_clients_of_the_users_scope(client, two_locations, role, expected):
    login(client, role)
    assert sorted(names(client, "LEV")) == sorted(expected)


def test_accents_and_case_do_not_matter_either_way(client, two_locations):
    login(client, "frontdesk")
    assert names(client, "emilie lev") == ["Émilie Lévesque"]
    assert names(client, "LÉVESQUE ÉM") == ["Émilie Lévesque"]  # last name first, accents typed
    assert names(client, "lévêque") == ["Joao Leveque"]          # accents typed, none stored
    assert names(client, "%") == [] and names(client, "e_") == []  # wildcards are letters


def test_at_most_twenty_and_at_least_two_letters(client, db, people):
    for n in range(SHOWN + 5):
        factories.make_client(first_name=f"Ana{n:02}", last_name="Silva", home_location=people.location)
    db.session.commit()
    login(client, "frontdesk")
    found = names(client, "silva")
    assert len(found) == SHOWN and found == sorted(found)
    assert names(client, "s") == [] and names(client, " ") == []
    assert client.get(PICK, query_string={"q": "x" * 101}).status_code == 400
    assert client.get("/caseview/pick/discipline", query_string={"q": "ph"}).status_code == 404


def test_the_waitlist_picks_from_the_same_scope_and_read_only_screens_have_no_picker(client, two_locations):
    login(client, "frontdesk")
    assert sorted(names(client, "lev", "/waitlistview/pick/client")) == ["Joao Leveque", "Émilie Lévesque"]
    assert client.get("/chargeview/pick/case", query_string={"q": "kne"}).status_code == 404


def test_a_forged_client_is_refused_with_a_422_and_nothing_saved(client, two_locations, people):
    _, theirs = two_locations
    login(client, "frontdesk")
    before = ext_db.session.query(Case).count()
    form = {"title": "Sneaky", "discipline": people.discipline.id, "opened_on": "2026-03-01"}
    for forged in (theirs.id, "abc", "99999999999", -1):
        response = client.post("/caseview/add", data={**form, "client": forged})
        assert response.status_code == 422, forged
        assert "This is not one you may choose" in response.get_data(as_text=True)
    ext_db.session.expire_all()
    assert ext_db.session.query(Case).count() == before


def test_a_client_picked_from_the_scope_is_saved(client, two_locations, people):
    ours, _ = two_locations
    login(client, "frontdesk")
    response = client.post("/caseview/add", data={"client": ours.id, "title": "Shoulder",
                                                  "discipline": people.discipline.id, "opened_on": "2026-03-01"})
    assert response.status_code == 302
    saved = ext_db.session.query(Case).filter_by(title="Shoulder").one()
    assert saved.client_id == ours.id
    edit = client.get(f"/caseview/edit/{saved.id}").get_data(as_text=True)
    assert f'<option value="{ours.id}" selected>Émilie Lévesque</option>' in edit


@pytest.mark.parametrize("role", ["frontdesk", "manager"])
def test_the_add_case_form_reads_no_client_however_many_there_are(client, db, people, role):
    """The form's statements do not grow with the clinic's clients, and none of them is on it."""
    def statements() -> int:
        ext_db.session.commit()
        with counting() as sent:
            page = client.get("/caseview/add")
        assert page.status_code == 200
        assert "Zebulon" not in page.get_data(as_text=True)
        return len(sent)

    factories.make_client(first_name="Zebulon", last_name="Quux", home_location=people.location)
    db.session.commit()
    login(client, role)
    statements()  # first reads (roles, settings) out of the way
    few = statements()
    for _ in range(30):
        factories.make_client(home_location=people.location)
    db.session.commit()
    assert statements() == few


def test_every_form_that_picks_by_typing_has_its_picker_route(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    picking = [type(v).__name__ for v in app.appbuilder.baseviews if getattr(v, "pickers", None)]
    assert {"CaseView", "WaitlistView"} <= set(picking)
    for name in picking:
        if f"{name}.add" in endpoints or f"{name}.edit" in endpoints:
            assert f"{name}.pick" in endpoints, name


def test_a_client_forged_through_a_list_filter_argument_is_refused(client, db, two_locations, people):
    """FAB fills a relation from ``?_flt_0_client=<id>`` without any scope: the picker's field
    looks that row up within its filters too."""
    from app.models import WaitlistEntry

    _, theirs = two_locations
    session_type = factories.make_session_type()
    db.session.commit()
    login(client, "frontdesk")
    form = {"location": people.location.id, "session_type": session_type.id, "first_name": "Zed",
            "last_name": "Faraway", "status": "waiting", "weekdays": "024", "is_new_client": "y",
            "until": "2027-01-01", "email": "z@example.com"}
    response = client.post(f"/waitlistview/add?_flt_0_client={theirs.id}", data=form)
    assert response.status_code == 422, response.status_code
    ext_db.session.expire_all()
    assert ext_db.session.query(WaitlistEntry).count() == 0
