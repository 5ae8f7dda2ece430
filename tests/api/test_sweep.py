"""Sweep every registered API route as a user who must not see someone else's records:
no answer may carry their data, no write may touch their rows, nothing answers 500."""
from __future__ import annotations

import re
import prison
import pytest
from flask import current_app

from app.extensions import db
from app.models import Appointment, Calendar, CalendarAccess, Case, Client, Shift, TimeBlock
from tests import factories
from tests.api.conftest import LISBON_MARKERS, SECRET_MARKERS

WATCHED = (Client, Case, Appointment, Calendar, CalendarAccess, Shift, TimeBlock)
PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def api_routes():
    for rule in current_app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def view_of(endpoint: str):
    name = endpoint.split(".", 1)[0]
    return next((v for v in current_app.appbuilder.baseviews if type(v).__name__ == name), None)


def victims(scene, actor: str) -> dict[str, list[int]]:
    """Per resource, the ids of the rows ``actor`` must never reach."""
    p = scene.people
    if actor == "outsider":
        return {
            "client": [scene.client.id], "case": [scene.case.id], "appointment": [scene.appointment.id],
            "calendar": [p.provider_calendar.id], "shift": [scene.shift.id],
            "time_block": [scene.time_block.id],
            "calendar_access": list(db.session.scalars(
                CalendarAccess.__table__.select().with_only_columns(CalendarAccess.id)
                .where(CalendarAccess.user_id == p.provider.user_id))),
        }
    return {
        "client": [scene.other_client.id, scene.lisbon_walk_in.id], "case": [scene.other_case.id],
        "appointment": [scene.other_appointment.id], "calendar": [p.outsider_calendar.id],
        "calendar_access": list(db.session.scalars(
            CalendarAccess.__table__.select().with_only_columns(CalendarAccess.id)
            .where(CalendarAccess.user_id == p.outsider.user_id))),
    }


def hijack_payload(scene, actor: str, view) -> dict:
    """A body that would write into the victim's rows if scope were not enforced."""
    ids = victims(scene, actor)
    candidate = {
        "client": ids["client"][0], "case": ids["case"][0], "calendar": ids["calendar"][0],
        "user": getattr(scene.people, "outsider").user_id, "level": "book",
        "title": "Hijack", "discipline": scene.people.discipline.id, "opened_on": "2026-01-05",
        "first_name": "Hijack", "last_name": "Hijack", "notes": "Hijack", "reason": "Hijack",
        "starts_at": "2026-03-09T15:00:00Z", "ends_at": "2026-03-09T16:00:00Z",
        "day": "2026-03-09", "start_time": "08:00:00", "end_time": "09:00:00",
    }
    columns = set(getattr(view, "add_columns", None) or [])
    if not columns:  # a service endpoint (booking, billing, grid): ids of the victim's rows
        return {"case_id": ids["case"][0], "client_id": ids["client"][0], "calendar_id": ids["calendar"][0],
                "extra_calendar_ids": [ids["calendar"][0]], "calendar_ids": [ids["calendar"][0]],
                "session_type_id": scene.session_type.id, "start": "2026-03-09T15:00:00Z",
                "end": "2026-03-09T16:00:00Z", "first_day": "2026-03-09", "weekdays": [0], "at": "10:00",
                "weeks": 1, "title": "Hijack", "discipline_id": scene.people.discipline.id,
                "allocations": [], "amount": "1.00", "method": "cash", "received_on": "2026-03-09"}
    return {k: v for k, v in candidate.items() if k in columns}


# A route's id parameter → the resource whose victims it is probed with.
PARAM_RESOURCES = {"appointment_id": "appointment", "case_id": "case", "client_id": "client",
                   "block_id": "time_block", "calendar_id": "calendar"}


