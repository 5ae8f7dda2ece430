"""Bad input gets a clear 4xx naming the field, and nothing is saved (rules 9 and 10)."""
from __future__ import annotations

from datetime import time

import pytest

from app.models import BillingItem, Calendar, Case, Client, Location, Payer, SessionType, Shift, TimeBlock
from tests import factories


@pytest.fixture()
def manager(people, as_user):
    return as_user("manager")


def problems(response) -> dict[str, str]:
    assert response.is_json
    return {p.get("field"): p["message"] for p in response.json["problems"]}


def count(db, model) -> int:
    db.session.expire_all()
    return db.session.query(model).count()


def test_an_unknown_timezone_is_refused_with_its_field(manager, db):
    before = count(db, Location)
    response = manager.post("/api/v1/location/", json={
        "name": "Uptown", "timezone": "Mars/Olympus", "invoice_prefix": "UP-"})
    assert response.status_code == 422
    assert "Mars/Olympus" in problems(response)["timezone"]
    assert count(db, Location) == before


def test_every_malformed_field_is_reported_at_once(manager, db):
    before = count(db, Location)
    response = manager.post("/api/v1/location/", json={
        "name": "Uptown", "timezone": "America/Toronto", "invoice_prefix": "UP-",
        "email": "not-an-address", "phone": "12"})
    assert response.status_code == 422
    found = problems(response)
    assert "not a valid email" in found["email"]
    assert "phone" in found
    assert count(db, Location) == before


@pytest.mark.parametrize(("fields", "e164"), [
    ({"timezone": "Europe/Lisbon"}, "+351212345678"),                      # the zone's country
    ({"timezone": "America/Toronto", "country": "PT"}, "+351212345678"),   # the country given wins
])
def test_a_locations_own_phone_is_read_in_its_country(manager, db, fields, e164):
    created = manager.post("/api/v1/location/", json={"name": "Lisboa 3", "invoice_prefix": "L3-",
                                                      "phone": "21 234 5678", **fields})
    assert created.status_code == 201, created.json
    db.session.expire_all()
    assert db.session.query(Location.phone).filter_by(name="Lisboa 3").scalar() == e164


def test_a_phone_number_is_saved_in_e164(manager, db):
    response = manager.post("/api/v1/payer/", json={
        "name": "Sun Life", "kind": "insurer", "phone": "416 555 0100", "email": "Claims@SunLife.CA"})
    assert response.status_code == 201, response.json
    payer = db.session.get(Payer, response.json["id"])
    assert payer.phone == "+14165550100"
    assert response.json["result"]["phone"] == "+14165550100"
    updated = manager.put(f"/api/v1/payer/{payer.id}", json={"phone": "+351 21 234 5678"})
    assert updated.status_code == 200
    db.session.expire_all()
    assert db.session.get(Payer, payer.id).phone == "+351212345678"


@pytest.mark.parametrize("price, message", [("-1.00", "cannot be negative"), ("10.005", "two decimals")])
def test_a_negative_or_fractional_cent_price_is_refused(manager, people, db, price, message):
    before = count(db, SessionType)
    response = manager.post("/api/v1/session_type/", json={
        "name": "Massage 60", "category": "Massage", "discipline": people.discipline.id,
        "duration_minutes": 60, "price": price})
    assert response.status_code == 422
    assert message in problems(response)["price"]
    assert count(db, SessionType) == before


def test_a_negative_unit_price_and_a_tax_rate_over_100_are_refused(manager, db):
    response = manager.post("/api/v1/billing_item/", json={
        "code": "MAS60", "name": "Massage", "unit_price": -5, "tax_rate": 150})
    assert response.status_code == 422
    assert set(problems(response)) == {"unit_price", "tax_rate"}
    assert count(db, BillingItem) == 0


def test_a_shift_ending_before_it_starts_is_refused(manager, people, db):
    before = count(db, Shift)
    response = manager.post("/api/v1/shift/", json={
        "calendar": people.provider_calendar.id, "day": "2026-03-10",
        "start_time": "16:00:00", "end_time": "08:00:00"})
    assert response.status_code == 422
    assert "ends (08:00) before it starts (16:00)" in problems(response)["end_time"]
    assert count(db, Shift) == before


