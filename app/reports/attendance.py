"""Attendance: no-show and late-cancel rates by provider, session type, weekday or hour,
and cancellations by how far ahead they were made. One grouped statement each."""
from __future__ import annotations

from sqlalchemy import Integer, and_, case, cast, func, literal, select

from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.i18n import N_
from app.models import Appointment, AppointmentStatus, Calendar, CalendarKind, Location, Occupancy, SessionType, TeamMember
from app.reports import sql
from app.reports.base import Column, Filters, Report, bar_chart, nothing_if_no_member, ratio

S = AppointmentStatus
DUE = (S.arrived, S.paid, S.no_show, S.canceled)
GROUPINGS = ("provider", "session_type", "weekday", "hour")
# Row texts, translated when shown (app/views/reports.ROW_TEXTS).
WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday"))
LEAD_BUCKETS = ((0, 24, N_("under 24 hours")), (24, 48, N_("24–48 hours")), (48, 168, N_("2–7 days")),
                (168, None, N_("7 days or more")))

DEFINITIONS = [  # translated when shown (lazy)
    _l(
        "Visits counted: appointments whose start falls in the period (on the location's clock) and "
        "whose outcome is known — arrived, paid, no-show or canceled. Rebooked visits are counted once, "
        "at their new time; visits still booked or confirmed are left out."),
    _l(
        "No-show rate = no-shows ÷ visits counted. Late-cancel rate = cancellations inside the "
        "location's late-cancel window ÷ visits counted. Cancel rate = all cancellations ÷ visits "
        "counted."),
    _l(
        "Provider: the provider calendar the visit was booked on. Weekday and hour: of the visit's "
        "start, local time."),
    _l(
        "Cancellations by lead time: how long before the visit's start it was canceled (the moment a "
        "canceled visit last changed, which is its cancellation: a canceled visit cannot change status "
        "again)."),
]


def _base(filters: Filters):
    lower, upper = filters.utc_bounds
    conditions = [Appointment.starts_at >= lower, Appointment.starts_at < upper,
                  *sql.on_local_dates(Appointment.starts_at, Location.timezone, filters.date_from, filters.date_to)]
    if filters.location_id is not None:
        conditions.append(Appointment.location_id == filters.location_id)
    if filters.session_type_id is not None:
        conditions.append(Appointment.session_type_id == filters.session_type_id)
    provider_calendar = (select(Occupancy.appointment_id.label("appointment_id"), Calendar.team_member_id.label("member_id"))
                         .join(Calendar, Calendar.id == Occupancy.calendar_id)
                         .where(Calendar.kind == CalendarKind.provider).subquery())
    if filters.provider_id is not None:
        conditions.append(provider_calendar.c.member_id == filters.provider_id)
    return provider_calendar, conditions


def _group(by: str, provider_calendar):
    if by == "provider":
        return func.coalesce(TeamMember.display_name, literal("(no provider)"))
    if by == "session_type":
        return SessionType.name
    if by == "weekday":
        return sql.local(Appointment.starts_at, Location.timezone, "dow")
    return sql.local(Appointment.starts_at, Location.timezone, "hour")


def figures(filters: Filters, by: str = "provider") -> list[dict]:
    if by not in GROUPINGS:
        by = "provider"
    provider_calendar, conditions = _base(filters)
    key = _group(by, provider_calendar).label("key")
    is_ = lambda status: func.sum(case((Appointment.status == status, 1), else_=0))  # noqa: E731
    query = (
        select(key, func.count(Appointment.id).label("visits"), is_(S.no_show).label("no_shows"),
               is_(S.canceled).label("canceled"),
               func.sum(case((and_(Appointment.status == S.canceled, Appointment.late_cancel.is_(True)), 1), else_=0))
               .label("late_cancels"))
        .select_from(Appointment)
        .join(Location, Location.id == Appointment.location_id)
        .join(SessionType, SessionType.id == Appointment.session_type_id)
        .outerjoin(provider_calendar, provider_calendar.c.appointment_id == Appointment.id)
        .outerjoin(TeamMember, TeamMember.id == provider_calendar.c.member_id)
        .where(Appointment.status.in_(DUE), *conditions)
        .group_by(key).order_by(key)
    )
    rows = db.session.execute(nothing_if_no_member(query, filters)).all()
    out = []
    for row in rows:
        label = row.key
        if by == "weekday" and row.key is not None:
            label = WEEKDAYS[int(row.key)]
        elif by == "hour" and row.key is not None:
            label = f"{int(row.key):02d}:00"
        out.append({"group": label, "visits": row.visits, "no_shows": int(row.no_shows or 0),
                    "late_cancels": int(row.late_cancels or 0), "canceled": int(row.canceled or 0),
                    "no_show_rate": ratio(row.no_shows, row.visits), "late_cancel_rate": ratio(row.late_cancels, row.visits),
                    "cancel_rate": ratio(row.canceled, row.visits)})
    return out


def lead_times(filters: Filters) -> list[dict]:
    provider_calendar, conditions = _base(filters)
    hours = sql.minutes_between(Appointment.updated_at, Appointment.starts_at) / 60
    bucket = case(*[(hours < high, literal(n)) for n, (_, high, _) in enumerate(LEAD_BUCKETS) if high is not None],
                  else_=literal(len(LEAD_BUCKETS) - 1)).label("bucket")
    query = (select(cast(bucket, Integer).label("bucket"), func.count(Appointment.id).label("n"))
             .select_from(Appointment)
             .join(Location, Location.id == Appointment.location_id)
             .outerjoin(provider_calendar, provider_calendar.c.appointment_id == Appointment.id)
             .where(Appointment.status == S.canceled, *conditions)
             .group_by(bucket))
    counts = dict(db.session.execute(nothing_if_no_member(query, filters)).all())
    total = sum(counts.values())
    return [{"lead": label, "canceled": counts.get(n, 0), "share": ratio(counts.get(n, 0), total)}
            for n, (_, _, label) in enumerate(LEAD_BUCKETS)]


def report(filters: Filters, by: str = "provider") -> Report:
    rows = figures(filters, by)
    lead = lead_times(filters)
    chart = bar_chart([r["group"] for r in rows], {
        "No-show rate": [r["no_show_rate"] for r in rows], "Late-cancel rate": [r["late_cancel_rate"] for r in rows]},
        percent=True)
    label = {"provider": "Provider", "session_type": "Session type", "weekday": "Weekday", "hour": "Hour"}[
        by if by in GROUPINGS else "provider"]
    lead_table = Report("lead", "Cancellations by lead time", [
        Column("lead", "Canceled ahead by"), Column("canceled", "Cancellations", "int"),
        Column("share", "Share", "percent")], lead, [])
    return Report("attendance", "Attendance", [
        Column("group", label), Column("visits", "Visits counted", "int"), Column("no_shows", "No-shows", "int"),
        Column("no_show_rate", "No-show rate", "percent"), Column("late_cancels", "Late cancels", "int"),
        Column("late_cancel_rate", "Late-cancel rate", "percent"), Column("canceled", "All cancels", "int"),
        Column("cancel_rate", "Cancel rate", "percent")], rows, DEFINITIONS, chart, extra=[lead_table])
