"""`flask seed-demo`: a demo clinic that obeys the same rules as real bookings."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from flask import current_app
from sqlalchemy import func, inspect, select, text

from app.demo import (
    ADMIN_PASSWORD,
    FRONT_DESK_PASSWORD,
    MANAGER_PASSWORD,
    PROVIDER_PASSWORD,
    seed_demo,
)
from app.models import (
    Appointment,
    AppointmentStatus,
    Calendar,
    CalendarAccess,
    CalendarKind,
    Client,
    Location,
    Occupancy,
    Shift,
    TeamMember,
)

# Toronto moves its clocks forward on 8 March 2026, inside the demo weeks seeded from
# this instant (2 to 27 March), so local-time mistakes would show.
ACROSS_DST = datetime(2026, 3, 11, 15, 30, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def demo(app):
    """The demo clinic, seeded once per database for the read-only checks of this module."""
    from app.extensions import db as ext_db
    from tests.conftest import _truncate_all

    with app.app_context():
        result = seed_demo(now=ACROSS_DST)
        ext_db.session.remove()
    yield result
    with app.app_context():
        ext_db.session.remove()
        _truncate_all(ext_db)


@pytest.fixture()
def db(app):
    """This module's tests only read: keep the seeded clinic between them."""
    from app.extensions import db as ext_db

    with app.app_context():
        yield ext_db
        ext_db.session.rollback()
        ext_db.session.remove()



def test_it_builds_a_two_location_clinic(demo, db):
    assert demo.created
    zones = set(db.session.scalars(select(Location.timezone)))
    assert zones == {"America/Toronto", "Europe/Lisbon"}
    providers = db.session.scalars(select(TeamMember).where(TeamMember.is_provider)).all()
    assert len(providers) >= 6
    for member in providers:
        (calendar,) = [c for c in member.calendars if c.kind == CalendarKind.provider]
        assert db.session.scalar(select(CalendarAccess).where(
            CalendarAccess.user_id == member.user_id, CalendarAccess.calendar_id == calendar.id))
    assert {loc.name for member in providers for loc in member.locations} == set(
        db.session.scalars(select(Location.name)))
    assert _count(db, Calendar, Calendar.kind == CalendarKind.room) == 3
    assert _count(db, Calendar, Calendar.kind == CalendarKind.equipment) == 1
    assert _count(db, Client) == 40
    assert _count(db, Client, ~Client.cases.any()) == 0
    assert set(db.session.scalars(select(Appointment.status).distinct())) == set(AppointmentStatus)


def test_provider_and_room_shifts_have_breaks(demo, db):
    shifts = db.session.scalars(
        select(Shift).join(Calendar).where(Calendar.kind != CalendarKind.equipment)
    ).all()
    assert len(shifts) > 100
    assert all(shift.breaks for shift in shifts)


def test_shifts_cover_every_calendars_online_booking_horizon(demo, db):
    for calendar in db.session.scalars(select(Calendar).where(Calendar.kind == CalendarKind.provider)):
        zone = ZoneInfo(calendar.location.timezone)
        last_bookable = ACROSS_DST.astimezone(zone).date() + timedelta(days=calendar.booking_horizon_days)
        last_shift = db.session.scalar(select(func.max(Shift.day)).where(Shift.calendar_id == calendar.id))
        assert last_shift >= last_bookable - timedelta(days=3), calendar.name  # a weekend may end it


def test_no_two_active_exclusive_occupancies_of_a_calendar_overlap(demo, db):
    rows = db.session.execute(
        select(Occupancy.calendar_id, Occupancy.starts_at, Occupancy.ends_at)
        .where(Occupancy.active, Occupancy.exclusive)
        .order_by(Occupancy.calendar_id, Occupancy.starts_at)
    ).all()
    assert len(rows) > 300
    for previous, current in zip(rows, rows[1:]):
        if previous.calendar_id == current.calendar_id:
            assert previous.ends_at <= current.starts_at, (previous, current)


def test_every_booking_lies_inside_a_shift_and_outside_its_breaks(demo, db):
    shifts = {(s.calendar_id, s.day): s for s in db.session.scalars(select(Shift))}
    occupancies = db.session.scalars(select(Occupancy).join(Calendar)).all()
    assert {o.calendar.kind for o in occupancies} == set(CalendarKind)
    for occupancy in occupancies:
        zone = ZoneInfo(occupancy.calendar.location.timezone)
        start, end = occupancy.starts_at.astimezone(zone), occupancy.ends_at.astimezone(zone)
        assert start.date() == end.date()
        shift = shifts.get((occupancy.calendar_id, start.date()))
        assert shift is not None, f"no shift for {occupancy.calendar} on {start.date()}"
        assert shift.start_time <= start.time() and end.time() <= shift.end_time
        for pause in shift.breaks:
            assert end.time() <= pause.start_time or start.time() >= pause.end_time