def urls_for(rule, resource_ids: list[int], victims_by_resource: dict[str, list[int]] | None = None) -> list[str]:
    """The rule with its ids filled in: ``pk`` with the resource's victims, a named id
    (``appointment_id``...) with that resource's victims, anything else with an id that
    exists nowhere (an in-scope row must not be mistaken for a leak)."""
    names = PARAM.findall(rule.rule)
    if not names:
        return [rule.rule]
    victims_by_resource = victims_by_resource or {}
    named = [n for n in names if n in PARAM_RESOURCES and victims_by_resource.get(PARAM_RESOURCES[n])]
    choices = resource_ids if "pk" in names else (victims_by_resource[PARAM_RESOURCES[named[0]]] if named else [])
    urls = []
    for row_id in choices or [999999]:
        def value(m, row_id=row_id):
            name = m.group(1)
            if name == "version":
                return "v1"
            if name == "pk" or (named and name == named[0]):
                return str(row_id)
            if name in PARAM_RESOURCES and victims_by_resource.get(PARAM_RESOURCES[name]):
                return str(victims_by_resource[PARAM_RESOURCES[name]][0])
            return "999999"
        urls.append(PARAM.sub(value, rule.rule))
    return urls


def list_variants(url: str, markers) -> list[str]:
    q = lambda **a: f"{url}?q={prison.dumps(a)}"  # noqa: E731
    variants = [url, q(page_size=200), q(page=1, page_size=1)]
    for column in ("last_name", "title", "notes", "reason", "name"):
        for direction in ("asc", "desc"):
            variants.append(q(order_column=column, order_direction=direction, page_size=200))
        variants.append(q(filters=[{"col": column, "opr": "ct", "value": markers[1]}]))
    return variants


def snapshot() -> dict:
    db.session.expire_all()
    state = {model.__name__: db.session.query(model).count() for model in WATCHED}
    state["clients"] = sorted((c.id, c.first_name, c.last_name, c.email, c.phone, c.home_location_id)
                              for c in db.session.query(Client))
    state["cases"] = sorted((c.id, c.client_id, c.title, c.provider_id) for c in db.session.query(Case))
    state["appointments"] = sorted((a.id, a.notes, a.starts_at) for a in db.session.query(Appointment))
    state["blocks"] = sorted((b.id, b.calendar_id, b.reason) for b in db.session.query(TimeBlock))
    return state


# Each actor's markers also name a team member of the other location (pickers, _info).
@pytest.mark.parametrize("actor, markers", [("outsider", SECRET_MARKERS + ("Provider Tester",)),
                                            ("frontdesk", LISBON_MARKERS + ("Outsider Tester",))])
def test_no_api_route_shows_or_changes_records_outside_the_callers_scope(scene, as_user, actor, markers):
    scene.session_type = factories.make_session_type(discipline=scene.people.discipline)
    api = as_user(actor)
    ids = victims(scene, actor)
    before = snapshot()
    hit_resources, calls = set(), 0
    for rule, method in api_routes():
        resource = rule.rule.split("/")[3] if rule.rule.startswith("/api/v1/") else ""
        view = view_of(rule.endpoint)
        for url in urls_for(rule, ids.get(resource, []), ids):
            if method == "GET" and rule.rule.endswith("/"):
                requests = [("GET", u, None) for u in list_variants(url, markers)]
            elif method in ("POST", "PUT"):
                requests = [(method, url, hijack_payload(scene, actor, view))]
            else:
                requests = [(method, url, None)]
            for verb, target, body in requests:
                response = api.request(verb, target, json=body)
                calls += 1
                text = response.get_data(as_text=True)
                assert response.status_code < 500, (verb, target, text[:300])
                leaked = [m for m in markers if m in text]
                assert not leaked, (verb, target, leaked, text[:300])
                if method in ("PUT", "DELETE") and PARAM.search(rule.rule) and ids.get(resource):
                    assert response.status_code in (403, 404), (verb, target, response.status_code)
        hit_resources.add(resource)
    print(f"\n{actor}: {calls} API requests over {len(hit_resources)} resources")
    assert calls > 100
    assert {"client", "case", "appointment", "calendar", "shift", "time_block", "calendar_access"} <= hit_resources
    assert snapshot() == before


def test_the_sweep_would_notice_a_leak(scene, as_user):
    """The markers are really there for the one who may see them (the sweep is not vacuous)."""
    api = as_user("provider")
    text = api.get("/api/v1/client/").get_data(as_text=True) + api.get(
        f"/api/v1/appointment/{scene.appointment.id}").get_data(as_text=True) + api.get(
        f"/api/v1/case/{scene.case.id}").get_data(as_text=True)
    assert all(marker in text for marker in SECRET_MARKERS)
