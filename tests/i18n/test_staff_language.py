"""A staff member's language on Plinth's screens: their own choice from the language menu
(kept on their team member), else their first location's language, else English; the grid
and the panel get the page's locale, currency and translated texts for their scripts."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.models import TeamMember
from tests.views.helpers import login


def _settings(html: str) -> dict:
    found = re.search(r'<script id="plinth-i18n" type="application/json"[^>]*>(.*?)</script>', html, re.S)
    assert found, "every staff page carries its language settings"
    return json.loads(found.group(1))


def _member(db, user_id) -> TeamMember:
    db.session.expire_all()
    return db.session.query(TeamMember).filter_by(user_id=user_id).one()


@pytest.mark.parametrize("language, shown, locale", [
    ("pt_PT", "Procurar as primeiras vagas", "pt-PT"),
    ("fr_CA", "Trouver les premières disponibilités", "fr-CA"),
    (None, "Find first openings", "en-CA"),
])
def test_a_provider_sees_the_grid_in_their_locations_language(client, db, people, language, shown, locale):
    people.other_location.language = language
    people.other_location.currency = "EUR"
    db.session.commit()
    login(client, "outsider")  # works at Lisbon only
    html = client.get("/calendar/").get_data(as_text=True)
    assert shown in html
    settings = _settings(html)
    assert settings["locale"] == locale
    if language:
        assert settings["strings"]["Record payment"] != "Record payment"
    else:
        assert settings["strings"] == {}  # English needs no table


def test_the_language_menu_choice_is_kept_on_the_team_member(client, db, people):
    people.other_location.language = "pt_PT"
    db.session.commit()
    login(client, "outsider")
    assert "Procurar as primeiras vagas" in client.get("/calendar/").get_data(as_text=True)
    assert client.get("/lang/en").status_code == 302
    assert _member(db, people.outsider.user_id).language == "en"
    assert "Find first openings" in client.get("/calendar/").get_data(as_text=True)
    client.get("/logout/")
    login(client, "outsider")  # a new session: the choice follows the person
    assert "Find first openings" in client.get("/calendar/").get_data(as_text=True)


def test_an_unknown_language_in_the_menu_is_refused(client, db, people):
    login(client, "outsider")
    assert client.get("/lang/xx").status_code == 404
    assert _member(db, people.outsider.user_id).language is None


def test_the_panel_formats_money_in_the_visits_currency(client, db, people):
    """The panel's billing JSON names the currency its script formats amounts in."""
    from datetime import datetime, timedelta

    from app.timeutil import UTC
    from tests import factories

    people.other_location.currency = "EUR"
    db.session.commit()
    calendar = people.outsider_calendar
    start = datetime(2026, 12, 8, 10, tzinfo=UTC)
    appointment = factories.make_appointment(calendar, start, end=start + timedelta(minutes=30))
    db.session.commit()
    login(client, "outsider")
    body = client.get(f"/api/v1/appointments/{appointment.id}/billing").get_json()
    assert body["currency"] == "EUR"


@pytest.mark.parametrize("chosen, kept", [("pt_PT", "pt_PT"), ("fr_CA", "fr_CA"), ("", None)])
def test_a_manager_sets_a_team_members_language_on_the_team_form(client, db, people, chosen, kept):
    login(client, "manager")
    member = people.outsider
    form = client.get(f"/teammemberview/edit/{member.id}").get_data(as_text=True)
    assert 'name="language"' in form and "Português (Portugal)" in form
    response = client.post(f"/teammemberview/edit/{member.id}", data={
        "display_name": member.display_name, "language": chosen, "locations": [loc.id for loc in member.locations],
        "active": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _member(db, member.user_id).language == kept
    client.get("/logout/")
    login(client, "outsider")
    shown = {"pt_PT": "Procurar as primeiras vagas", "fr_CA": "Trouver les premières disponibilités",
             "": "Find first openings"}[chosen]
    assert shown in client.get("/calendar/").get_data(as_text=True)


def test_a_language_that_plinth_does_not_ship_is_refused_on_the_team_form(client, db, people):
    login(client, "manager")
    member = people.outsider
    response = client.post(f"/teammemberview/edit/{member.id}", data={
        "display_name": member.display_name, "language": "de", "active": "y"})
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)
    assert _member(db, member.user_id).language is None


def test_the_grids_toolbar_views_and_find_time_speak_the_providers_language(client, db, people):
    """What the grid showed in English to a Lisboa provider: "today", the view buttons (the
    views' own options replaced the translated ones), "Look ahead", "1 week", "Book next",
    the status bar's legend, the weekdays of Repeat."""
    people.other_location.language = "pt_PT"
    db.session.commit()
    login(client, "outsider")
    html = client.get("/calendar/").get_data(as_text=True)
    for words in ("Procurar nas próximas", "1 semana", "4 semanas", "Marcar a seguinte", "Por dia", "Opções",
                  "Agenda seguinte", "Repetir", "seg.", "dom."):
        assert words in html, words
    for english in (">Look ahead<", ">1 week<", ">Book next<", ">By calendar<", " Mon<", "\"Calendar shown\""):
        assert english not in html, english
    strings = _settings(html)["strings"]
    for text, shown in (("Today", "Hoje"), ("Location week", "Semana do local"), ("Month", "Mês"),
                        ("Status (click to show or hide):", "Estado (clique para mostrar ou ocultar):"),
                        ("%(count)s visits · %(hours)s booked", "%(count)s consultas · %(hours)s marcadas"),
                        ("Open client file", "Abrir a ficha do cliente")):
        assert strings[text] == shown, text
    views = (Path(__file__).parents[2] / "app/calendar/static/views.js").read_text()
    # The views' buttons and texts go through the page's translations, none left as bare English.
    for bare in ('buttonText: "', '" visits"', '"Open " +'):
        assert bare not in views, bare