@pytest.mark.parametrize("breaks, message", [
    ([{"start_time": "07:00:00", "end_time": "07:30:00"}], "outside the shift"),
    ([{"start_time": "12:00:00", "end_time": "13:00:00"}, {"start_time": "12:30:00", "end_time": "13:30:00"}],
     "overlap"),
])
def test_breaks_outside_the_shift_or_overlapping_are_refused(manager, people, db, breaks, message):
    response = manager.post("/api/v1/shift/", json={
        "calendar": people.provider_calendar.id, "day": "2026-03-10",
        "start_time": "08:00:00", "end_time": "16:00:00", "breaks": breaks})
    assert response.status_code == 422
    assert message in problems(response)["breaks"]
    assert count(db, Shift) == 0


def test_a_shift_is_written_with_its_breaks_and_a_put_replaces_them(manager, people, db):
    response = manager.post("/api/v1/shift/", json={
        "calendar": people.provider_calendar.id, "day": "2026-03-10", "start_time": "08:00:00",
        "end_time": "16:00:00", "breaks": [{"start_time": "12:00:00", "end_time": "12:30:00", "label": "Lunch"}]})
    assert response.status_code == 201, response.json
    shift_id = response.json["id"]
    shown = manager.get(f"/api/v1/shift/{shift_id}").json["result"]
    assert shown["breaks"] == [{"start_time": "12:00:00", "end_time": "12:30:00", "label": "Lunch"}]
    # Moving the end only keeps the breaks; sending breaks replaces them.
    assert manager.put(f"/api/v1/shift/{shift_id}", json={"end_time": "17:00:00"}).status_code == 200
    assert manager.put(f"/api/v1/shift/{shift_id}", json={
        "breaks": [{"start_time": "13:00:00", "end_time": "13:15:00"}]}).status_code == 200
    refused = manager.put(f"/api/v1/shift/{shift_id}", json={"end_time": "12:00:00"})
    assert refused.status_code == 422
    db.session.expire_all()
    shift = db.session.get(Shift, shift_id)
    assert shift.end_time == time(17)
    assert [(b.start_time, b.end_time) for b in shift.breaks] == [(time(13), time(13, 15))]


def test_a_duplicate_slug_is_a_clear_422_not_a_500(manager, people, db):
    people.provider_calendar.slug = "dr-silva"
    db.session.commit()
    before = count(db, Calendar)
    response = manager.post("/api/v1/calendar/", json={
        "name": "Room 2", "kind": "room", "location": people.location.id,
        "disciplines": [people.discipline.id], "slug": "dr-silva"})
    assert response.status_code == 422
    assert "already used" in problems(response)["slug"]
    assert count(db, Calendar) == before
    renamed = manager.put(f"/api/v1/calendar/{people.outsider_calendar.id}", json={"slug": "dr-silva"})
    assert renamed.status_code == 422


def test_a_calendar_must_accept_a_discipline_and_use_a_well_formed_slug(manager, people, db):
    response = manager.post("/api/v1/calendar/", json={
        "name": "Room 2", "kind": "room", "location": people.location.id, "disciplines": [],
        "slug": "Not A Slug", "colour": "blue"})
    assert response.status_code == 422
    assert set(problems(response)) == {"slug", "colour"}  # field rules first...
    response = manager.post("/api/v1/calendar/", json={
        "name": "Room 2", "kind": "room", "location": people.location.id, "disciplines": []})
    assert response.status_code == 422  # ...then the rules across fields
    assert "at least one discipline" in problems(response)["disciplines"]
    ok = manager.post("/api/v1/calendar/", json={
        "name": "Room 2", "kind": "room", "location": people.location.id,
        "disciplines": [people.discipline.id], "colour": "#AABBCC"})
    assert ok.status_code == 201, ok.json
    assert db.session.get(Calendar, ok.json["id"]).colour == "#aabbcc"


def test_a_case_closed_before_it_was_opened_is_refused(people, as_user, db):
    client = factories.make_client(home_location=people.location)
    api = as_user("frontdesk")
    response = api.post("/api/v1/case/", json={
        "client": client.id, "title": "Neck", "discipline": people.discipline.id,
        "opened_on": "2026-03-10", "closed_on": "2026-03-01"})
    assert response.status_code == 422
    assert "closed" in problems(response)["closed_on"]
    assert count(db, Case) == 0


def test_numbers_too_large_for_their_column_are_refused(people, as_user, db):
    client = factories.make_client(home_location=people.location)
    response = as_user("frontdesk").post("/api/v1/case/", json={
        "client": client.id, "title": "Neck", "discipline": people.discipline.id, "opened_on": "2026-03-10",
        "authorised_visits": 10**12, "authorised_amount": "12345678901234.00"})
    assert response.status_code == 422
    assert set(problems(response)) == {"authorised_visits", "authorised_amount"}


