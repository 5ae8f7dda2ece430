"""Patients: new vs returning per month, sessions per patient and per case, retention,
referral sources. Grouped statements only; each table is one statement."""
from __future__ import annotations

from typing import Callable

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import aliased

from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import Appointment, AppointmentStatus, Calendar, CalendarKind, Case, Location, Occupancy
from app.reports import sql
from app.reports.base import Column, Filters, Report, bar_chart, nothing_if_no_member, ratio

S = AppointmentStatus
ATTENDED = (S.arrived, S.paid)
RETENTION_WEEKS = 6

DEFINITIONS = [  # translated when shown (lazy)
    _l(
        "A session is an attended visit: arrived or paid. Months are on the location's clock."),
    _l(
        "New patient in a month: a patient whose first attended visit ever (at any location, with any "
        "provider) falls in that month; returning: a patient seen that month who had been seen before."),
    _l(
        "Sessions per patient / per case: attended visits in the period, counted for each patient (case) "
        "seen in the period; the table shows how many patients (cases) had 1, 2, 3… sessions."),
    _l(
        "Retention: of the patients whose first visit ever falls in the period, the share who came back "
        "for another attended visit within %(retention_weeks)s weeks of it (a visit after the period's "
        "end counts).",
        retention_weeks=RETENTION_WEEKS),
    _l(
        "Referral sources: the referral recorded on cases opened in the period (empty: not recorded)."),
    _l(
        "Outcome measures: for each case seen in the period with two scores or more of a measure (NPRS, "
        "PSFS, GROC…), the change from its first score to its last; improved means it moved the better way."),
    _l(
        "With a provider filter, visits are those booked on that provider's calendar."),
]


def _attended(filters: Filters, *, in_period: bool = True):
    """Attended visits (appointment id, client id, case id, start, zone) within the filters."""
    conditions = [Appointment.status.in_(ATTENDED)]
    if in_period:
        lower, upper = filters.utc_bounds
        conditions += [Appointment.starts_at >= lower, Appointment.starts_at < upper,
                       *sql.on_local_dates(Appointment.starts_at, Location.timezone, filters.date_from, filters.date_to)]
    if filters.location_id is not None:
        conditions.append(Appointment.location_id == filters.location_id)
    if filters.session_type_id is not None:
        conditions.append(Appointment.session_type_id == filters.session_type_id)
    if filters.provider_id is not None:
        conditions.append(Appointment.id.in_(
            select(Occupancy.appointment_id).join(Calendar, Calendar.id == Occupancy.calendar_id)
            .where(Calendar.kind == CalendarKind.provider, Calendar.team_member_id == filters.provider_id)))
    query = (select(Appointment.id.label("id"), Case.client_id.label("client_id"), Appointment.case_id.label("case_id"),
                    Appointment.starts_at.label("starts_at"), Location.timezone.label("zone"))
             .join(Case, Case.id == Appointment.case_id)
             .join(Location, Location.id == Appointment.location_id)
             .where(*conditions))
    return nothing_if_no_member(query, filters)


def new_and_returning(filters: Filters) -> list[dict]:
    visits = _attended(filters).subquery()
    # First visits of the period's patients only: their own histories, not everyone's.
    first = (select(Case.client_id.label("client_id"), func.min(Appointment.starts_at).label("first_at"))
             .join(Case, Case.id == Appointment.case_id)
             .where(Appointment.status.in_(ATTENDED), Case.client_id.in_(select(visits.c.client_id)))
             .group_by(Case.client_id).subquery())
    month = sql.local(visits.c.starts_at, visits.c.zone, "month").label("month")
    first_month = sql.local(first.c.first_at, visits.c.zone, "month")
    rows = db.session.execute(
        select(month, func.count(func.distinct(visits.c.client_id)).label("patients"),
               func.count(func.distinct(case((first_month == month, visits.c.client_id)))).label("new"),
               func.count(visits.c.id).label("sessions"))
        .join(first, first.c.client_id == visits.c.client_id)
        .group_by(month).order_by(month)).all()
    return [{"month": str(r.month)[:7], "patients": r.patients, "new": r.new, "returning": r.patients - r.new,
             "sessions": r.sessions} for r in rows]


