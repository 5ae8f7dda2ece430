"""A stateful property test of the engine: whatever sequence of bookings, moves,
cancellations, shift edits and new breaks happens, every slot offered is bookable,
every bookable grid start is offered, and no calendar holds two overlapping
exclusive bookings. The first provider also has a calendar at a second location (with
the clinic's travel time): no person is ever booked in two places within it."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import time, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import select

from app.errors import Conflict
from app.extensions import db as ext_db
from app.models import Appointment, AppointmentStatus, Occupancy, Shift, ShiftBreak
from app.scheduling import availability, booking
from tests.conftest import _truncate_all
from tests.scheduling.conftest import MONDAY, NOW, at

GRID = [at(8) + timedelta(minutes=15 * i) for i in range(4 * 10)]  # 08:00 … 17:45
QUARTERS = st.integers(0, len(GRID) - 1)
# Everything the machine writes (shifts, breaks, bookings) lies on MONDAY: a load over
# this window holds all of it, so any narrower window's verdicts are the same.
LOADED = (at(0) - timedelta(days=3), at(0) + timedelta(days=4))
TRAVEL = 15


@contextmanager
def one_load_per_state():
    """While the oracle asks ``pick_resources`` and ``check_booking`` about each of the
    hundreds of (calendar, start) pairs of one state, they decide with their own code
    (the pure interval functions over ``CalendarTime``) from calendars and times read
    once, instead of re-reading them for every pair (~8 statements each, which made this
    test take minutes). ``find_slots``, the side under test, still reads for itself."""
    load_times, load_calendars = availability.load_calendar_times, availability._load_calendars
    times: dict[tuple, dict] = {}
    calendars: dict[str, list] = {}

    def cached_times(cals, window, *, ignore_appointment_ids=()):
        assert LOADED[0] <= window[0] and window[1] <= LOADED[1], window
        key = tuple(sorted(ignore_appointment_ids))
        known = times.setdefault(key, {})
        missing = [c for c in cals if c.id not in known]
        if missing:
            known.update(load_times(missing, LOADED, ignore_appointment_ids=ignore_appointment_ids))
        return {c.id: known[c.id] for c in cals}

    def cached_calendars(where):
        compiled = where.compile()
        key = f"{compiled} {sorted(compiled.params.items())!r}"
        if key not in calendars:
            calendars[key] = load_calendars(where)
        return list(calendars[key])

    availability.load_calendar_times, availability._load_calendars = cached_times, cached_calendars
    try:
        yield
    finally:
        availability.load_calendar_times, availability._load_calendars = load_times, load_calendars


def test_offered_and_bookable_never_drift(app_ctx, people):
    from tests import factories

    def build_clinic():
        p = factories.make_people()
        other = factories.make_team_member(locations=[p.location], disciplines=[p.discipline])
        other.calendars[0].buffer_after_minutes = 10  # buffers on a provider too
        for calendar in (p.provider_calendar, other.calendars[0]):
            calendar.online_enabled, calendar.lead_time_minutes = True, 0
        room = factories.make_calendar(name="Room", kind="room", location=p.location, disciplines=[p.discipline],
                                       buffer_after_minutes=10)
        short = factories.make_session_type(name="Short", discipline=p.discipline, duration_minutes=30,
                                            online_bookable=True)
        rehab = factories.make_session_type(name="Rehab", discipline=p.discipline, duration_minutes=45, needs_room=True,
                                            online_bookable=True)
        # The same person at a second location, 15 minutes away.
        away = factories.make_calendar(name="Provider (Uptown)", kind="provider", team_member=p.provider,
                                       location=factories.make_location(name="Uptown"), disciplines=[p.discipline])
        away.online_enabled, away.lead_time_minutes = True, 0
        from app.models.settings import clinic_settings

        clinic_settings().travel_minutes = TRAVEL
        providers = [p.provider_calendar, other.calendars[0], away]
        for cal in (*providers, room):
            factories.make_shift(cal, MONDAY, time(9), time(17), breaks=[(time(12), time(12, 30))])
        case = factories.make_case(discipline=p.discipline)
        ext_db.session.commit()
        return [c.id for c in providers], [short.id, rehab.id], case.id

    class Clinic(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            ext_db.session.remove()
            _truncate_all(ext_db)
            self.providers, self.session_types, self.case = build_clinic()

        def _get(self, model, id_):
            return ext_db.session.get(model, id_)

        @rule(who=st.integers(0, 2), what=st.integers(0, 1), when=QUARTERS)
        def book(self, who, what, when):
            from app.models import Calendar, Case, SessionType

            try:
                booking.book(case=self._get(Case, self.case), session_type=self._get(SessionType, self.session_types[what]),
                             calendar=self._get(Calendar, self.providers[who]), start=GRID[when], actor=None, now=NOW)
                ext_db.session.commit()
            except Conflict:
                ext_db.session.rollback()

        def _some_appointment(self, pick):
            ids = ext_db.session.scalars(select(Appointment.id).where(
                Appointment.status == AppointmentStatus.booked).order_by(Appointment.id)).all()
            return self._get(Appointment, ids[pick % len(ids)]) if ids else None

        @rule(pick=st.integers(0, 50), when=QUARTERS)
        def move(self, pick, when):
            appointment = self._some_appointment(pick)
            if appointment is None:
                return
            try:
                booking.move(appointment=appointment, actor=None, start=GRID[when], now=NOW)
                ext_db.session.commit()
            except Conflict:
                ext_db.session.rollback()

        @rule(pick=st.integers(0, 50))
        def cancel(self, pick):
            appointment = self._some_appointment(pick)
            if appointment is not None:
                booking.cancel(appointment=appointment, actor=None)
                ext_db.session.commit()

        @rule(who=st.integers(0, 2), start=st.integers(7, 11), end=st.integers(13, 18))
        def edit_shift(self, who, start, end):
            shift = ext_db.session.scalars(select(Shift).where(Shift.calendar_id == self.providers[who])).one()
            shift.start_time, shift.end_time = time(start), time(end)
            ext_db.session.commit()

        @rule(who=st.integers(0, 2), when=st.integers(9 * 4, 16 * 4), quarters=st.integers(1, 4))
        def add_break(self, who, when, quarters):
            shift = ext_db.session.scalars(select(Shift).where(Shift.calendar_id == self.providers[who])).one()
            start = time(when // 4, 15 * (when % 4))
            end_minutes = min(when * 15 + quarters * 15, shift.end_time.hour * 60)
            if end_minutes <= when * 15 or start < shift.start_time:
                return
            shift.breaks.append(ShiftBreak(start_time=start, end_time=time(end_minutes // 60, end_minutes % 60)))
            ext_db.session.commit()

        @invariant()
        def offered_equals_bookable(self):
            from app.models import Calendar, SessionType

            # Staff well before the day; online from a "now" inside the day that has seconds.
            for channel, now in (("staff", NOW), ("online", at(9, 7) + timedelta(seconds=30))):
                for st_id in self.session_types:
                    session_type = self._get(SessionType, st_id)
                    calendars = [self._get(Calendar, c) for c in self.providers]
                    offered = {(s.start, s.calendar_ids[0]) for s in availability.find_slots(
                        session_type=session_type, provider_calendars=calendars, start_day=MONDAY, end_day=MONDAY,
                        now=now, any_provider=False, channel=channel)}
                    with one_load_per_state():
                        for cal in calendars:
                            for t in GRID:
                                if channel == "staff" and t < now:
                                    continue
                                resources = availability.pick_resources(
                                    session_type=session_type, provider=cal, start=t,
                                    end=t + timedelta(minutes=session_type.duration_minutes))
                                bookable = not availability.check_booking(
                                    session_type=session_type, calendars=[cal, *resources], start=t, now=now,
                                    channel=channel)
                                assert bookable == ((t, cal.id) in offered), (channel, session_type.name, cal.name, t)
            ext_db.session.rollback()

        @invariant()
        def no_double_booking(self):
            rows = ext_db.session.execute(select(Occupancy.calendar_id, Occupancy.starts_at, Occupancy.ends_at).where(
                Occupancy.active.is_(True), Occupancy.exclusive.is_(True)).order_by(Occupancy.calendar_id, Occupancy.starts_at)).all()
            for a, b in zip(rows, rows[1:]):
                assert not (a.calendar_id == b.calendar_id and b.starts_at < a.ends_at), (a, b)
            ext_db.session.rollback()

        @invariant()
        def one_person_in_one_place(self):
            from app.models import Calendar

            same, away = self.providers[0], self.providers[2]
            rows = ext_db.session.execute(select(Occupancy.calendar_id, Occupancy.starts_at, Occupancy.ends_at).where(
                Occupancy.active.is_(True), Occupancy.calendar_id.in_([same, away]))).all()
            here = [r for r in rows if r.calendar_id == same]
            there = [r for r in rows if r.calendar_id == away]
            gap = timedelta(minutes=TRAVEL)
            for a in here:
                for b in there:
                    assert b.ends_at + gap <= a.starts_at or a.ends_at + gap <= b.starts_at, (a, b)
            assert ext_db.session.get(Calendar, away).team_member_id == ext_db.session.get(Calendar, same).team_member_id
            ext_db.session.rollback()

    run_state_machine_as_test(Clinic, settings=settings(
        max_examples=6, stateful_step_count=8, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))
    _truncate_all(ext_db)