def test_blocked_time_needs_instants_with_an_offset_in_order(people, as_user, db):
    api = as_user("frontdesk")
    calendar = people.provider_calendar.id
    naive = api.post("/api/v1/time_block/", json={
        "calendar": calendar, "starts_at": "2026-03-10T09:00:00", "ends_at": "2026-03-10T10:00:00", "reason": "Meeting"})
    assert naive.status_code == 422
    assert set(problems(naive)) == {"starts_at", "ends_at"}
    backwards = api.post("/api/v1/time_block/", json={
        "calendar": calendar, "starts_at": "2026-03-10T10:00:00Z", "ends_at": "2026-03-10T09:00:00Z", "reason": "Meeting"})
    assert backwards.status_code == 422
    assert "ends_at" in problems(backwards)
    assert count(db, TimeBlock) == 0
    ok = api.post("/api/v1/time_block/", json={
        "calendar": calendar, "starts_at": "2026-03-10T09:00:00-04:00", "ends_at": "2026-03-10T10:00:00-04:00",
        "reason": "Meeting"})
    assert ok.status_code == 201, ok.json


def test_front_desk_cannot_block_time_on_another_locations_calendar(people, as_user, db):
    response = as_user("frontdesk").post("/api/v1/time_block/", json={
        "calendar": people.outsider_calendar.id, "starts_at": "2026-03-10T09:00:00Z",
        "ends_at": "2026-03-10T10:00:00Z", "reason": "Meeting"})
    assert response.status_code == 422
    assert "calendar" in problems(response)
    assert count(db, TimeBlock) == 0


def test_unknown_fields_and_non_json_bodies_are_refused(manager, db):
    unknown = manager.post("/api/v1/discipline/", json={"name": "Pilates", "secret": 1})
    assert unknown.status_code == 422
    assert "secret" in problems(unknown)
    not_json = manager.request("POST", "/api/v1/discipline/", data="name=Pilates",
                               content_type="application/x-www-form-urlencoded")
    assert not_json.status_code == 400 and not_json.is_json
    broken = manager.request("POST", "/api/v1/discipline/", data="{not json", content_type="application/json")
    assert broken.status_code == 400 and broken.is_json
    a_list = manager.post("/api/v1/discipline/", json=[{"name": "Pilates"}])
    assert a_list.status_code == 400
    assert count(db, factories.Discipline) == 1  # people's Physiotherapy only


def test_deleting_a_row_still_in_use_is_a_409_and_keeps_it(manager, people, db):
    factories.make_case(discipline=people.discipline)
    db.session.commit()
    response = manager.delete(f"/api/v1/discipline/{people.discipline.id}")
    assert response.status_code == 409
    assert "still in use" in response.json["message"]
    db.session.expire_all()
    assert db.session.get(factories.Discipline, people.discipline.id) is not None


def test_a_renamed_discipline_may_not_take_an_existing_name(manager, people, db):
    other = factories.make_discipline(name="Massage")
    db.session.commit()
    response = manager.put(f"/api/v1/discipline/{other.id}", json={"name": "Physiotherapy"})
    assert response.status_code == 422
    assert "already used" in problems(response)["name"]
    db.session.expire_all()
    assert db.session.get(factories.Discipline, other.id).name == "Massage"


def test_granting_the_same_calendar_twice_is_a_clear_422(manager, people, db):
    before = count(db, factories.Calendar)
    response = manager.post("/api/v1/calendar_access/", json={
        "user": people.provider.user_id, "calendar": people.provider_calendar.id, "level": "view"})
    assert response.status_code == 422
    assert "already" in problems(response)["user"], response.json
    assert count(db, factories.Calendar) == before


def test_an_unknown_related_id_is_refused_like_an_out_of_scope_one(scene, as_user, db):
    api = as_user("outsider")
    disciplines = count(db, factories.Discipline)
    base = {"title": "Knee", "opened_on": "2026-03-01", "discipline": scene.people.discipline.id}
    unknown = api.post("/api/v1/case/", json={**base, "client": 987654})
    hidden = api.post("/api/v1/case/", json={**base, "client": scene.client.id})
    assert unknown.status_code == hidden.status_code == 422
    assert problems(unknown)["client"].replace("987654", "N") == problems(hidden)["client"].replace(
        str(scene.client.id), "N")
    no_discipline = api.post("/api/v1/case/", json={**base, "client": scene.other_client.id, "discipline": 987654})
    assert no_discipline.status_code == 422
    assert "There is no discipline with id 987654" in problems(no_discipline)["discipline"]
    assert count(db, Case) == 2 and count(db, factories.Discipline) == disciplines


