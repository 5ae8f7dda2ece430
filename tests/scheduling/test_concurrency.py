"""Many people booking the same time at once: exactly one wins, nobody sees a 500.

Real threads, each with its own database connection and transaction, on PostgreSQL
(row locks + the exclusion constraint) and on SQLite (BEGIN IMMEDIATE)."""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import select

from app.errors import Conflict
from app.extensions import db as ext_db
from app.models import Calendar, Case, Occupancy, SessionType
from app.scheduling import booking
from app.uow import unit_of_work
from tests import factories
from tests.scheduling.conftest import NOW, at

THREADS = 8


def _race(app, attempts) -> Counter:
    """Run each attempt (a function of the thread's session) in its own thread, started
    together; count outcomes."""
    ext_db.session.close()  # the test's own transaction must not hold SQLite's write lock
    outcomes: Counter = Counter()
    barrier = threading.Barrier(len(attempts))
    lock = threading.Lock()

    def run(attempt):
        with app.app_context():
            barrier.wait()
            try:
                with unit_of_work():
                    attempt()
                result = "booked"
            except Conflict:
                result = "conflict"
            except Exception as exc:  # anything else would be a 500
                result = f"error: {type(exc).__name__}: {exc}"
            finally:
                ext_db.session.remove()
            with lock:
                outcomes[result] += 1

    threads = [threading.Thread(target=run, args=(a,)) for a in attempts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def _book(case_id, session_type_id, calendar_id, start):
    def attempt():
        booking.book(case=ext_db.session.get(Case, case_id), session_type=ext_db.session.get(SessionType, session_type_id),
                     calendar=ext_db.session.get(Calendar, calendar_id), start=start, actor=None, now=NOW)
    return attempt


def _active_overlaps(calendar_id) -> int:
    rows = ext_db.session.execute(
        select(Occupancy.starts_at, Occupancy.ends_at).where(
            Occupancy.calendar_id == calendar_id, Occupancy.active.is_(True), Occupancy.exclusive.is_(True))
        .order_by(Occupancy.starts_at)).all()
    return sum(1 for a, b in zip(rows, rows[1:]) if b[0] < a[1])


def test_many_simultaneous_bookings_of_one_slot_give_exactly_one(app, clinic, db):
    cases = [factories.make_case(discipline=clinic.people.discipline).id for _ in range(THREADS)]
    db.session.commit()
    provider_id = clinic.provider.id
    attempts = [_book(c, clinic.physio.id, provider_id, at(10)) for c in cases]
    outcomes = _race(app, attempts)
    assert outcomes == Counter({"booked": 1, "conflict": THREADS - 1})
    assert _active_overlaps(provider_id) == 0


def test_two_providers_racing_for_the_one_room_give_exactly_one(app, clinic, db):
    cases = [factories.make_case(discipline=clinic.people.discipline).id for _ in range(THREADS)]
    db.session.commit()
    providers, room_id = [clinic.provider.id, clinic.other_provider.id], clinic.room.id
    attempts = [_book(c, clinic.rehab.id, providers[i % 2], at(14)) for i, c in enumerate(cases)]
    outcomes = _race(app, attempts)
    # each provider's own column can take one; the single room only one of them
    assert outcomes == Counter({"booked": 1, "conflict": THREADS - 1})
    assert _active_overlaps(room_id) == 0


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_the_exclusion_constraint_is_the_backstop_behind_the_lock(app, clinic, db, monkeypatch):
    """With the lock and the re-check switched off, PostgreSQL's constraint still refuses
    the second booking, as a Conflict. (SQLite has no such constraint; its one-writer
    lock is what the tests above exercise.)"""
    from app.scheduling import availability

    monkeypatch.setattr(booking, "lock_calendars", lambda ids: None)
    monkeypatch.setattr(availability, "check_booking", lambda **kw: [])
    cases = [factories.make_case(discipline=clinic.people.discipline).id for _ in range(THREADS)]
    db.session.commit()
    provider_id = clinic.provider.id
    outcomes = _race(app, [_book(c, clinic.physio.id, provider_id, at(10)) for c in cases])
    assert outcomes == Counter({"booked": 1, "conflict": THREADS - 1})
    assert _active_overlaps(provider_id) == 0


def test_one_person_booked_at_two_locations_at_once_gives_exactly_one(app, clinic, db):
    """Each thread books the same team member at the same time, half at their Downtown
    calendar, half at their Uptown one: the lock takes both calendars of the person, so
    the second waits and then sees the first (issue 14, item 2)."""
    from datetime import time

    from app.models import CalendarKind
    from tests.scheduling.conftest import MONDAY

    people = clinic.people
    uptown = factories.make_calendar(name="Provider (Uptown)", kind=CalendarKind.provider, team_member=people.provider,
                                     location=factories.make_location(name="Uptown"), disciplines=[people.discipline])
    factories.make_shift(uptown, MONDAY, time(9), time(17))
    cases = [factories.make_case(discipline=people.discipline).id for _ in range(THREADS)]
    db.session.commit()
    places = [clinic.provider.id, uptown.id]
    attempts = [_book(c, clinic.physio.id, places[i % 2], at(10, 15 * (i % 2))) for i, c in enumerate(cases)]
    outcomes = _race(app, attempts)
    assert outcomes == Counter({"booked": 1, "conflict": THREADS - 1})
    held = ext_db.session.scalars(select(Occupancy.calendar_id).where(
        Occupancy.calendar_id.in_(places), Occupancy.active.is_(True))).all()
    assert len(held) == 1
