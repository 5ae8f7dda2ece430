"""Every API read and write goes through the scope helpers (ARCHITECTURE rule 8)."""
from __future__ import annotations

import prison

from app.extensions import db
from app.models import Case, Client


def q(**args) -> str:
    return "?q=" + prison.dumps(args)


def names(response) -> set[str]:
    return {row["last_name"] for row in response.json["result"]}


# --- reads -------------------------------------------------------------------------
def test_a_provider_lists_only_the_clients_of_their_own_cases(scene, as_user):
    response = as_user("outsider").get("/api/v1/client/")
    assert response.status_code == 200
    assert names(response) == {"Ostrogoth"}
    assert response.json["count"] == 1


def test_a_provider_cannot_list_another_calendars_appointments_or_cases(scene, as_user):
    api = as_user("outsider")
    appointments = api.get("/api/v1/appointment/").json
    cases = api.get("/api/v1/case/").json
    assert appointments["ids"] == [scene.other_appointment.id]
    assert cases["ids"] == [scene.other_case.id]


def test_a_provider_gets_404_for_an_out_of_scope_id(scene, as_user):
    api = as_user("outsider")
    for url in (f"/api/v1/client/{scene.client.id}", f"/api/v1/case/{scene.case.id}",
                f"/api/v1/appointment/{scene.appointment.id}"):
        response = api.get(url)
        assert response.status_code == 404, url
        assert "Quixotic" not in response.get_data(as_text=True)


def test_a_provider_still_gets_their_own_rows_by_id(scene, as_user):
    api = as_user("provider")
    assert api.get(f"/api/v1/client/{scene.client.id}").json["result"]["last_name"] == "Quixotic"
    assert api.get(f"/api/v1/case/{scene.case.id}").json["result"]["title"] == "Secret sciatica"
    assert api.get(f"/api/v1/appointment/{scene.appointment.id}").json["result"]["notes"] == "Private appointment note"


def test_a_provider_cannot_find_another_providers_client_by_searching_their_name(scene, as_user):
    api = as_user("outsider")
    for opr in ("eq", "sw", "ct"):
        url = "/api/v1/client/" + q(filters=[{"col": "last_name", "opr": opr, "value": "Quixotic"}])
        response = api.get(url)
        assert response.status_code == 200
        assert response.json["count"] == 0, opr
    by_title = api.get("/api/v1/case/" + q(filters=[{"col": "title", "opr": "ct", "value": "sciatica"}]))
    assert by_title.json["count"] == 0


def test_ordering_and_pagination_never_reach_out_of_scope_rows(scene, as_user):
    api = as_user("outsider")
    seen: list[int] = []
    for page in range(3):
        for direction in ("asc", "desc"):
            response = api.get("/api/v1/client/" + q(order_column="last_name", order_direction=direction,
                                                     page=page, page_size=1))
            assert response.status_code == 200
            assert response.json["count"] == 1
            seen += response.json["ids"]
    assert set(seen) == {scene.other_client.id}
    starts = api.get("/api/v1/appointment/" + q(order_column="starts_at", order_direction="desc", page_size=100))
    assert starts.json["ids"] == [scene.other_appointment.id]


def test_front_desk_sees_their_locations_clients_but_not_the_other_locations(scene, as_user):
    response = as_user("frontdesk").get("/api/v1/client/" + q(page_size=100))
    assert names(response) == {"Quixotic", "Downtown"}
    assert as_user("frontdesk").get(f"/api/v1/client/{scene.lisbon_walk_in.id}").status_code == 404


def test_a_manager_sees_every_client_case_and_appointment(scene, as_user):
    api = as_user("manager")
    assert names(api.get("/api/v1/client/" + q(page_size=100))) == {"Quixotic", "Ostrogoth", "Downtown", "Lusitania"}
    assert api.get("/api/v1/case/").json["count"] == 2
    assert api.get("/api/v1/appointment/").json["count"] == 2


def test_calendar_access_rows_are_a_managers_to_see(scene, as_user):
    # Providers hold no permission on calendar access at all: refused, not filtered.
    assert as_user("outsider").get("/api/v1/calendar_access/").status_code == 403
    grants = as_user("manager").get("/api/v1/calendar_access/").json["result"]
    assert {g["calendar_id"] for g in grants} == {scene.people.provider_calendar.id, scene.people.outsider_calendar.id}


def test_calendar_access_scope_keeps_others_to_their_own_grants(scene):
    from app.api.setup import calendar_access_scope
    from app.models import CalendarAccess

    mine = db.session.scalars(calendar_access_scope(scene.people.outsider.user)).all()
    assert {db.session.get(CalendarAccess, i).user_id for i in mine} == {scene.people.outsider.user_id}


def test_shifts_and_blocked_time_of_other_locations_stay_hidden_from_front_desk(scene, as_user, db):
    from tests import factories

    lisbon_shift = factories.make_shift(scene.people.outsider_calendar, scene.shift.day)
    db.session.commit()
    api = as_user("frontdesk")
    assert api.get("/api/v1/shift/").json["ids"] == [scene.shift.id]
    assert api.get(f"/api/v1/shift/{lisbon_shift.id}").status_code == 404
    assert api.get("/api/v1/time_block/").json["ids"] == [scene.time_block.id]


