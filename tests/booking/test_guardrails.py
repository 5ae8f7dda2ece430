"""Online bookings follow the clinic's guardrails: lead time, disabled calendars,
eligibility, blocked clients, the cancellation window; taken times show alternatives."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.booking import service
from app.errors import Conflict
from app.models import Appointment, AppointmentStatus, Client
from app.timeutil import utcnow
from app.uow import unit_of_work
from tests import factories
from tests.booking.conftest import DETAILS, local_at, slot_values, start_of, walk_to_review, walk_to_times, post_confirm

D = service.Details("Nora", "Patel", "nora@example.com", "+14165550199")


def _choice(site, start, *, calendar=None, session_type=None, is_new=True, client_id=None):
    return service.Choice(session_type_id=(session_type or site.initial).id, calendar_id=(calendar or site.maya).id,
                          start=start, is_new=is_new, client_id=client_id)


def _reasons(exc) -> set:
    return {p.details.get("reason") for p in exc.problems}


@pytest.mark.parametrize("case, reason", [
    ("inside lead time", "lead_time"),
    ("calendar not online", "not_online"),
    ("new patient, returning-only service", "not_for_new_clients"),
    ("service not bookable online", "session_not_online"),
    ("beyond the horizon", "too_far_ahead"),
    ("off the time grid", "off_grid"),
])
def test_the_engine_refuses_what_online_may_not_book(site, db, case, reason):
    day = site.days[0]
    start, kw = local_at(day, 10), {}
    if case == "inside lead time":
        site.maya.lead_time_minutes = int((start - utcnow()).total_seconds() // 60) + 60
    elif case == "calendar not online":
        site.maya.online_enabled = False
    elif case == "new patient, returning-only service":
        kw["session_type"] = site.follow_up
    elif case == "service not bookable online":
        kw["session_type"] = site.hidden
    elif case == "beyond the horizon":
        site.maya.booking_horizon_days = 1
    elif case == "off the time grid":
        start += timedelta(minutes=7)
    db.session.flush()
    with pytest.raises(Conflict) as refused:
        service.place(_choice(site, start, **kw), D)
    assert reason in _reasons(refused.value)
    db.session.rollback()


def test_ineligible_service_cannot_be_chosen_through_the_pages(client, site):
    client.get(f"/book/l/{site.location.id}")
    client.get("/book/new")
    response = client.get(f"/book/service/{site.follow_up.id}")
    assert response.headers["Location"].endswith("/book/services")
    assert client.get("/book/times").status_code == 302


def test_time_taken_meanwhile_shows_the_nearest_alternatives(client, site, db):
    value = walk_to_review(client, site, provider=str(site.maya.id))
    start = start_of(value)
    factories.make_appointment(site.maya, start)  # staff booked it meanwhile
    db.session.commit()
    response = post_confirm(client)
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "That time was just taken" in page
    alternatives = [start_of(v) for v in slot_values(page)]
    assert alternatives and start not in alternatives
    nearest = min(abs((a - start).total_seconds()) for a in alternatives)
    assert nearest <= 2 * 3600
    # picking one goes straight back to the review (details are kept) and books
    client.post("/book/times", data={"value": slot_values(page)[0]})
    assert post_confirm(client).status_code == 302
    booked = db.session.scalars(select(Appointment).where(Appointment.booked_via == "online")).one()
    assert booked.starts_at == alternatives[0]


def test_any_available_falls_back_to_another_free_provider_at_the_same_time(client, site, db):
    value = walk_to_review(client, site, provider="any")
    start, shown_calendar = start_of(value), int(value.split("|")[1])
    factories.make_appointment(db.session.get(type(site.maya), shown_calendar), start)
    db.session.commit()
    assert post_confirm(client).status_code == 302
    booked = db.session.scalars(select(Appointment).where(Appointment.booked_via == "online")).one()
    assert booked.starts_at == start
    assert {o.calendar_id for o in booked.occupancies} == {({site.maya.id, site.dan.id} - {shown_calendar}).pop()}


def _returning(client, site, db, **client_kw):
    person = factories.make_client(email="old@example.com", first_name="Olga", **client_kw)
    factories.make_case(client=person, discipline=site.follow_up.discipline)
    db.session.commit()
    client.get(f"/book/l/{site.location.id}")
    client.get("/book/new")
    client.post("/book/returning", data={"email": "old@example.com"})
    # The code itself is only ever in the email; verify it the way the patient would.
    from app.models import Message
    from tests.booking.conftest import run_code_jobs
    run_code_jobs()
    code = db.session.scalars(select(Message).where(Message.kind == "login_code")).one().context["code"]
    return person, client.post("/book/returning/code", data={"code": code})


def test_blocked_client_is_asked_to_call(client, site, db):
    _, response = _returning(client, site, db, online_booking_blocked=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Please call" in page and "+14165550100" in page
    # and a booking attempt with a crafted session is refused too
    with pytest.raises(service.CallTheClinic):
        person = db.session.scalars(select(Client).where(Client.email == "old@example.com")).one()
        service.place(_choice(site, local_at(site.days[0], 10), session_type=site.follow_up, is_new=False,
                              client_id=person.id), None)


def test_too_many_no_shows_block_online_booking(site, db):
    from app.models import clinic_settings

    clinic_settings().no_show_block_after = 2
    person = factories.make_client()
    case = factories.make_case(client=person, discipline=site.follow_up.discipline)
    for hours in (1, 2):
        factories.make_appointment(site.dan, utcnow() - timedelta(days=hours), case=case,
                                   session_type=site.follow_up, status=AppointmentStatus.no_show)
    assert service.is_blocked(person)
    clinic_settings().no_show_block_after = 3
    assert not service.is_blocked(person)


# --- manage: reschedule and cancel -------------------------------------------------------------
def _booked(client, site, db):
    walk_to_review(client, site, provider=str(site.maya.id))
    post_confirm(client)
    page = client.get("/book/confirmed").get_data(as_text=True)
    return re.search(r'id="manage-link" href="([^"]+)"', page).group(1), db.session.scalars(select(Appointment)).one()


def test_reschedule_moves_the_same_appointment(client, site, db):
    manage, appointment = _booked(client, site, db)
    first_start, version = appointment.starts_at, appointment.version
    page = client.get(f"{manage}/reschedule?day={site.days[1]}").get_data(as_text=True)
    target = slot_values(page)[3]
    response = client.post(f"{manage}/reschedule", data={"value": target, "version": version})
    assert response.status_code == 302
    db.session.expire_all()
    moved = db.session.get(Appointment, appointment.id)
    assert moved.starts_at == start_of(target) != first_start
    assert moved.status == AppointmentStatus.booked and moved.version > version
    assert "was moved" in client.get(manage).get_data(as_text=True)


def test_cancel_outside_the_window_works(client, site, db):
    manage, appointment = _booked(client, site, db)
    assert client.get(f"{manage}/cancel").status_code == 200
    assert client.post(f"{manage}/cancel", data={"version": appointment.version}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).status == AppointmentStatus.canceled


def test_inside_the_cancellation_window_self_service_refuses_and_shows_the_phone(client, site, db):
    manage, appointment = _booked(client, site, db)
    site.maya.cancellation_window_hours = 24 * 10  # the appointment is 3 days away
    db.session.commit()
    page = client.get(manage).get_data(as_text=True)
    assert "cannot be made online" in page and "+14165550111" in page
    assert 'id="reschedule"' not in page
    assert client.post(f"{manage}/cancel", data={"version": appointment.version}).status_code == 409
    target = f"{local_at(site.days[1], 10).isoformat()}|{site.maya.id}"
    assert client.post(f"{manage}/reschedule", data={"value": target, "version": appointment.version}).status_code == 409
    db.session.expire_all()
    unchanged = db.session.get(Appointment, appointment.id)
    assert unchanged.status == AppointmentStatus.booked and unchanged.starts_at == appointment.starts_at


def test_reschedule_to_a_time_that_online_may_not_take_changes_nothing(client, site, db):
    manage, appointment = _booked(client, site, db)
    lunch = f"{local_at(site.days[1], 12).isoformat()}|{site.maya.id}"
    response = client.post(f"{manage}/reschedule", data={"value": lunch, "version": appointment.version})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).starts_at == appointment.starts_at


def test_tampered_or_expired_manage_links_are_not_found(client, site, db, monkeypatch):
    manage, _ = _booked(client, site, db)
    assert client.get(manage[:-2] + "xx").status_code == 404
    from app.booking import tokens

    monkeypatch.setattr(tokens, "MANAGE_MAX_AGE", -1)
    assert client.get(manage).status_code == 404


def test_unit_of_work_leaves_nothing_half_saved_when_the_time_is_refused(site, db):
    with pytest.raises(Conflict):
        with unit_of_work():
            service.place(_choice(site, local_at(site.days[0], 12, 15)), D)  # lunch break
    assert db.session.scalar(select(Client.id)) is None


def test_details_form_rejects_bad_input_clearly(client, site, db):
    walk_to_times(client, site)
    client.post("/book/times", data={"value": slot_values(client.get(
        f"/book/times?day={site.days[0]}").get_data(as_text=True))[0]})
    response = client.post("/book/details", data={**DETAILS, "email": "not-an-email", "phone": "12",
                                                 "date_of_birth": "2999-01-01"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "valid email" in page and "phone number" in page and "date of birth" in page


@pytest.mark.parametrize("start", ["9999-12-31T23:30:00+00:00", "0001-01-01T00:00:00+00:00",
                                   "1900-01-01T09:00:00+00:00"])
def test_a_crafted_pick_far_outside_the_calendar_is_sent_back_to_the_times(client, site, start):
    """A patient who edits the hidden slot value gets the times page again, never a 500
    (no date arithmetic near year 1 or 9999 later in the review and confirm steps)."""
    page = walk_to_times(client, site)
    calendar_id = slot_values(page.get_data(as_text=True))[0].split("|")[1]
    response = client.post("/book/times", data={"value": f"{start}|{calendar_id}"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/book/times")
    for path in ("/book/details", "/book/review"):
        assert client.get(path).status_code < 500