def test_moving_a_grant_onto_an_existing_one_is_refused(manager, people, db):
    from app.setup.team import grant_access
    from app.models import AccessLevel

    room = factories.make_calendar(location=people.location, disciplines=[people.discipline])
    grant_access(people.provider.user_id, room, AccessLevel.view)
    db.session.commit()
    grants = manager.get("/api/v1/calendar_access/" + "?q=(page_size:100)").json["result"]
    room_grant = next(g for g in grants if g["calendar_id"] == room.id)
    response = manager.put(f"/api/v1/calendar_access/{room_grant['id']}",
                           json={"calendar": people.provider_calendar.id})
    assert response.status_code == 422
    assert "calendar" in response.json["problems"][0]["message"]


@pytest.mark.parametrize("url, status", [
    ("/api/v1/client/99999999999999999999", 404),
    ("/api/v1/client/?q=(((", 400),
    ("/api/v1/client/?q=(page:10000000000000000000,page_size:10)", 400),
    ("/api/v1/client/?q=(page:-5,page_size:10)", 400),
    ("/api/v1/case/?q=(filters:!((col:client,opr:rel_o_m,value:10000000000000000000)))", 400),
    ("/api/v1/client/?q=(order_column:nope)", 400),
])
def test_absurd_ids_and_query_arguments_get_a_4xx_not_a_500(manager, url, status):
    response = manager.get(url)
    assert response.status_code == status
    assert response.is_json and "message" in response.json


def test_absurd_ids_on_writes_get_404(manager):
    assert manager.put("/api/v1/client/99999999999999999999", json={}).status_code == 404
    assert manager.delete("/api/v1/client/99999999999999999999").status_code == 404
    assert manager.delete("/api/v1/client/abc").status_code == 404


def test_a_huge_related_id_is_a_422(manager, people, db):
    response = manager.post("/api/v1/case/", json={
        "client": 10**20, "title": "Neck", "discipline": people.discipline.id, "opened_on": "2026-03-10"})
    assert response.status_code == 422
    assert count(db, Case) == 0


def test_the_databases_refusal_is_a_409_when_a_duplicate_slips_past_the_checks(manager, people, db, monkeypatch):
    from app.api.setup import DisciplineApi

    monkeypatch.setattr(DisciplineApi, "check_unique", lambda self, item: [])  # as if raced
    response = manager.post("/api/v1/discipline/", json={"name": "Physiotherapy"})
    assert response.status_code == 409
    assert "Reload and try again" in response.json["message"]
    assert count(db, factories.Discipline) == 1


def test_blocked_time_longer_than_the_longest_block_is_refused(people, as_user, db):
    """Block reads are bounded by MAX_BLOCK (app/scheduling/calendar_time.py), so no longer block is stored."""
    api = as_user("frontdesk")
    too_long = api.post("/api/v1/time_block/", json={
        "calendar": people.provider_calendar.id, "starts_at": "2026-03-10T00:00:00Z",
        "ends_at": "2026-05-12T00:00:01Z", "reason": "Leave"})
    assert too_long.status_code == 422
    assert "ends_at" in problems(too_long)
    assert count(db, TimeBlock) == 0


def test_the_client_api_reads_a_local_number_in_the_home_locations_country(manager, db):
    lisbon = factories.make_location(name="Lisboa", timezone="Europe/Lisbon")
    toronto = factories.make_location(name="Toronto", timezone="America/Toronto")
    db.session.commit()
    created = manager.post("/api/v1/client/", json={"first_name": "Ana", "last_name": "Lisboa",
                                                    "phone": "912 345 678", "home_location": lisbon.id})
    assert created.status_code == 201, created.json
    assert created.json["result"]["phone"] == "+351912345678"
    ana_id = created.json["id"]
    # A PUT without home_location reads the number at the row's location.
    changed = manager.put(f"/api/v1/client/{ana_id}", json={"phone": "913 000 111"})
    assert changed.status_code == 200, changed.json
    db.session.expire_all()
    assert db.session.get(Client, ana_id).phone == "+351913000111"
    # A Canadian local number for a Lisbon client is not Portuguese: refused, naming the field.
    refused = manager.put(f"/api/v1/client/{ana_id}", json={"phone": "(416) 555-0123"})
    assert refused.status_code == 422
    assert "phone" in {p.get("field") for p in refused.json["problems"]}
    moved = manager.put(f"/api/v1/client/{ana_id}", json={"phone": "(416) 555-0123", "home_location": toronto.id})
    assert moved.status_code == 200, moved.json
    db.session.expire_all()
    assert db.session.get(Client, ana_id).phone == "+14165550123"
