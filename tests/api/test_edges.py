"""Impossible ids and malformed list arguments, on every registered route: a 404 or a
400 with the reason, never a 500 (PostgreSQL refuses an id beyond 32 bits with an error)."""
from __future__ import annotations

import re

import pytest
from flask import current_app

from app.ids import MAX_ID, is_id_parameter, parse_id
from app.security import ADMIN
from app.views.base import PlinthModelView
from app.views.name_filters import searched_by_name
from tests import factories
from tests.views.helpers import login

PARAM = re.compile(r"<(?:([^:<>]+):)?([^<>]+)>")
BAD_IDS = (str(MAX_ID + 1), "99999999999999999999999", "-1", "abc", "1.5", "'", "%25")
OTHER_PARAMS = {"version": "v1", "name": "resend", "filename": "x", "token": "x", "slug": "x", "locale": "en",
                "group_by": "first_name", "choice": "any"}


def id_routes():
    for rule in current_app.url_map.iter_rules():
        names = [name for _, name in PARAM.findall(rule.rule)]
        if any(is_id_parameter(name) for name in names):
            yield rule, names


def url_with(rule, bad: str) -> str:
    def value(match):
        name = match.group(2)
        return bad if is_id_parameter(name) else OTHER_PARAMS.get(name, "x")
    return PARAM.sub(value, rule.rule)


def test_parse_id_accepts_exactly_the_ids_a_row_can_have():
    assert [parse_id(v) for v in ("0", "1", str(MAX_ID), 7)] == [0, 1, MAX_ID, 7]
    bad = (*BAD_IDS, "", " 1", "١", True, -3, MAX_ID + 1)
    assert [parse_id(v) for v in bad] == [None] * len(bad)


def test_an_impossible_id_on_any_route_is_not_found(app, client, as_user, people):
    api = as_user("manager")
    login(client, "manager")
    checked = 0
    for rule, _ in id_routes():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for bad in BAD_IDS:
                url = url_with(rule, bad)
                opener = api if url.startswith("/api/") else client
                response = opener.request(method, url) if opener is api else client.open(url, method=method)
                checked += 1
                # A value an <int:> converter refuses may match a sibling rule of other methods (405).
                allowed = {404} if bad.isdigit() else {404, 405}
                assert response.status_code in allowed, (method, url, response.status_code,
                                                          response.get_data(as_text=True)[:200])
    assert checked > 500


def _list_views():
    return [v for v in current_app.appbuilder.baseviews
            if isinstance(v, PlinthModelView) and "list" in (v.include_route_methods or {"list"})
            and "list" not in (v.exclude_route_methods or ())]


def malformed_arguments(view) -> list[str]:
    name = type(view).__name__
    args = [f"_oc_{name}='", f"_oc_{name}=no_such_column&_od_{name}=asc", f"page_{name}=x",
            f"psize_{name}=-1", f"psize_{name}=0", f"psize_{name}=99999999999", f"page_{name}=99999999999999999999"]
    if view.order_columns:
        args.append(f"_oc_{name}={view.order_columns[0]}&_od_{name}=sideways")
    by_name = set(searched_by_name(view))
    for column, filters in view._filters.get_search_filters().items():
        if len(filters) < 10:  # FAB reads one digit
            args.append(f"_flt_{len(filters)}_{column}=x")
        if column in by_name:
            continue  # a client or case is searched by typed text: "%" is a name like any other
        if view.datamodel.is_relation(column) or view.datamodel.is_integer(column):
            args += [f"_flt_0_{column}=%25", f"_flt_0_{column}={MAX_ID + 1}"]
        elif view.datamodel.is_date(column) or view.datamodel.is_datetime(column):
            args.append(f"_flt_0_{column}=yesterday")
        elif view.datamodel.is_numeric(column):
            args.append(f"_flt_0_{column}=NaN")
    return args


def test_malformed_list_arguments_are_a_400_that_says_why(app, client, people, db):
    factories.make_user(ADMIN, username="edgeadmin")
    db.session.commit()
    login(client, "edgeadmin")  # an admin opens every list
    checked = 0
    for view in _list_views():
        url = f"{view.route_base}/list/"
        assert client.get(url).status_code in (200, 302), url  # (settings lists redirect to their row)
        for argument in malformed_arguments(view):
            response = client.get(f"{url}?{argument}")
            checked += 1
            assert response.status_code == 400, (url, argument, response.status_code)
            assert "Bad Request" in response.get_data(as_text=True)
    assert checked > 100


@pytest.mark.parametrize("argument, reason", [
    ("_oc_ClientView='", "The list cannot be sorted by “'”."),
    ("_flt_0_discipline=%25", "“%” is not a valid value to filter Discipline by."),
    ("page_CaseView=x", "The page number “x” is not a whole number"),
])
def test_the_400_names_the_argument(client, people, db, argument, reason):
    db.session.commit()
    login(client, "manager")
    view = "clientview" if "ClientView" in argument else "caseview"
    response = client.get(f"/{view}/list/?{argument}")
    assert response.status_code == 400
    assert reason.replace("'", "&#39;").replace("“", "“") in response.get_data(as_text=True)


@pytest.mark.parametrize("method, url, body", [
    ("POST", "/api/v1/grid/blocks/", {"calendar_id": 2**40, "start": "2026-03-09T15:00:00Z",
                                      "end": "2026-03-09T16:00:00Z"}),
    ("POST", "/api/v1/appointments", {"case_id": MAX_ID + 1, "session_type_id": 1, "calendar_id": 1,
                                      "start": "2026-03-09T15:00:00Z"}),
    ("POST", "/api/v1/payments", {"client_id": 10**30, "location_id": 1, "method": "cash", "amount": "1.00"}),
    ("POST", "/api/v1/case/", {"client": {"id": 1}, "title": "x", "discipline": 1, "opened_on": "2026-01-01"}),
    ("POST", "/api/v1/case/", {"client": 2**40, "title": "x", "discipline": 1, "opened_on": "2026-01-01"}),
    ("GET", f"/api/v1/availability?calendar_id={2**40}&session_type_id=1&start=2026-03-09&end=2026-03-10", None),
])
def test_an_impossible_id_in_a_body_or_query_is_a_4xx(as_user, people, method, url, body):
    response = as_user("manager").request(method, url, json=body)
    assert response.status_code in (400, 422), (response.status_code, response.get_data(as_text=True)[:300])
    assert "message" in response.get_json()
