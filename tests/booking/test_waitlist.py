"""The waitlist: joining, offers when time frees up, and the claim race."""
from __future__ import annotations

import threading
from collections import Counter
from datetime import time

import pytest
from itsdangerous.timed import TimestampSigner
from sqlalchemy import func, select

from app.booking import service, tokens, waitlist
from app.extensions import db as ext_db
from app.models import (
    Appointment,
    AppointmentStatus,
    Message,
    OfferStatus,
    SessionType,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistOpening,
    WaitlistStatus,
)
from app.scheduling import booking
from app.uow import unit_of_work
from tests import factories
from tests.booking.conftest import DETAILS, local_at, walk_to_times


def _entry(site, *, email="wait@example.com", calendar=None, **prefs):
    return waitlist.join(location_id=site.location.id, session_type=site.initial, calendar=calendar,
                         details=service.Details("Wanda", "Wait", email, "+14165550177"),
                         preferences=waitlist.Preferences(**prefs), is_new=True, client_id=None)


def _fill_day(site, db, day):
    """Book Maya's whole morning on ``day`` so a cancellation frees real time."""
    appointments = [factories.make_appointment(site.maya, local_at(day, h), session_type=site.initial)
                    for h in (9, 10, 11)]
    db.session.commit()
    return appointments


def test_joining_through_the_page(client, site, db):
    walk_to_times(client, site, provider=str(site.maya.id))
    response = client.post("/book/waitlist", data={**DETAILS, "weekdays": ["0", "2"], "earliest": "09:00",
                                                   "latest": "11:30", "agree": "y"})
    assert response.status_code == 200 and "on the waitlist" in response.get_data(as_text=True)
    entry = db.session.scalars(select(WaitlistEntry)).one()
    assert (entry.weekdays, entry.earliest, entry.latest, entry.calendar_id) == ("02", time(9), time(11, 30), site.maya.id)
    assert entry.status == WaitlistStatus.waiting and entry.is_new_client


@pytest.mark.parametrize("prefs, hour, suits", [
    ({}, 10, True),
    ({"earliest": time(10)}, 9, False),
    ({"latest": time(9, 30)}, 10, False),
    ({"earliest": time(9), "latest": time(10)}, 10, True),
])
def test_preferences_decide_what_suits(site, db, prefs, hour, suits):
    from zoneinfo import ZoneInfo

    entry = _entry(site, **prefs)
    start = local_at(site.days[0], hour)
    assert waitlist.suits(entry, start, ZoneInfo("America/Toronto")) is suits
    weekday = str(site.days[0].weekday())
    entry.weekdays = "".join(d for d in "0123456" if d != weekday)
    assert not waitlist.suits(entry, start, ZoneInfo("America/Toronto"))


def test_a_cancellation_offers_the_time_by_email(site, db, monkeypatch):
    # Links are signed with the time in whole seconds: one second for the whole test, so
    # the link rebuilt below is the one the email holds even when a second ticks between.
    frozen = TimestampSigner.get_timestamp(None)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: frozen)
    day = site.days[0]
    appointments = _fill_day(site, db, day)
    morning = _entry(site, email="morning@example.com", latest=time(11))
    _entry(site, email="evenings@example.com", earliest=time(16))  # does not suit
    db.session.commit()
    with unit_of_work():
        booking.cancel(appointment=ext_db.session.get(Appointment, appointments[1].id), actor=None)
    assert db.session.scalar(select(func.count(WaitlistOpening.id))) == 1
    with unit_of_work():
        made = waitlist.process_openings()
    assert made == 1
    offer = db.session.scalars(select(WaitlistOffer)).one()
    assert offer.entry_id == morning.id and offer.starts_at == local_at(day, 10)
    email = db.session.scalars(select(Message).where(Message.kind == "waitlist_offer")).one()
    assert email.to_address == "morning@example.com"
    assert email.context["claim_url"] == tokens.claim_url(offer) and "/book/claim/" in email.context["claim_url"]
    assert email.context["provider"] == "Maya Chen" and "Initial assessment" == email.context["service"]
    with unit_of_work():
        assert waitlist.process_openings() == 0  # processed once


