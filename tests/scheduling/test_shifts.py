"""Shifts: adding, repeating, changing and removing them; the weekly planner; the grid's
visible hours; and what a local shift means in real time on DST change days."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import event, func, select

from app.errors import Conflict, NotFound, ValidationFailed
from app.models import Calendar, CalendarKind, Location, Shift, ShiftBreak
from app.scheduling import shifts as svc
from tests import factories

UTC = timezone.utc
MON = date(2026, 3, 2)  # a Monday
LUNCH = [(time(12), time(12, 30))]


def counts(db) -> tuple[int, int]:
    # A query autoflushes, so anything a refused call left pending would be counted.
    return (db.session.scalar(select(func.count()).select_from(Shift)),
            db.session.scalar(select(func.count()).select_from(ShiftBreak)))


def messages(exc) -> list[str]:
    return [p.message for p in exc.value.problems]


@contextmanager
def counting_statements(engine):
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        # SQLite's BEGIN IMMEDIATE (app/dbsetup.py) is transaction plumbing, not a query.
        if not statement.lstrip().upper().startswith("BEGIN"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


# --- add_shift ---------------------------------------------------------------------

def test_it_adds_a_shift_with_its_breaks(db):
    calendar = factories.make_calendar()
    shift = svc.add_shift(calendar=calendar, day=MON, start=time(8), end=time(16),
                          breaks=[(time(15), time(15, 15)), (time(12), time(12, 30))])
    db.session.expire_all()
    saved = db.session.get(Shift, shift.id)
    assert (saved.calendar_id, saved.day, saved.start_time, saved.end_time) == (calendar.id, MON, time(8), time(16))
    assert [(b.start_time, b.end_time) for b in saved.breaks] == [(time(12), time(12, 30)), (time(15), time(15, 15))]
    assert saved.pattern_id is None


def test_two_shifts_a_day_are_fine_when_they_do_not_overlap(db):
    calendar = factories.make_calendar()
    svc.add_shift(calendar=calendar, day=MON, start=time(8), end=time(12))
    svc.add_shift(calendar=calendar, day=MON, start=time(12), end=time(14))  # touching is fine
    svc.add_shift(calendar=calendar, day=MON, start=time(17), end=time(21))
    assert counts(db) == (3, 0)


def test_the_same_hours_on_another_day_or_calendar_do_not_clash(db):
    calendar = factories.make_calendar()
    other = factories.make_calendar(location=calendar.location)
    svc.add_shift(calendar=calendar, day=MON, start=time(8), end=time(16))
    svc.add_shift(calendar=calendar, day=MON + timedelta(days=1), start=time(8), end=time(16))
    svc.add_shift(calendar=other, day=MON, start=time(8), end=time(16))
    assert counts(db) == (3, 0)


@pytest.mark.parametrize(
    ("start", "end", "breaks", "error", "expected"),
    [
        pytest.param(time(16), time(8), [], ValidationFailed, "ends (08:00) before it starts (16:00)", id="end-before-start"),
        pytest.param(time(8), time(8), [], ValidationFailed, "before it starts", id="empty-shift"),
        pytest.param(time(8), time(16), [(time(16, 30), time(17))], ValidationFailed,
                     "16:30–17:00 is outside the shift 08:00–16:00", id="break-outside"),
        pytest.param(time(8), time(16), [(time(12), time(12, 30)), (time(12, 15), time(12, 45))], ValidationFailed,
                     "breaks 12:00–12:30 and 12:15–12:45 overlap", id="overlapping-breaks"),
        pytest.param(time(8), time(16), [(time(12), None)], ValidationFailed, "A break needs a start and an end",
                     id="break-without-end"),
        pytest.param("08:00", time(16), [], ValidationFailed, "local time of day", id="start-not-a-time"),
        pytest.param(time(11), time(14), [], Conflict, "already works 07:00–12:00 on Mon, Mar 2, 2026",
                     id="overlapping-shift-same-day"),
        pytest.param(time(6), time(20), [], Conflict, "already works 07:00–12:00", id="shift-around-another"),
    ],
)
def test_it_refuses_an_unsound_shift_and_writes_nothing(db, start, end, breaks, error, expected):
    calendar = factories.make_calendar()
    factories.make_shift(calendar, MON, start=time(7), end=time(12), breaks=[(time(9), time(9, 15))])
    before = counts(db)
    with pytest.raises(error) as exc:
        svc.add_shift(calendar=calendar, day=MON, start=start, end=end, breaks=breaks)
    assert any(expected in m for m in messages(exc)), messages(exc)
    assert counts(db) == before


def test_it_reports_every_problem_at_once(db):
    with pytest.raises(ValidationFailed) as exc:
        svc.add_shift(calendar=None, day=datetime(2026, 3, 2, 8), start=time(8), end=time(16),
                      breaks=[(time(7), time(7, 30)), (time(15), time(17))])
    fields = [p.field for p in exc.value.problems]
    assert fields == ["calendar", "day", "breaks", "breaks"]
    assert counts(db) == (0, 0)


# --- repeat_shift ------------------------------------------------------------------

def three_calendars():
    location = factories.make_location()
    return [factories.make_calendar(location=location, name=n) for n in ("Ana", "Room 1", "Laser")]


def test_a_repeat_on_mon_wed_fri_for_four_weeks_on_three_calendars_makes_36_shifts(db):
    calendars = three_calendars()
    created = svc.repeat_shift(calendars=calendars, first_day=MON, weekdays={0, 2, 4}, weeks=4,
                               start=time(9), end=time(17), breaks=LUNCH)
    assert len(created) == 36
    db.session.expire_all()
    rows = db.session.scalars(select(Shift).order_by(Shift.calendar_id, Shift.day)).all()
    assert len(rows) == 36
    assert len({s.pattern_id for s in rows}) == 1 and rows[0].pattern_id
    assert {s.day.weekday() for s in rows} == {0, 2, 4}
    assert {s.day for s in rows} == {MON + timedelta(weeks=w, days=d) for w in range(4) for d in (0, 2, 4)}
    assert all((s.start_time, s.end_time) == (time(9), time(17)) for s in rows)
    assert all([(b.start_time, b.end_time) for b in s.breaks] == LUNCH for s in rows)
    assert {s.calendar_id for s in rows} == {c.id for c in calendars}


def test_a_repeat_counts_its_weeks_from_the_first_day_whatever_weekday_it_is(db):
    calendar = factories.make_calendar()
    wednesday = MON + timedelta(days=2)
    created = svc.repeat_shift(calendars=[calendar], first_day=wednesday, weekdays={0, 2}, weeks=2,
                               start=time(9), end=time(17), breaks=[])
    assert [s.day for s in created] == [wednesday, MON + timedelta(days=7), wednesday + timedelta(days=7),
                                        MON + timedelta(days=14)]


def test_each_repeat_gets_its_own_pattern(db):
    calendar = factories.make_calendar()
    morning = svc.repeat_shift(calendars=[calendar], first_day=MON, weekdays={0}, weeks=2,
                               start=time(8), end=time(12), breaks=[])
    evening = svc.repeat_shift(calendars=[calendar], first_day=MON, weekdays={0}, weeks=2,
                               start=time(17), end=time(20), breaks=[])
    assert {s.pattern_id for s in morning}.isdisjoint({s.pattern_id for s in evening})


def test_a_conflict_on_one_date_writes_nothing_and_names_that_calendar_and_date(db):
    ana, room, laser = three_calendars()
    clash_day = MON + timedelta(weeks=2, days=2)
    factories.make_shift(room, clash_day, start=time(16), end=time(19))
    factories.make_shift(room, clash_day, start=time(6), end=time(9))  # touches 09:00: no clash
    before = counts(db)
    with pytest.raises(Conflict) as exc:
        svc.repeat_shift(calendars=[ana, room, laser], first_day=MON, weekdays={0, 2, 4}, weeks=4,
                         start=time(9), end=time(17), breaks=LUNCH)
    assert counts(db) == before
    (problem,) = exc.value.problems
    assert problem.details["calendar_id"] == room.id
    assert problem.details["day"] == "2026-03-18"
    assert "Room 1" in problem.message and "Wed, Mar 18, 2026" in problem.message


def test_a_conflict_error_lists_every_conflicting_calendar_and_date(db):
    ana, room, laser = three_calendars()
    factories.make_shift(ana, MON, start=time(8), end=time(10))
    factories.make_shift(laser, MON + timedelta(days=4), start=time(16), end=time(18))
    with pytest.raises(Conflict) as exc:
        svc.repeat_shift(calendars=[ana, room, laser], first_day=MON, weekdays={0, 4}, weeks=1,
                         start=time(9), end=time(17), breaks=[])
    assert [(p.details["calendar"], p.details["day"]) for p in exc.value.problems] == [
        ("Ana", "2026-03-02"), ("Laser", "2026-03-06")]


def test_skip_conflicts_creates_the_other_dates_and_leaves_the_clash_alone(db):
    ana, room, laser = three_calendars()
    clash_day = MON + timedelta(weeks=2, days=2)
    existing = factories.make_shift(room, clash_day, start=time(16), end=time(19))
    created = svc.repeat_shift(calendars=[ana, room, laser], first_day=MON, weekdays={0, 2, 4}, weeks=4,
                               start=time(9), end=time(17), breaks=LUNCH, skip_conflicts=True)
    assert len(created) == 35
    assert (room.id, clash_day) not in {(s.calendar_id, s.day) for s in created}
    assert counts(db) == (36, 35)
    db.session.refresh(existing)
    assert (existing.start_time, existing.end_time, existing.pattern_id) == (time(16), time(19), None)


@pytest.mark.parametrize(
    ("overrides", "field", "expected"),
    [
        pytest.param({"weeks": 53}, "weeks", "1 to 52 weeks", id="too-many-weeks"),
        pytest.param({"weeks": 0}, "weeks", "1 to 52 weeks", id="no-weeks"),
        pytest.param({"weekdays": set()}, "weekdays", "at least one day", id="no-weekdays"),
        pytest.param({"weekdays": {0, 7}}, "weekdays", "0 (Monday) to 6 (Sunday)", id="bad-weekday"),
        pytest.param({"calendars": []}, "calendars", "at least one calendar", id="no-calendars"),
        pytest.param({"first_day": "2026-03-02"}, "first_day", "Give a date", id="first-day-not-a-date"),
        pytest.param({"end": time(8)}, "end", "before it starts", id="end-before-start"),
    ],
)
def test_a_repeat_with_bad_input_is_refused_with_its_field(db, overrides, field, expected):
    calendar = factories.make_calendar()
    args = dict(calendars=[calendar], first_day=MON, weekdays={0}, weeks=4, start=time(9), end=time(17), breaks=[])
    args.update(overrides)
    with pytest.raises(ValidationFailed) as exc:
        svc.repeat_shift(**args)
    assert any(p.field == field and expected in p.message for p in exc.value.problems), exc.value.problems
    assert counts(db) == (0, 0)


def test_a_repeat_on_too_many_calendars_is_refused(db):
    location = factories.make_location()
    calendars = [factories.make_calendar(location=location) for _ in range(svc.MAX_REPEAT_CALENDARS + 1)]
    with pytest.raises(ValidationFailed) as exc:
        svc.repeat_shift(calendars=calendars, first_day=MON, weekdays={0}, weeks=1,
                         start=time(9), end=time(17), breaks=[])
    assert "at most 50 calendars" in messages(exc)[0]
    assert counts(db) == (0, 0)


def test_the_same_calendar_chosen_twice_gets_one_shift_a_date(db):
    calendar = factories.make_calendar()
    created = svc.repeat_shift(calendars=[calendar, calendar], first_day=MON, weekdays={0}, weeks=2,
                               start=time(9), end=time(17), breaks=[])
    assert len(created) == 2


# --- change and remove -------------------------------------------------------------

def four_mondays(calendar, **kw):
    return svc.repeat_shift(calendars=[calendar], first_day=MON, weekdays={0}, weeks=4,
                            start=time(9), end=time(17), breaks=LUNCH, **kw)


def test_changing_one_date_leaves_the_rest_of_its_pattern(db):
    calendar = factories.make_calendar()
    first, second, third, fourth = four_mondays(calendar)
    svc.change_shift(shift=second, start=time(10), breaks=[(time(13), time(13, 45))])
    db.session.expire_all()
    rows = db.session.scalars(select(Shift).order_by(Shift.day)).all()
    assert [(s.start_time, s.end_time) for s in rows] == [
        (time(9), time(17)), (time(10), time(17)), (time(9), time(17)), (time(9), time(17))]
    assert [[(b.start_time, b.end_time) for b in s.breaks] for s in rows] == [
        LUNCH, [(time(13), time(13, 45))], LUNCH, LUNCH]
    assert len({s.pattern_id for s in rows}) == 1
    assert counts(db) == (4, 4)  # the replaced break is gone, not orphaned


def test_a_change_keeps_the_breaks_when_none_are_given_and_can_remove_them(db):
    calendar = factories.make_calendar()
    shift = four_mondays(calendar)[0]
    svc.change_shift(shift=shift, end=time(18))
    assert [(b.start_time, b.end_time) for b in shift.breaks] == LUNCH
    svc.change_shift(shift=shift, breaks=[])
    db.session.expire_all()
    assert db.session.get(Shift, shift.id).breaks == []


@pytest.mark.parametrize(
    ("change", "error", "expected"),
    [
        pytest.param({"start": time(17, 30)}, ValidationFailed, "before it starts", id="end-before-start"),
        pytest.param({"end": time(12, 15)}, ValidationFailed, "outside the shift", id="keeps-break-outside"),
        pytest.param({"end": time(19)}, Conflict, "already works 18:00–20:00", id="overlaps-evening-shift"),
    ],
)
def test_a_refused_change_changes_nothing(db, change, error, expected):
    calendar = factories.make_calendar()
    shift = four_mondays(calendar)[0]
    factories.make_shift(calendar, MON, start=time(18), end=time(20))
    with pytest.raises(error) as exc:
        svc.change_shift(shift=shift, **change)
    assert any(expected in m for m in messages(exc)), messages(exc)
    db.session.expire_all()
    assert (shift.start_time, shift.end_time) == (time(9), time(17))
    assert [(b.start_time, b.end_time) for b in shift.breaks] == LUNCH


def test_a_shift_may_be_changed_within_its_own_hours(db):
    calendar = factories.make_calendar()
    shift = factories.make_shift(calendar, MON, start=time(8), end=time(16))
    svc.change_shift(shift=shift, start=time(9), end=time(15))  # overlaps only its old self
    assert (shift.start_time, shift.end_time) == (time(9), time(15))


def test_removing_one_date_leaves_the_others(db):
    calendar = factories.make_calendar()
    shifts = four_mondays(calendar)
    svc.remove_shift(shift=shifts[1])
    remaining = db.session.scalars(select(Shift.day).order_by(Shift.day)).all()
    assert remaining == [MON, MON + timedelta(weeks=2), MON + timedelta(weeks=3)]
    assert counts(db) == (3, 3)


def test_remove_this_and_following_keeps_earlier_dates_other_calendars_and_other_patterns(db):
    calendar = factories.make_calendar()
    colleague = factories.make_calendar(location=calendar.location)
    shared = svc.repeat_shift(calendars=[calendar, colleague], first_day=MON, weekdays={0}, weeks=4,
                              start=time(9), end=time(17), breaks=LUNCH)
    evenings = svc.repeat_shift(calendars=[calendar], first_day=MON, weekdays={0}, weeks=4,
                                start=time(18), end=time(20), breaks=[])
    third_monday = next(s for s in shared if s.calendar_id == calendar.id and s.day == MON + timedelta(weeks=2))

    assert svc.remove_pattern_from(shift=third_monday) == 2

    left = db.session.scalars(select(Shift).order_by(Shift.calendar_id, Shift.day, Shift.start_time)).all()
    mine = [(s.day, s.start_time) for s in left if s.calendar_id == calendar.id]
    assert mine == [
        (MON, time(9)), (MON, time(18)),
        (MON + timedelta(weeks=1), time(9)), (MON + timedelta(weeks=1), time(18)),
        (MON + timedelta(weeks=2), time(18)), (MON + timedelta(weeks=3), time(18))]
    assert len([s for s in left if s.calendar_id == colleague.id]) == 4
    assert len(evenings) == 4
    assert counts(db) == (10, 6)


def test_remove_this_and_following_on_a_lone_shift_removes_only_it(db):
    calendar = factories.make_calendar()
    lone = factories.make_shift(calendar, MON)
    factories.make_shift(calendar, MON + timedelta(days=7))
    assert svc.remove_pattern_from(shift=lone) == 1
    assert counts(db) == (1, 0)


def test_a_removed_shift_cannot_be_changed_or_removed_again(db):
    shift = factories.make_shift(factories.make_calendar(), MON)
    svc.remove_shift(shift=shift)
    with pytest.raises(NotFound):
        svc.change_shift(shift=shift, start=time(9))
    with pytest.raises(NotFound):
        svc.remove_shift(shift=shift)


def test_get_shift_finds_only_shifts_within_the_scope_given(db):
    mine = factories.make_calendar()
    theirs = factories.make_calendar()
    shift = factories.make_shift(theirs, MON)
    assert svc.get_shift(shift_id=shift.id) is shift
    with pytest.raises(NotFound):
        svc.get_shift(shift_id=shift.id, calendar_ids=select(Calendar.id).where(Calendar.id == mine.id))
    with pytest.raises(NotFound):
        svc.get_shift(shift_id=shift.id + 1000)


# --- the week planner --------------------------------------------------------------

def test_the_week_lists_active_calendars_providers_then_rooms_then_equipment(db):
    location = factories.make_location()
    make = factories.make_calendar
    make(location=location, kind=CalendarKind.equipment, name="Shockwave", sort_order=0)
    make(location=location, kind=CalendarKind.room, name="room b", sort_order=1)
    make(location=location, kind=CalendarKind.room, name="Room A", sort_order=1)
    make(location=location, kind=CalendarKind.room, name="Gym", sort_order=0)
    make(location=location, kind=CalendarKind.provider, name="Zoe", sort_order=0)
    make(location=location, kind=CalendarKind.provider, name="Bruno", sort_order=2)
    make(location=location, kind=CalendarKind.provider, name="Ana", sort_order=2)
    make(location=location, kind=CalendarKind.provider, name="Retired", active=False)
    make(kind=CalendarKind.provider, name="Elsewhere")

    week = svc.week_of_shifts(location=location, week_start=MON)

    assert [row.calendar.name for row in week] == ["Zoe", "Ana", "Bruno", "Gym", "Room A", "room b", "Shockwave"]
    assert all(list(row.days) == [MON + timedelta(days=n) for n in range(7)] for row in week)


def test_the_week_holds_the_seven_days_shifts_with_their_breaks(db):
    location = factories.make_location()
    calendar = factories.make_calendar(location=location, kind=CalendarKind.provider)
    sunday = MON + timedelta(days=6)
    factories.make_shift(calendar, MON - timedelta(days=1))  # the Sunday before: not this week
    factories.make_shift(calendar, MON, start=time(17), end=time(20))
    factories.make_shift(calendar, MON, start=time(8), end=time(12), breaks=[(time(10), time(10, 15))])
    factories.make_shift(calendar, sunday, start=time(10), end=time(14))
    factories.make_shift(calendar, sunday + timedelta(days=1))  # the next Monday: not this week
    location_id = location.id
    db.session.commit()
    db.session.expunge_all()  # breaks must come from week_of_shifts, not from the session
    location = db.session.get(Location, location_id)

    (row,) = svc.week_of_shifts(location=location, week_start=MON)

    assert [(s.day, s.start_time) for s in row.shifts] == [(MON, time(8)), (MON, time(17)), (sunday, time(10))]
    assert [(b.start_time, b.end_time) for b in row.days[MON][0].breaks] == [(time(10), time(10, 15))]
    assert row.days[MON + timedelta(days=3)] == []


def test_the_week_can_be_restricted_to_the_calendars_a_user_may_see(db):
    location = factories.make_location()
    seen = factories.make_calendar(location=location, name="Seen")
    factories.make_calendar(location=location, name="Hidden")
    scope = select(Calendar.id).where(Calendar.id == seen.id)
    week = svc.week_of_shifts(location=location, week_start=MON, calendar_ids=scope)
    assert [row.calendar.name for row in week] == ["Seen"]


def test_the_week_with_the_users_scope_helper(db, people):
    from app.security import visible_calendar_ids

    factories.make_calendar(location=people.location, name="Treatment room")
    names = lambda user: [r.calendar.name for r in svc.week_of_shifts(
        location=people.location, week_start=MON, calendar_ids=visible_calendar_ids(user))]
    assert people.provider_calendar.name in names(people.provider.user)
    assert set(names(people.manager)) >= {people.provider_calendar.name, "Treatment room"}
    assert names(people.outsider.user) == []


def week_scene(db, n_calendars: int) -> int:
    location = factories.make_location()
    kinds = list(CalendarKind)
    for i in range(n_calendars):
        calendar = factories.make_calendar(location=location, kind=kinds[i % 3], sort_order=i % 4)
        for day in range(7):
            factories.make_shift(calendar, MON + timedelta(days=day), start=time(8), end=time(12),
                                 breaks=[(time(10), time(10, 15))])
            factories.make_shift(calendar, MON + timedelta(days=day), start=time(13), end=time(17))
    return location.id


def statements_to_read_a_week(db, location_id: int) -> int:
    db.session.commit()
    db.session.expunge_all()  # nothing cached: every lazy load would show up as SQL
    location = db.session.get(Location, location_id)
    with counting_statements(db.engine) as statements:
        week = svc.week_of_shifts(location=location, week_start=MON)
        for row in week:
            assert row.calendar.name and row.calendar.kind
            for shift in row.shifts:
                assert shift.calendar is row.calendar
                assert all(b.start_time < b.end_time for b in shift.breaks)
    return len(statements)


def test_reading_a_week_takes_the_same_few_statements_for_2_or_20_calendars(db):
    small, large = week_scene(db, 2), week_scene(db, 20)
    assert statements_to_read_a_week(db, small) == statements_to_read_a_week(db, large) == 2


# --- the grid's visible hours ------------------------------------------------------

@pytest.mark.parametrize(
    ("grid", "expected"),
    [
        pytest.param((None, None), (time(7, 30), time(20)), id="from-shifts"),
        pytest.param((time(6), time(22)), (time(6), time(22)), id="manual-override"),
        pytest.param((time(9), None), (time(9), time(20)), id="manual-start-only"),
        pytest.param((None, time(19)), (time(7, 30), time(19)), id="manual-end-only"),
        pytest.param((time(21), None), (time(21), time(23, 59)), id="manual-start-after-last-shift"),
    ],
)
def test_the_grid_shows_the_manual_hours_or_else_the_shifts_hours(db, grid, expected):
    location = factories.make_location(grid_start=grid[0], grid_end=grid[1])
    calendar = factories.make_calendar(location=location)
    factories.make_shift(calendar, MON, start=time(9), end=time(17))
    factories.make_shift(calendar, MON + timedelta(days=1), start=time(7, 30), end=time(12))
    factories.make_shift(calendar, MON + timedelta(days=6), start=time(16), end=time(20))
    # Not counted: outside the days, an inactive calendar, another location.
    factories.make_shift(calendar, MON + timedelta(days=7), start=time(5), end=time(23))
    retired = factories.make_calendar(location=location, active=False)
    factories.make_shift(retired, MON, start=time(5), end=time(23))
    factories.make_shift(factories.make_calendar(), MON, start=time(5), end=time(23))

    assert svc.visible_hours(location=location, day_from=MON, day_to=MON + timedelta(days=6)) == expected


def test_the_grid_falls_back_to_eight_to_six_without_shifts(db):
    location = factories.make_location()
    factories.make_calendar(location=location)
    db.session.flush()  # the audit rows of the scene, so they are not counted below
    with counting_statements(db.engine) as statements:
        hours = svc.visible_hours(location=location, day_from=MON, day_to=MON + timedelta(days=6))
    assert hours == (time(8), time(18))
    assert len(statements) == 1


def test_the_grid_asks_the_database_nothing_when_both_hours_are_set_by_hand(db):
    location = factories.make_location(grid_start=time(7), grid_end=time(19))
    with counting_statements(db.engine) as statements:
        assert svc.visible_hours(location=location, day_from=MON, day_to=MON) == (time(7), time(19))
    assert statements == []


def test_the_grid_refuses_days_in_the_wrong_order(db):
    with pytest.raises(ValidationFailed):
        svc.visible_hours(location=factories.make_location(), day_from=MON, day_to=MON - timedelta(days=1))


# --- local shifts in real time on DST change days (pure: no database) --------------

def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "day", "start", "end", "instants", "hours"),
    [
        # An ordinary 08:00–16:00 shift is 8 real hours on every change day.
        ("America/Toronto", date(2026, 3, 8), time(8), time(16), (utc(2026, 3, 8, 12), utc(2026, 3, 8, 20)), 8),
        ("America/Toronto", date(2026, 11, 1), time(8), time(16), (utc(2026, 11, 1, 13), utc(2026, 11, 1, 21)), 8),
        ("Europe/Lisbon", date(2026, 3, 29), time(8), time(16), (utc(2026, 3, 29, 7), utc(2026, 3, 29, 15)), 8),
        ("Europe/Lisbon", date(2026, 10, 25), time(8), time(16), (utc(2026, 10, 25, 8), utc(2026, 10, 25, 16)), 8),
        # Spring forward: 02:00–03:00 does not exist, so 01:00–03:00 is 1 real hour.
        ("America/Toronto", date(2026, 3, 8), time(1), time(3), (utc(2026, 3, 8, 6), utc(2026, 3, 8, 7)), 1),
        ("Europe/Lisbon", date(2026, 3, 29), time(0, 30), time(2, 30), (utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1, 30)), 1),
        # A start inside the gap moves forward by the gap (to_utc): 02:00–02:30 becomes 03:00–03:30 EDT.
        ("America/Toronto", date(2026, 3, 8), time(2), time(2, 30), (utc(2026, 3, 8, 7), utc(2026, 3, 8, 7, 30)), 0.5),
        # Fall back: an ambiguous time means its first occurrence, so 01:00–03:00 is 3 real hours.
        ("America/Toronto", date(2026, 11, 1), time(1), time(3), (utc(2026, 11, 1, 5), utc(2026, 11, 1, 8)), 3),
        ("Europe/Lisbon", date(2026, 10, 25), time(0, 30), time(2, 30), (utc(2026, 10, 24, 23, 30), utc(2026, 10, 25, 2, 30)), 3),
        # Start in the gap, end just after it: the moved start passes the end; no real time.
        ("America/Toronto", date(2026, 3, 8), time(2, 30), time(3, 15), (utc(2026, 3, 8, 7, 30), utc(2026, 3, 8, 7, 30)), 0),
    ],
    ids=["toronto-spring-8-16", "toronto-fall-8-16", "lisbon-spring-8-16", "lisbon-fall-8-16",
         "toronto-spring-1-3", "lisbon-spring-0030-0230", "toronto-spring-inside-gap",
         "toronto-fall-1-3", "lisbon-fall-0030-0230", "toronto-spring-start-in-gap-end-after"],
)
def test_a_local_shift_on_a_dst_change_day_spans_what_to_utc_says(zone, day, start, end, instants, hours):
    shift = Shift(day=day, start_time=start, end_time=end, breaks=[])
    assert svc.shift_instants(shift, zone) == instants
    intervals = svc.working_intervals(shift, zone)
    assert sum((e - s for s, e in intervals), timedelta()) == timedelta(hours=hours)
    assert intervals == ([instants] if hours else [])


def test_working_intervals_leave_out_the_breaks_on_a_fall_back_day():
    shift = Shift(day=date(2026, 11, 1), start_time=time(8), end_time=time(16),
                  breaks=[ShiftBreak(start_time=time(15), end_time=time(15, 15)),
                          ShiftBreak(start_time=time(12), end_time=time(12, 30))])
    assert svc.working_intervals(shift, "America/Toronto") == [
        (utc(2026, 11, 1, 13), utc(2026, 11, 1, 17)),
        (utc(2026, 11, 1, 17, 30), utc(2026, 11, 1, 20)),
        (utc(2026, 11, 1, 20, 15), utc(2026, 11, 1, 21)),
    ]


def test_a_break_at_the_start_of_a_shift_leaves_only_the_rest():
    from zoneinfo import ZoneInfo

    shift = Shift(day=date(2026, 3, 29), start_time=time(8), end_time=time(10),
                  breaks=[ShiftBreak(start_time=time(8), end_time=time(8, 30))])
    assert svc.working_intervals(shift, ZoneInfo("Europe/Lisbon")) == [
        (utc(2026, 3, 29, 7, 30), utc(2026, 3, 29, 9))]