def distribution(filters: Filters, per: str) -> list[dict]:
    visits = _attended(filters).subquery()
    column = visits.c.client_id if per == "patient" else visits.c.case_id
    counts = select(column.label("who"), func.count().label("n")).group_by(column).subquery()
    rows = db.session.execute(select(counts.c.n, func.count().label("k")).group_by(counts.c.n).order_by(counts.c.n)).all()
    return [{"sessions": n, "count": k} for n, k in rows]


def retention(filters: Filters, weeks: int = RETENTION_WEEKS) -> dict:
    # A first visit in the period is a visit in the period: only those patients' histories are read.
    seen = _attended(filters).subquery()
    everything = _attended(filters, in_period=False).where(Case.client_id.in_(select(seen.c.client_id))).subquery()
    first = (select(everything.c.client_id, func.min(everything.c.starts_at).label("first_at"),
                    func.min(everything.c.zone).label("zone"))
             .group_by(everything.c.client_id).subquery())
    later = aliased(everything)
    came_back = (select(later.c.id).where(later.c.client_id == first.c.client_id, later.c.starts_at > first.c.first_at,
                                          sql.minutes_between(first.c.first_at, later.c.starts_at) <= weeks * 7 * 1440)
                 .correlate(first).exists())
    row = db.session.execute(
        select(func.count().label("new"), func.sum(case((came_back, 1), else_=0)).label("back"))
        .where(*sql.on_local_dates(first.c.first_at, first.c.zone, filters.date_from, filters.date_to))).one()
    return {"new": row.new or 0, "back": int(row.back or 0), "rate": ratio(row.back, row.new)}


def referrals(filters: Filters) -> list[dict]:
    source = func.coalesce(func.nullif(func.trim(Case.referral_source), ""), literal("(not recorded)")).label("source")
    query = (select(source, func.count(Case.id).label("cases"))
             .where(Case.opened_on >= filters.date_from, Case.opened_on <= filters.date_to)
             .group_by(source).order_by(func.count(Case.id).desc()))
    if filters.provider_id is not None:
        query = query.where(Case.provider_id == filters.provider_id)
    return [{"source": s, "cases": n} for s, n in db.session.execute(nothing_if_no_member(query, filters))]


# Other areas add tables over the cases seen in the period (intake: the outcome measures'
# change per case) by registering ``(case_ids: list[int]) -> Report``.
CASE_TABLES: list[Callable[[list[int]], Report]] = []


def cases_seen(filters: Filters) -> list[int]:
    """The cases with an attended visit in the period, within the filters."""
    visits = _attended(filters).subquery()
    return list(db.session.scalars(select(visits.c.case_id).distinct()))


def report(filters: Filters) -> Report:
    months = new_and_returning(filters)
    kept = retention(filters)
    chart = bar_chart([m["month"] for m in months], {"New": [m["new"] for m in months],
                                                     "Returning": [m["returning"] for m in months]})
    chart["stacked"] = True
    per_patient, per_case = distribution(filters, "patient"), distribution(filters, "case")

    def summary(rows):
        people = sum(r["count"] for r in rows)
        return ratio(sum(r["sessions"] * r["count"] for r in rows), people)

    extra = [
        Report("per_patient", f"Sessions per patient (average {_fmt(summary(per_patient))})",
               [Column("sessions", "Sessions", "int"), Column("count", "Patients", "int")], per_patient, []),
        Report("per_case", f"Sessions per case (average {_fmt(summary(per_case))})",
               [Column("sessions", "Sessions", "int"), Column("count", "Cases", "int")], per_case, []),
        Report("retention", f"Retention within {RETENTION_WEEKS} weeks",
               [Column("new", "New patients", "int"), Column("back", "Came back", "int"),
                Column("rate", "Retention", "percent")], [kept], []),
        Report("referrals", "Referral sources (cases opened)",
               [Column("source", "Source"), Column("cases", "Cases", "int")], referrals(filters), []),
    ]
    if CASE_TABLES:
        case_ids = cases_seen(filters)
        extra += [table(case_ids) for table in CASE_TABLES]
    return Report("patients", "Patients", [
        Column("month", "Month"), Column("patients", "Patients seen", "int"), Column("new", "New", "int"),
        Column("returning", "Returning", "int"), Column("sessions", "Sessions", "int")], months, DEFINITIONS,
        chart, extra=extra)


def _fmt(value) -> str:
    return "–" if value is None else f"{value:.1f}"