def test_new_shift_time_can_be_offered(site, db):
    day = site.days[2]
    _entry(site, calendar=site.dan)
    db.session.commit()
    with unit_of_work():
        waitlist.offer_new_time(site.dan, local_at(day, 9), local_at(day, 17))
    with unit_of_work():
        assert waitlist.process_openings() == 1
    assert db.session.scalars(select(WaitlistOffer)).one().starts_at == local_at(day, 9)


def _two_offers_for_one_time(site, db):
    appointments = _fill_day(site, db, site.days[0])
    first, second = _entry(site, email="a@example.com"), _entry(site, email="b@example.com")
    db.session.commit()
    with unit_of_work():
        booking.cancel(appointment=ext_db.session.get(Appointment, appointments[0].id), actor=None)
    with unit_of_work():
        waitlist.process_openings()
    offers = db.session.scalars(select(WaitlistOffer).order_by(WaitlistOffer.id)).all()
    assert [o.entry_id for o in offers] == [first.id, second.id]
    assert offers[0].starts_at == offers[1].starts_at
    return offers


def test_claim_race_exactly_one_patient_gets_the_time(app, site, db):
    offers = _two_offers_for_one_time(site, db)
    ids = [o.id for o in offers] * 3  # both patients, each clicking three times
    ext_db.session.close()
    barrier, lock, outcomes = threading.Barrier(len(ids)), threading.Lock(), Counter()

    def claim(offer_id):
        with app.app_context():
            barrier.wait()
            try:
                with unit_of_work():
                    result = ("booked", offer_id, waitlist.claim(offer_id).id)
            except waitlist.OfferGone:
                result = "gone"
            except Exception as exc:  # a 500 in real life
                result = f"error {type(exc).__name__}: {exc}"
            finally:
                ext_db.session.remove()
            with lock:
                outcomes[result] += 1

    threads = [threading.Thread(target=claim, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    online = ext_db.session.scalars(select(Appointment).where(Appointment.booked_via == "online")).all()
    assert len(online) == 1
    # The winner's three clicks all show the one booking; the other patient's all say gone.
    winner = next(o for o in ext_db.session.scalars(select(WaitlistOffer)) if o.status == OfferStatus.claimed)
    assert outcomes == Counter({("booked", winner.id, online[0].id): 3, "gone": 3}), outcomes
    statuses = Counter(o.status for o in ext_db.session.scalars(select(WaitlistOffer)))
    assert statuses == Counter({OfferStatus.claimed: 1, OfferStatus.gone: 1})


def test_second_claimer_is_told_it_has_gone(client, site, db):
    offers = _two_offers_for_one_time(site, db)
    links = [tokens.claim_url(o).split("127.0.0.1:5000")[1] for o in offers]
    assert "Book this time" in client.get(links[0]).get_data(as_text=True)
    assert client.post(links[0]).headers["Location"].endswith("/book/confirmed")
    later = client.post(links[1])
    assert later.status_code == 409 and "That time has gone" in later.get_data(as_text=True)
    assert "That time has gone" in client.get(links[1]).get_data(as_text=True)
    booked = db.session.scalars(select(Appointment).where(Appointment.booked_via == "online")).one()
    assert booked.case.client.email == "a@example.com"
    assert booked.status == AppointmentStatus.booked


def test_front_desk_sees_the_waitlist_of_their_location_only(site, db, people):
    from app.security import waitlist_scope

    mine = _entry(site)
    theirs = waitlist.join(location_id=people.other_location.id, session_type=ext_db.session.get(SessionType, site.initial.id),
                           calendar=None, details=service.Details("Lia", "Far", "l@example.com"),
                           preferences=waitlist.Preferences(), is_new=True, client_id=None)
    db.session.commit()
    seen = set(db.session.scalars(waitlist_scope(people.frontdesk)))
    assert mine.id in seen and theirs.id not in seen
    assert set(db.session.scalars(waitlist_scope(people.manager))) == {mine.id, theirs.id}
    assert set(db.session.scalars(waitlist_scope(people.provider.user))) == {mine.id}  # sees Maya's location