def test_info_offers_only_in_scope_clients_for_a_new_case(scene, as_user):
    info = as_user("outsider").get("/api/v1/case/_info").json
    client_field = next(f for f in info["add_columns"] if f["name"] == "client")
    offered = {value["value"] for value in client_field["values"]}
    assert offered == {"Olaf Ostrogoth"}


# --- writes ---------------------------------------------------------------------------
def test_a_provider_cannot_open_a_case_for_a_client_out_of_their_scope(scene, as_user):
    before = db.session.query(Case).count()
    response = as_user("outsider").post("/api/v1/case/", json={
        "client": scene.client.id, "title": "Sneaky", "discipline": scene.people.discipline.id,
        "opened_on": "2026-03-01", "provider": scene.people.outsider.id,
    })
    assert response.status_code == 422
    assert response.json["problems"][0]["field"] == "client"
    assert "Quixotic" not in response.get_data(as_text=True)
    assert db.session.query(Case).count() == before


def test_a_provider_may_open_a_case_for_their_own_client(scene, as_user):
    response = as_user("outsider").post("/api/v1/case/", json={
        "client": scene.other_client.id, "title": "Knee", "discipline": scene.people.discipline.id,
        "opened_on": "2026-03-01", "provider": scene.people.outsider.id,
    })
    assert response.status_code == 201, response.json
    assert db.session.get(Case, response.json["id"]).title == "Knee"


def test_a_provider_cannot_move_their_case_to_another_providers_client(scene, as_user):
    response = as_user("outsider").put(f"/api/v1/case/{scene.other_case.id}", json={"client": scene.client.id})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Case, scene.other_case.id).client_id == scene.other_client.id


def test_a_provider_cannot_update_or_delete_out_of_scope_rows(scene, as_user):
    api = as_user("outsider")
    assert api.put(f"/api/v1/client/{scene.client.id}", json={"last_name": "Hacked"}).status_code == 404
    assert api.delete(f"/api/v1/client/{scene.client.id}").status_code == 404
    assert api.put(f"/api/v1/case/{scene.case.id}", json={"title": "Hacked"}).status_code == 404
    assert api.delete(f"/api/v1/case/{scene.case.id}").status_code == 404
    db.session.expire_all()
    assert db.session.get(Client, scene.client.id).last_name == "Quixotic"
    assert db.session.get(Case, scene.case.id).title == "Secret sciatica"


def test_a_write_may_not_move_a_row_out_of_the_writers_scope(scene, as_user):
    response = as_user("frontdesk").put(
        f"/api/v1/client/{scene.downtown_walk_in.id}", json={"home_location": scene.people.other_location.id}
    )
    assert response.status_code == 403, response.json
    assert "outside what you may see" in response.json["message"]
    db.session.expire_all()
    assert db.session.get(Client, scene.downtown_walk_in.id).home_location_id == scene.people.location.id


def test_front_desk_adds_a_client_at_their_own_location_with_a_normalised_phone(scene, as_user):
    response = as_user("frontdesk").post("/api/v1/client/", json={
        "first_name": "Nina", "last_name": "New", "phone": "(416) 555-0123",
        "email": "  Nina.New@Example.COM ", "home_location": scene.people.location.id,
    })
    assert response.status_code == 201, response.json
    saved = db.session.get(Client, response.json["id"])
    assert saved.phone == "+14165550123"
    assert saved.email == "Nina.New@example.com"


def test_a_post_cannot_smuggle_an_id_to_overwrite_another_row(scene, as_user):
    response = as_user("outsider").post("/api/v1/client/", json={
        "id": scene.client.id, "first_name": "Over", "last_name": "Written",
    })
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Client, scene.client.id).last_name == "Quixotic"


def test_the_scope_filter_fails_closed_without_a_user(scene, app):
    from app.api.base import InScope
    from app.api.records import ClientApi
    from app.security import client_scope

    api = next(v for v in app.appbuilder.baseviews if isinstance(v, ClientApi))
    with app.test_request_context():
        query = InScope("id", api.datamodel).apply(db.session.query(Client), client_scope)
        assert query.count() == 0


def test_a_view_only_grant_lets_a_provider_read_but_not_change(scene, as_user, db):
    from app.models import AccessLevel, CalendarAccess

    db.session.add(CalendarAccess(user_id=scene.people.outsider.user_id, calendar_id=scene.people.provider_calendar.id,
                                  level=AccessLevel.view))
    db.session.commit()
    api = as_user("outsider")
    assert api.get(f"/api/v1/case/{scene.case.id}").status_code == 200  # seen through the view grant
    assert api.put(f"/api/v1/case/{scene.case.id}", json={"title": "Changed"}).status_code == 403
    assert api.delete(f"/api/v1/time_block/{scene.time_block.id}").status_code in (403, 404)
    db.session.expire_all()
    assert scene.case.title == "Secret sciatica"