def test_released_and_rebooked_appointments_hold_no_time(demo, db):
    released = (AppointmentStatus.canceled, AppointmentStatus.rebooked)
    for appointment in db.session.scalars(select(Appointment)):
        assert {o.active for o in appointment.occupancies} == {appointment.status not in released}
        assert appointment.occupancies[0].calendar.kind == CalendarKind.provider
    moved = db.session.scalars(
        select(Appointment).where(Appointment.status == AppointmentStatus.rebooked)).all()
    assert moved
    for original in moved:
        (new,) = db.session.scalars(select(Appointment).where(Appointment.rebooked_from_id == original.id))
        assert new.case_id == original.case_id and new.starts_at > original.starts_at


def test_past_is_history_and_future_is_bookings(demo, db):
    past = set(db.session.scalars(
        select(Appointment.status).where(Appointment.ends_at <= ACROSS_DST).distinct()))
    future = set(db.session.scalars(
        select(Appointment.status).where(Appointment.starts_at > ACROSS_DST).distinct()))
    assert past <= {AppointmentStatus.arrived, AppointmentStatus.paid, AppointmentStatus.no_show,
                    AppointmentStatus.canceled, AppointmentStatus.rebooked}
    assert future <= {AppointmentStatus.booked, AppointmentStatus.confirmed,
                      AppointmentStatus.canceled, AppointmentStatus.rebooked}


def test_new_cases_start_with_an_assessment(demo, db):
    visits = defaultdict(list)
    kept = (AppointmentStatus.booked, AppointmentStatus.confirmed, AppointmentStatus.arrived,
            AppointmentStatus.paid)
    for appointment in db.session.scalars(select(Appointment).order_by(Appointment.starts_at)):
        if appointment.status in kept:
            visits[appointment.case_id].append(appointment.session_type)
    for session_types in visits.values():
        for later in session_types[1:]:
            assert later.for_returning_clients, f"{later} is for new clients only"


def test_the_demo_logins_sign_in(demo, db):
    sm = current_app.appbuilder.sm

    for username, password in (("manager", MANAGER_PASSWORD), ("frontdesk", FRONT_DESK_PASSWORD),
                               ("provider", PROVIDER_PASSWORD), ("admin", ADMIN_PASSWORD)):
        user = sm.auth_user_db(username, password)
        assert user is not None and user.username == username
    assert sm.auth_user_db("provider", "wrong-password") is None


def test_past_visits_carry_their_money(demo, db):
    from app.billing import balances
    from app.models import Charge, Invoice, Payment

    paid = db.session.scalars(select(Appointment).where(Appointment.status == AppointmentStatus.paid)).all()
    assert paid and demo.counts["invoices"] > 0 and demo.counts["payments"] > 0
    for appointment in paid[:40]:
        charges = db.session.scalars(select(Charge).where(Charge.appointment_id == appointment.id)).all()
        assert charges and all(c.invoice_id for c in charges)
        owed = balances.of_invoices({c.invoice_id for c in charges})
        assert all(v <= 0 for v in owed.values())
    assert _count(db, Invoice) >= _count(db, Payment)
    assert balances.receivables(as_of=ACROSS_DST.date())  # some arrived visits are still owed


def test_six_months_of_history_give_the_reports_something_to_show(demo, db):
    from datetime import date

    from app.reports import attendance, patients
    from app.reports.base import Filters

    first = db.session.scalar(select(func.min(Appointment.starts_at)))
    assert first.date() <= date(2025, 9, 5)  # six months before the demo weeks (2 March 2026)
    assert demo.counts["history visits"] > 1000 and demo.counts["history invoices"] > 800
    half_year = Filters(date(2025, 9, 1), date(2026, 2, 28))
    visits = attendance.figures(half_year, "provider")
    counted, no_shows = sum(r["visits"] for r in visits), sum(r["no_shows"] for r in visits)
    assert 0.03 < no_shows / counted < 0.12 and sum(r["late_cancels"] for r in visits) > 20
    months = {m["month"]: m["sessions"] for m in patients.new_and_returning(half_year)}
    assert months["2025-10"] > months["2025-12"]  # the holidays are quieter
    assert sum(m["returning"] for m in patients.new_and_returning(half_year)) > 0


def _count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _row_counts(db) -> dict[str, int]:
    names = inspect(db.engine).get_table_names()
    counts = {name: db.session.scalar(text(f'SELECT count(*) FROM "{name}"')) for name in names}
    db.session.rollback()  # SQLite: let the command have the write lock again
    return counts


def test_the_clinical_record_is_there(demo, db):
    from app.clinical import signing
    from app.models import Addendum, Attachment, Note, TreatmentPlan

    maya = db.session.scalar(select(TeamMember).join(TeamMember.user).where(
        current_app.appbuilder.sm.user_model.username == "provider"))
    notes = db.session.scalars(select(Note).where(Note.author_id == maya.id)).all()
    signed = [n for n in notes if n.signed_at]
    assert len(signed) >= 3 and all(signing.verifies(n) for n in signed)
    assert [n for n in notes if not n.signed_at]  # one draft waits on her day
    assert db.session.scalar(select(func.count(Addendum.id))) == 1
    plan = db.session.scalars(select(TreatmentPlan)).one()
    assert plan.reassess_after_visits and plan.goals
    attachment = db.session.scalars(select(Attachment)).one()
    assert attachment.content_type == "application/pdf" and attachment.case_id == plan.case_id
