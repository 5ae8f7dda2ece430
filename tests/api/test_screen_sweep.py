"""Sweep every registered staff screen as each role of one location: no page, filter
dropdown, picker, related tab or feed may name a client, case or team member of the
other location. And a screen registered without a scope cannot start.

The scene (tests/api/conftest.py) is extended with the other location's money and
messages, so every billing and message list has something to leak.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from flask import current_app
from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import select

from app.billing import invoicing
from app.extensions import db as _db
from app.models import (
    Charge, ClientPackage, Message, MessageAttempt, MessageEvent, PackageType, Payment, PaymentMethod, WaitlistEntry,
)
from app.scope_guard import check_every_screen_is_scoped, unscoped_screens
from app.scopes import CLINIC_WIDE, SCOPES, UnscopedModel
from app.views.base import PlinthModelView
from tests import factories
from tests.api.conftest import LISBON_MARKERS
from tests.views.helpers import login

PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
TEAM_CANARY = ("Wilhelmina", "wilhelmina.lisbon@example.test")
# Front desk and provider of Downtown: nothing of Lisbon's clients, cases or team.
MARKERS = {"frontdesk": LISBON_MARKERS + TEAM_CANARY,
           "provider": LISBON_MARKERS + TEAM_CANARY + ("Dora",)}  # Dora: a walk-in the provider never treated
# The public booking site, sign-in plumbing and static files are not staff screens.
SKIPPED_PREFIXES = ("/book/", "/static/", "/calendar/static/", "/login", "/logout", "/lang/", "/back",
                    "/webhooks/", "/health", "/swagger/")
# Reached by GET, these change data (FAB's GET delete and actions): swept for scope elsewhere.
WRITING_ENDPOINT_SUFFIXES = (".delete", ".action", ".download")


@dataclass
class Sweep:
    requests: int
    screens: set
    leaks: list
    errors: list
    text: str


@pytest.fixture()
def lisbon_records(scene):
    """The other location's money, messages and waitlist, named with the canaries."""
    p = scene.people
    outsider_user = p.outsider.user
    outsider_user.email = TEAM_CANARY[1]
    p.outsider.display_name = "Wilhelmina Outsiderova"
    item = factories.make_billing_item(code="LX1", name="Consulta")
    charge = factories._add(Charge(case=scene.other_case, description="Consulta", unit_price=Decimal("50.00"),
                                   billing_item=item, provider=p.outsider))
    invoicing.issue(case=scene.other_case, charge_ids=[charge.id], actor=p.manager, today=date(2026, 3, 9),
                    location=p.other_location)
    factories._add(Charge(case=scene.other_case, description="Open charge", unit_price=Decimal("10.00"),
                          provider=p.outsider))
    factories._add(Payment(client=scene.other_client, location=p.other_location, method=PaymentMethod.cash,
                           amount=Decimal("20.00"), received_on=date(2026, 3, 9)))
    package = factories._add(PackageType(name="Five visits", sessions=5, price=Decimal("200.00")))
    factories._add(ClientPackage(client=scene.other_client, package_type=package, sessions_total=5,
                                 purchased_on=date(2026, 3, 1)))
    when = datetime(2026, 3, 8, 10, tzinfo=timezone.utc)
    message = factories._add(Message(kind="confirmation", audience="client", to_address="ludmila@example.test",
                                     client=scene.other_client, team_member=p.outsider, due_at=when,
                                     dedupe_key="lisbon-1", subject="Ostrogoth, your visit"))
    factories._add(MessageAttempt(message=message, outcome="sent", detail="to Ostrogoth"))
    factories._add(MessageEvent(message=message, provider_event_id="ev-lisbon-1", event="delivered", at=when,
                                detail="Ostrogoth opened it"))
    factories._add(WaitlistEntry(location=p.other_location, session_type=factories.make_session_type(
        discipline=p.discipline), calendar=p.outsider_calendar, first_name="Ludmila", last_name="Lusitania",
        email="ludmila@example.test"))
    _db.session.commit()
    return scene


def _ids_by_view() -> dict[str, list[int]]:
    """Every row id of every model screen's model (the scene is small); FAB's own
    permission rows (models outside the scope table) name nobody and are skipped."""
    ids = {}
    for view in current_app.appbuilder.baseviews:
        datamodel = getattr(view, "datamodel", None)
        if datamodel is not None and (datamodel.obj in SCOPES or datamodel.obj in CLINIC_WIDE):
            ids[type(view).__name__] = list(_db.session.scalars(select(datamodel.obj.id)))
    return ids


def _filter_variants(view, url: str, ids: dict) -> list[str]:
    """The list with each searchable column's first filter set: a row of the related
    model (every one of them) for relations, a canary name for text."""
    urls = []
    for column, filters in view._filters.get_search_filters().items():
        if not filters:
            continue
        if view.datamodel.is_relation(column):
            model = view.datamodel.get_related_model(column)
            values = [str(i) for i in _db.session.scalars(select(model.id).order_by(model.id.desc()).limit(1))]
        elif view.datamodel.is_string(column) or view.datamodel.is_text(column):
            values = ["Ostr"]  # the start of a canary, never a canary itself
        else:
            continue
        urls += [f"{url}?_flt_0_{column}={value}" for value in values]
    return urls


def _views_by_endpoint() -> dict:
    return {type(v).__name__: v for v in current_app.appbuilder.baseviews}


