"""Regression tests for the online-booking review findings (issue #7), on both backends."""
from __future__ import annotations

import re
import threading
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.booking import codes, limits, tokens, waitlist
from app.extensions import db as ext_db
from app.models import Appointment, AppointmentStatus, BookingDraft, Charge, Client, FeePolicy, Message, WaitlistOffer
from app.models.billing import FeeMode
from app.setup.validation import InvalidValue, check_slug
from app.timeutil import utcnow
from tests import factories
from tests.booking.conftest import (
    DETAILS,
    confirm_fields,
    local_at,
    post_confirm,
    run_code_jobs,
    slot_values,
    start_of,
    walk_to_review,
)


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _book(client, site, **kw):
    walk_to_review(client, site, **kw)
    response = post_confirm(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/book/confirmed")
    page = client.get("/book/confirmed").get_data(as_text=True)
    return re.search(r'id="manage-link" href="([^"]+)"', page).group(1)


# --- 1: a second press of Confirm never books twice ----------------------------------------------
def test_pressing_confirm_twice_books_once_and_shows_the_first_booking(client, site, db):
    walk_to_review(client, site, provider="any")
    fields = confirm_fields(client.get("/book/review").get_data(as_text=True))
    first = client.post("/book/confirm", data=fields)
    second = client.post("/book/confirm", data=fields)  # the same form again (double click, resubmit)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"].endswith("/book/confirmed")
    assert _count(db, Appointment) == 1 and _count(db, Client) == 1
    assert "You're booked!" in client.get("/book/confirmed").get_data(as_text=True)


def test_parallel_presses_of_one_confirm_book_once(app, live_server, site, db):
    """Two requests with one cookie and one form, at the same moment, through the real
    server ("any available": the case that made two clients and two appointments)."""
    from tests.booking.test_public_race import Browser

    location_id, st_id, day = site.location.id, site.initial.id, site.days[0]
    ext_db.session.close()
    browser = Browser(live_server)
    browser.request(f"/book/l/{location_id}")
    browser.request("/book/new")
    browser.request(f"/book/service/{st_id}")
    browser.request("/book/provider/any")
    value = re.findall(r'name="value" value="([^"]+)"', browser.request(f"/book/times?day={day}")[1])[0]
    browser.request("/book/times", {"value": value})
    assert browser.request("/book/details", DETAILS)[0] == 302
    fields = confirm_fields(browser.request("/book/review")[1])
    barrier, lock, outcomes = threading.Barrier(3), threading.Lock(), Counter()

    def press():
        barrier.wait()
        status, _, location = browser.request("/book/confirm", fields)
        with lock:
            outcomes[(status, location.rsplit("/", 1)[-1])] += 1

    threads = [threading.Thread(target=press) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert outcomes == Counter({(302, "confirmed"): 3}), outcomes
    assert _count(ext_db, Appointment) == 1 and _count(ext_db, Client) == 1


def test_a_returning_patient_cannot_book_over_their_own_appointment(client, site, db):
    person = factories.make_client(first_name="Nora", last_name="Patel", email="nora@example.com",
                                   date_of_birth=date(1988, 4, 2))
    case = factories.make_case(client=person, discipline=site.initial.discipline)
    db.session.commit()
    value = walk_to_review(client, site, provider=str(site.maya.id))
    factories.make_appointment(site.dan, start_of(value), case=case)  # booked by phone with Dan meanwhile
    db.session.commit()
    response = post_confirm(client)  # "new" patient, same email, name and date of birth
    assert response.status_code == 409 and "already have an appointment" in response.get_data(as_text=True)
    assert _count(db, Appointment) == 1


# --- 10: confirm books what the review page showed ------------------------------------------------
def test_confirm_refuses_when_another_tab_changed_the_booking(client, site, db):
    walk_to_review(client, site, provider=str(site.maya.id))
    fields = confirm_fields(client.get("/book/review").get_data(as_text=True))
    later = slot_values(client.get(f"/book/times?day={site.days[1]}").get_data(as_text=True))[-1]
    client.post("/book/times", data={"value": later})  # another tab picks another time
    response = client.post("/book/confirm", data=fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and 'id="review-notice"' in page
    assert _count(db, Appointment) == 0
    again = post_confirm(client, confirm_fields(page))
    assert again.status_code == 302, again.get_data(as_text=True)  # the fresh page books the new time
    assert db.session.scalars(select(Appointment)).one().starts_at == start_of(later)


# --- 6: the block holds for "I'm new" too --------------------------------------------------------
def test_blocked_client_choosing_new_patient_is_asked_to_call(client, site, db):
    factories.make_client(first_name="NORA", last_name=" patel", email="Nora@Example.com",
                          date_of_birth=date(1988, 4, 2), online_booking_blocked=True)
    db.session.commit()
    walk_to_review(client, site)
    response = post_confirm(client)
    assert response.status_code == 409 and "Please call us" in response.get_data(as_text=True)
    assert _count(db, Appointment) == 0 and _count(db, Client) == 1


# --- 4: no silent late-cancel fee ----------------------------------------------------------------
def test_self_service_refuses_inside_the_late_cancel_fee_window(client, site, db):
    manage = _book(client, site, provider=str(site.maya.id))
    appointment = db.session.scalars(select(Appointment)).one()
    hours_ahead = (appointment.starts_at - utcnow()).total_seconds() / 3600
    assert hours_ahead > site.maya.cancellation_window_hours  # the calendar alone would allow it
    db.session.add(FeePolicy(location_id=site.location.id, late_cancel_hours=int(hours_ahead) + 24,
                             late_cancel_mode=FeeMode.fixed, late_cancel_amount=Decimal("40.00")))
    db.session.commit()
    page = client.get(manage).get_data(as_text=True)
    assert 'id="manage-refusal"' in page and 'id="cancel"' not in page
    token = manage.rsplit("/", 1)[1]
    cancel_page = client.get(f"/book/manage/{token}/cancel")
    assert cancel_page.status_code == 409
    response = client.post(f"/book/manage/{token}/cancel", data={"version": appointment.version})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).status == AppointmentStatus.booked
    assert _count(db, Charge) == 0


# --- 7: rescheduling follows the clinic's own time step --------------------------------------------
def test_reschedule_works_on_a_ten_minute_grid(app, client, site, db, monkeypatch):
    monkeypatch.setitem(app.config, "PLINTH_SLOT_STEP_MINUTES", 10)
    manage = _book(client, site, provider=str(site.maya.id))
    token = manage.rsplit("/", 1)[1]
    appointment = db.session.scalars(select(Appointment)).one()
    target = local_at(site.days[2], 14, 10)  # off the 15-minute grid
    response = client.post(f"/book/manage/{token}/reschedule",
                           data={"value": f"{target.isoformat()}|{site.maya.id}", "version": appointment.version})
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).starts_at == target


# --- 11: odd URLs are not 500s ------------------------------------------------------------------
@pytest.mark.parametrize("week", ["9999-12-30", "0001-01-01", "2026-02-30", "x"])
def test_far_weeks_are_clamped_not_errors(client, site, db, week):
    manage = _book(client, site, provider=str(site.maya.id))
    walk_to_review(client, site, provider=str(site.maya.id))
    assert client.get(f"/book/times?week={week}&day=9999-12-31").status_code == 200
    assert client.get(f"{manage}/reschedule?week={week}&day=9999-12-31").status_code == 200


@pytest.mark.parametrize("choice", ["%C2%B2", "%D9%A3", "1" * 30, "-1", "0"])
def test_odd_provider_choices_go_back_to_the_list(client, site, db, choice):
    walk_to_review(client, site)
    response = client.get(f"/book/provider/{choice}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/book/provider")


# --- 13: calendar links cannot shadow the site's pages ------------------------------------------
@pytest.mark.parametrize("slug", ["times", "review", "confirmed", "start-over", "manage", "claim", "waitlist"])
def test_reserved_slugs_are_refused(slug):
    with pytest.raises(InvalidValue):
        check_slug(slug)
    assert check_slug(f"{slug}-1") == f"{slug}-1"


# --- 9: nothing of the last patient stays in a shared browser --------------------------------------
def test_confirmation_is_shown_once(client, site, db):
    _book(client, site)
    assert client.get("/book/confirmed").status_code == 302  # the next person at the tablet


def test_which_person_choice_expires(client, site, db, monkeypatch):
    for first in ("Ann", "Ben"):
        factories.make_client(first_name=first, email="family@example.com")
    db.session.commit()
    client.get(f"/book/l/{site.location.id}")
    client.post("/book/returning", data={"email": "family@example.com"})
    run_code_jobs()
    code = db.session.scalars(select(Message).where(Message.kind == "login_code")).one().context["code"]
    assert client.post("/book/returning/code", data={"code": code}).headers["Location"].endswith("/returning/who")
    with client.session_transaction() as cookie:
        cookie["bk_choices"] = {**cookie["bk_choices"], "at": cookie["bk_choices"]["at"] - 11 * 60}
    assert client.get("/book/returning/who").headers["Location"].endswith("/book/returning")


# --- 12: personal data stays on the server -----------------------------------------------------
def test_the_cookie_holds_no_personal_data(client, site, db):
    walk_to_review(client, site, details={**DETAILS, "policy_number": "", "notes": "x" * 1000})
    with client.session_transaction() as cookie:
        raw = repr(dict(cookie))
    for personal in ("Nora", "Patel", "nora@example.com", "1988", "5550199", "xxxx"):
        assert personal not in raw
    assert _count(db, BookingDraft) == 1
    assert post_confirm(client).status_code == 302
    assert _count(db, BookingDraft) == 0  # discarded with the booking


# --- 3: a code request does the same work for a known and an unknown address -------------------------
def test_code_requests_do_the_same_work_for_known_and_unknown(client, site, db, code_jobs):
    factories.make_client(email="known@example.com")
    db.session.commit()
    for email in ("known@example.com", "stranger@example.com"):
        client.get(f"/book/l/{site.location.id}")
        client.post("/book/returning", data={"email": email})
    assert [job[0] for job in code_jobs] == ["known@example.com", "stranger@example.com"]
    assert _count(db, Message) == 0  # nothing decided in the request
    assert run_code_jobs() == 1  # the worker emails the known address only
    assert db.session.scalars(select(Message.to_address)).all() == ["known@example.com"]


# --- 2: rate limits see the patient's address behind a proxy -----------------------------------------
def test_proxy_count_makes_rate_limits_per_patient(app, backend):
    from app import create_app
    from config import ConfigError, load_config

    assert load_config({"PLINTH_PROXY_COUNT": "1"})["PLINTH_PROXY_COUNT"] == 1
    assert load_config({})["PLINTH_PROXY_COUNT"] == 0
    with pytest.raises(ConfigError):
        load_config({"PLINTH_PROXY_COUNT": "many"})
    proxied = create_app({**app.config, "PLINTH_PROXY_COUNT": 1})
    seen = []

    @proxied.get("/_ip")
    def _ip():
        seen.append(limits.client_ip())
        return ""

    with proxied.test_client() as c:
        c.get("/_ip", headers={"X-Forwarded-For": "203.0.113.7"}, environ_base={"REMOTE_ADDR": "10.0.0.1"})
        c.get("/_ip", headers={"X-Forwarded-For": "6.6.6.6, 198.51.100.2"}, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert seen == ["203.0.113.7", "198.51.100.2"]  # only the proxy's own hop is trusted


# --- 8 and 15: waitlist claims ----------------------------------------------------------------
def _offer(site, db):
    from tests.booking.test_waitlist import _two_offers_for_one_time

    return _two_offers_for_one_time(site, db)


def test_the_winner_clicking_the_offer_again_sees_their_booking(client, site, db):
    offers = _offer(site, db)
    link = tokens.claim_url(offers[0]).split("127.0.0.1:5000")[1]
    assert client.post(link).headers["Location"].endswith("/book/confirmed")
    client.get("/book/confirmed")
    again = client.post(link)
    assert again.status_code == 302 and again.headers["Location"].endswith("/book/confirmed")
    assert "You're booked!" in client.get("/book/confirmed").get_data(as_text=True)
    assert client.get(link).headers["Location"].endswith("/book/confirmed")
    assert _count(db, Appointment) == len(db.session.scalars(select(Appointment)).all())
    assert db.session.scalar(select(func.count(Appointment.id)).where(Appointment.booked_via == "online")) == 1


def test_a_deadlocked_claim_says_gone_not_500(client, site, db, monkeypatch):
    from sqlalchemy.exc import OperationalError

    offers = _offer(site, db)

    class Deadlock(Exception):
        sqlstate = "40P01"

    def deadlock(ids):
        raise OperationalError("SELECT ... FOR UPDATE", {}, Deadlock())

    monkeypatch.setattr(waitlist, "lock_calendars", deadlock)
    response = client.post(tokens.claim_url(offers[0]).split("127.0.0.1:5000")[1])
    assert response.status_code == 409 and "That time has gone" in response.get_data(as_text=True)


def test_a_claim_takes_its_calendar_locks_in_one_call(site, db, monkeypatch):
    offers = _offer(site, db)
    calls = []
    real = waitlist.lock_calendars
    monkeypatch.setattr(waitlist, "lock_calendars", lambda ids: (calls.append(sorted(ids)), real(ids)))
    from app.uow import unit_of_work

    with unit_of_work():
        waitlist.claim(offers[0].id)
    assert len(calls) == 1 and offers[0].calendar_id in calls[0]
    assert db.session.get(WaitlistOffer, offers[0].id).status.value == "claimed"


def test_draft_rows_expire(app, db):
    from app.booking import drafts
    from app.uow import unit_of_work

    with unit_of_work():
        old = drafts.save(None, {"details": {"first_name": "Old"}}, now=utcnow() - timedelta(hours=3))
    assert drafts.load(old) == {}
    with unit_of_work():
        drafts.save(None, {"email": "a@example.com"})
    assert db.session.get(BookingDraft, old) is None  # purged by the next write


def test_codes_job_ignores_a_superseded_code(app, site, db):
    factories.make_client(email="known@example.com")
    db.session.commit()
    from app.uow import unit_of_work

    with unit_of_work():
        codes.request_code("known@example.com")
    assert run_code_jobs() == 1
