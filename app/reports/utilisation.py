"""Utilisation: booked minutes ÷ shift minutes, per calendar (providers, rooms and
equipment) and week. Two grouped statements (shift minutes, booked minutes) merged by key."""
from __future__ import annotations

from sqlalchemy import and_, func, select

from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import Appointment, Calendar, Location, Occupancy, Shift
from app.reports import sql
from app.reports.base import Column, Filters, Report, bar_chart, nothing_if_no_member, ratio

DEFINITIONS = [  # translated when shown (lazy)
    _l(
        "Shift minutes: the wall-clock length of each shift on a date in the period, minus its breaks (a "
        "shift on a daylight-saving day counts the hours on the clock, as the clinic planned them)."),
    _l(
        "Booked minutes: the time held on the calendar by appointments that still hold it — booked, "
        "confirmed, arrived, paid and no-show (a no-show kept the slot); canceled and rebooked visits "
        "are not counted. Buffers set on a calendar count as booked."),
    _l(
        "A visit belongs to the week (Monday to Sunday) and date of its start on the location's clock."),
    _l(
        "Utilisation = booked minutes ÷ shift minutes. Time booked outside shifts (overlaps allowed by "
        "hand) can make it exceed 100%."),
    _l(
        "The session-type filter narrows the booked minutes only; shift minutes are all of the "
        "calendar's."),
]


def _calendars(filters: Filters):
    query = select(Calendar.id).where(Calendar.active.is_(True))
    if filters.location_id is not None:
        query = query.where(Calendar.location_id == filters.location_id)
    if filters.provider_id is not None:
        query = query.where(Calendar.team_member_id == filters.provider_id)
    return nothing_if_no_member(query, filters)


def figures(filters: Filters) -> dict[tuple[int, str], dict]:
    """(calendar id, week) → shift and booked minutes."""
    calendars = _calendars(filters)
    worked = sql.shift_worked_minutes()
    week = sql.week_of(Shift.day).label("week")
    shift_rows = db.session.execute(
        select(Shift.calendar_id, week, func.sum(worked).label("minutes"))
        .where(Shift.calendar_id.in_(calendars), Shift.day >= filters.date_from, Shift.day <= filters.date_to)
        .group_by(Shift.calendar_id, week)
    ).all()
    lower, upper = filters.utc_bounds
    booked_week = sql.local(Appointment.starts_at, Location.timezone, "week").label("week")
    conditions = [Occupancy.calendar_id.in_(calendars), Occupancy.active.is_(True),
                  Appointment.starts_at >= lower, Appointment.starts_at < upper,
                  *sql.on_local_dates(Appointment.starts_at, Location.timezone, filters.date_from, filters.date_to)]
    if filters.session_type_id is not None:
        conditions.append(Appointment.session_type_id == filters.session_type_id)
    booked_rows = db.session.execute(
        select(Occupancy.calendar_id, booked_week,
               func.sum(sql.minutes_between(Occupancy.starts_at, Occupancy.ends_at)).label("minutes"))
        .join(Appointment, Appointment.id == Occupancy.appointment_id)
        .join(Location, Location.id == Appointment.location_id)
        .where(and_(*conditions))
        .group_by(Occupancy.calendar_id, booked_week)
    ).all()
    merged: dict[tuple[int, str], dict] = {}
    for calendar_id, wk, minutes in shift_rows:
        merged.setdefault((calendar_id, str(wk)[:10]), {"shift": 0, "booked": 0})["shift"] = round(float(minutes or 0))
    for calendar_id, wk, minutes in booked_rows:
        merged.setdefault((calendar_id, str(wk)[:10]), {"shift": 0, "booked": 0})["booked"] = round(float(minutes or 0))
    return merged


def report(filters: Filters) -> Report:
    merged = figures(filters)
    ids = sorted({cid for cid, _ in merged})
    found = db.session.execute(select(Calendar.id, Calendar.name, Calendar.kind).where(Calendar.id.in_(ids))).all() if ids else []
    names = {cid: name for cid, name, _ in found}
    kinds = {cid: kind for cid, _, kind in found}
    rows = []
    for (calendar_id, week), m in sorted(merged.items(), key=lambda kv: (names.get(kv[0][0], ""), kv[0][1])):
        rows.append({"calendar": names.get(calendar_id, "?"), "kind": getattr(kinds.get(calendar_id), "value", ""),
                     "week": week, "shift_minutes": m["shift"], "booked_minutes": m["booked"],
                     "utilisation": ratio(m["booked"], m["shift"])})
    totals: dict[str, list[int]] = {}
    for row in rows:
        t = totals.setdefault(row["calendar"], [0, 0])
        t[0] += row["booked_minutes"]
        t[1] += row["shift_minutes"]
    chart = bar_chart(list(totals), {"Utilisation": [ratio(b, s) for b, s in totals.values()]}, percent=True)
    return Report("utilisation", "Utilisation", [
        Column("calendar", "Calendar"), Column("kind", "Kind"), Column("week", "Week of"),
        Column("shift_minutes", "Shift minutes", "int"), Column("booked_minutes", "Booked minutes", "int"),
        Column("utilisation", "Utilisation", "percent")], rows, DEFINITIONS, chart)