def urls_to_visit(app, scene) -> list[tuple[str, str]]:
    """(screen, url) for every GET route of every registered staff screen."""
    views = _views_by_endpoint()
    ids = _ids_by_view()
    p = scene.people
    query = (f"?start=2026-03-09&end=2026-03-10&location_id={{loc}}&q=Ost&calendar_id={p.outsider_calendar.id}"
             f"&session_type_id=1")
    visits = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith("/api/") or rule.rule.startswith(SKIPPED_PREFIXES):
            continue
        if rule.endpoint.endswith(WRITING_ENDPOINT_SUFFIXES):
            continue
        screen = rule.endpoint.split(".", 1)[0]
        view = views.get(screen)
        names = PARAM.findall(rule.rule)
        if not names:
            if rule.endpoint.startswith("CalendarGridView.feed") or "/feed/" in rule.rule:
                visits += [(screen, rule.rule + query.format(loc=loc.id)) for loc in (p.location, p.other_location)]
            else:
                visits.append((screen, rule.rule))
            if view is not None and rule.endpoint.endswith(".list") and hasattr(view, "_filters"):
                visits += [(screen, u) for u in _filter_variants(view, rule.rule, ids)]
            continue
        if names == ["pk"]:
            row_ids = ids.get(screen, [])
        elif names == ["appointment_id"]:
            row_ids = ids.get("AppointmentView", [])
        elif names == ["group_by"]:
            row_ids = ["first_name"]
        elif names == ["column"]:  # a form's search picker (views/pickers.py), asked for the canaries
            for column in getattr(view, "pickers", {}):
                visits += [(screen, PARAM.sub(column, rule.rule) + f"?q={typed}") for typed in ("Ost", "Lud", "Lus")]
            continue
        else:
            continue
        visits += [(screen, PARAM.sub(str(row_id), rule.rule)) for row_id in row_ids]
    return visits


def sweep(app, client, scene, username: str, markers: tuple[str, ...], *, lists_only: bool = False) -> Sweep:
    _db.session.commit()
    login(client, username)
    visits = urls_to_visit(app, scene)
    if lists_only:
        visits = [(screen, url) for screen, url in visits if "?" not in url and "<" not in url]
    leaks, errors, texts = [], [], []
    for screen, url in visits:
        response = client.get(url)
        text = response.get_data(as_text=True)
        if response.status_code >= 500:
            errors.append((url, response.status_code))
        found = [m for m in markers if m in text]
        if found:
            leaks.append((url, found))
        texts.append(text)
    client.get("/logout/")
    return Sweep(len(visits), {s for s, _ in visits}, leaks, errors, "\n".join(texts))


@pytest.mark.parametrize("username", ["frontdesk", "provider"])
def test_no_screen_names_a_client_case_or_colleague_of_another_location(app, client, lisbon_records, username):
    result = sweep(app, client, lisbon_records, username, MARKERS[username])
    print(f"\n{username}: {result.requests} pages over {len(result.screens)} screens, {len(result.leaks)} leaks")
    assert result.errors == []
    assert result.leaks == []
    assert result.requests > 150 and len(result.screens) > 30


def test_the_manager_sees_every_canary_so_the_sweep_is_not_vacuous(app, client, lisbon_records):
    markers = MARKERS["provider"]
    result = sweep(app, client, lisbon_records, "manager", markers, lists_only=True)
    assert result.errors == []
    # (the canary's email is shown on no staff screen, to anyone: it only guards against leaks)
    assert [m for m in markers if m not in result.text] == [TEAM_CANARY[1]]


def test_the_sweep_asks_every_search_picker_and_a_manager_gets_the_canary(app, client, lisbon_records):
    visited = [url for _, url in urls_to_visit(app, lisbon_records)]
    assert {"/caseview/pick/client?q=Ost", "/waitlistview/pick/client?q=Ost"} <= set(visited)
    login(client, "manager")
    assert "Ostrogoth" in client.get("/caseview/pick/client?q=Ost").get_data(as_text=True)


# --- the registration guard -------------------------------------------------------------
class UnscopedMessagesView(ModelView):
    """What a careless new screen looks like: FAB's ModelView, no base filters."""

    datamodel = SQLAInterface(Message)
    class_permission_name = "Messages"  # the front desk reads Messages


def test_a_screen_without_scope_is_refused_at_registration(app_ctx, db):
    appbuilder = current_app.appbuilder
    assert unscoped_screens(appbuilder) == []
    view = UnscopedMessagesView()
    appbuilder.baseviews.append(view)  # as add_view would, without touching the live app's routes
    try:
        assert unscoped_screens(appbuilder) == ["UnscopedMessagesView"]
        with pytest.raises(UnscopedModel, match="UnscopedMessagesView"):
            check_every_screen_is_scoped(appbuilder)
    finally:
        appbuilder.baseviews.remove(view)


def test_a_plinth_screen_over_a_model_missing_from_the_scope_table_cannot_be_built(app_ctx, db):
    from app.models import WaitlistOffer

    class OffersView(PlinthModelView):
        datamodel = SQLAInterface(WaitlistOffer)
        class_permission_name = "Waitlist"

    with pytest.raises(UnscopedModel, match="WaitlistOffer has no row scope"):
        OffersView()


def test_a_throwaway_app_with_an_unscoped_screen_does_not_start(tmp_path, monkeypatch):
    """The careless screen in the menu of a fresh app: create_app() refuses to finish."""
    from app import views
    from tests.conftest import make_app

    monkeypatch.setattr(views, "MENU", [*views.MENU, (UnscopedMessagesView, "Leaky", "Messages", "fa-bug")])
    with pytest.raises(UnscopedModel, match="UnscopedMessagesView"):
        make_app(f"sqlite:///{tmp_path / 'throwaway.db'}", tmp_path / "instance")
