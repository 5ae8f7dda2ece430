"""Who may call what: JWT login, can_read/can_write per resource, read-only appointments,
and the OpenAPI document."""
from __future__ import annotations

import json

import pytest

from app.models import Appointment, Payer
from tests import factories
from tests.api.conftest import Api


def test_login_returns_an_access_and_a_refresh_token(people, client, db):
    db.session.commit()
    response = client.post("/api/v1/security/login", json={
        "username": "provider", "password": factories.PASSWORD, "provider": "db", "refresh": True})
    assert response.status_code == 200
    assert set(response.json) == {"access_token", "refresh_token"}
    refreshed = client.post("/api/v1/security/refresh",
                            headers={"Authorization": f"Bearer {response.json['refresh_token']}"})
    assert refreshed.status_code == 200 and refreshed.json["access_token"]


def test_a_wrong_password_gets_401(people, client, db):
    db.session.commit()
    response = client.post("/api/v1/security/login", json={
        "username": "provider", "password": "wrong", "provider": "db"})
    assert response.status_code == 401
    assert response.is_json


@pytest.mark.parametrize("method, url", [
    ("GET", "/api/v1/client/"), ("GET", "/api/v1/client/1"), ("POST", "/api/v1/client/"),
    ("PUT", "/api/v1/case/1"), ("DELETE", "/api/v1/case/1"), ("GET", "/api/v1/appointment/"),
    ("GET", "/api/v1/location/_info"),
])
def test_anonymous_callers_get_401(anonymous, method, url):
    response = anonymous.request(method, url, json={})
    assert response.status_code == 401
    assert response.is_json


def test_a_forged_token_gets_401(people, client, db):
    db.session.commit()
    response = Api(client, "not.a.token").get("/api/v1/client/")
    assert response.status_code in (401, 422)  # flask-jwt-extended: 422 for a malformed token
    assert response.is_json
    assert response.status_code != 200


def test_a_user_without_write_permission_gets_403_on_post(people, as_user, db):
    before = db.session.query(Payer).count()
    front_desk = as_user("frontdesk")
    assert front_desk.get("/api/v1/payer/").status_code == 200  # may read payers
    response = front_desk.post("/api/v1/payer/", json={"name": "Sneaky Insurance", "kind": "insurer"})
    assert response.status_code == 403
    assert response.is_json
    assert db.session.query(Payer).count() == before


def test_a_provider_reads_the_catalogue_but_cannot_change_setup(people, as_user):
    api = as_user("provider")
    assert api.get("/api/v1/location/").status_code == 200
    assert api.post("/api/v1/location/", json={"name": "X", "timezone": "UTC", "invoice_prefix": "X"}).status_code == 403
    assert api.put(f"/api/v1/location/{people.location.id}", json={"name": "X"}).status_code == 403
    assert api.get("/api/v1/team_member/").status_code == 403
    assert api.get("/api/v1/calendar/").status_code == 403


@pytest.mark.parametrize("username", ["manager", "provider"])
def test_appointments_have_no_generic_write_routes(scene, as_user, db, username):
    api = as_user(username)
    url = f"/api/v1/appointment/{scene.appointment.id}"
    assert api.post("/api/v1/appointment/", json={"case": scene.case.id}).status_code in (404, 405)
    assert api.put(url, json={"notes": "changed"}).status_code in (404, 405)
    assert api.delete(url).status_code in (404, 405)
    db.session.expire_all()
    assert db.session.get(Appointment, scene.appointment.id).notes == "Private appointment note"


def test_appointment_info_describes_no_add_or_edit_form(scene, as_user):
    info = as_user("manager").get("/api/v1/appointment/_info").json
    assert "add_columns" not in info and "edit_columns" not in info
    assert info["permissions"] == ["can_read"]


def test_the_openapi_document_lists_the_resources(people, as_user, db):
    factories.make_user("Admin", username="admin")
    api = as_user("admin")
    response = api.get("/api/v1/_openapi")
    assert response.status_code == 200
    spec = json.loads(response.get_data(as_text=True))
    paths = spec["paths"]
    for path in ("/api/v1/client/", "/api/v1/case/", "/api/v1/appointment/", "/api/v1/location/",
                 "/api/v1/calendar/", "/api/v1/shift/", "/api/v1/time_block/", "/api/v1/security/login"):
        assert path in paths, path
    assert set(paths["/api/v1/client/"]) == {"get", "post"}
    assert set(paths["/api/v1/appointment/"]) == {"get"}
    assert set(paths["/api/v1/appointment/{pk}"]) == {"get"}
    assert "ShiftApi.post" in spec["components"]["schemas"]
    assert spec["openapi"].startswith("3.") and spec["info"]["title"]
    # Every reference resolves inside the document.
    for ref in set(_refs(spec)):
        node = spec
        for part in ref.removeprefix("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_only_someone_who_sees_everything_may_grant_calendars(people, app):
    """Defence in depth: even a role given write on CalendarAccess by mistake cannot
    grant itself calendars through the API (granting calendars is granting scope)."""
    from flask import g

    from app.api.setup import CalendarAccessApi
    from app.errors import Forbidden
    from app.models import CalendarAccess

    api = next(v for v in app.appbuilder.baseviews if isinstance(v, CalendarAccessApi))
    grant = CalendarAccess(user_id=people.provider.user_id, calendar_id=people.outsider_calendar.id)
    with app.test_request_context():
        g.user = people.provider.user
        with pytest.raises(Forbidden):
            api.check_may_write(grant, creating=True)
        g.user = people.manager
        api.check_may_write(grant, creating=True)
