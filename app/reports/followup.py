"""Cases that need a decision: insurer authorisations running out, and open cases due
for reassessment or lost to follow-up. One grouped statement per table."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import and_, case, func, literal, or_, select

from app.billing.packages import AHEAD, EXPIRY_WARNING_DAYS, LOW_REMAINING, VISITED
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.extensions import db
from app.i18n import N_
from app.models import Appointment, Case, Client, Payer, TeamMember
from app.reports.base import Column, Filters, Report, nothing_if_no_member
from app.timeutil import UTC

REASSESS_AFTER_VISITS = 6
LOST_AFTER_DAYS = 30
LIMIT = 500
REASSESSMENT, LOST = N_("reassessment"), N_("lost to follow-up")  # row texts, translated when shown

DEFINITIONS = [  # translated when shown (lazy)
    _l(
        "Authorisations running out: open cases with authorised visits where the visits left (authorised "
        "− attended − booked ahead) are %(low_remaining)s or fewer, or whose authorisation expires "
        "within %(expiry_warning_days)s days of the period's last day (or has expired). The same rule as "
        "the alerts beside a case when booking.",
        low_remaining=LOW_REMAINING, expiry_warning_days=EXPIRY_WARNING_DAYS),
    _l(
        "Due for reassessment: open cases with %(reassess_after_visits)s or more attended visits and "
        "nothing booked ahead. Lost to follow-up: open cases whose last attended visit is more than "
        "%(lost_after_days)s days before the period's last day, with nothing booked ahead.",
        reassess_after_visits=REASSESS_AFTER_VISITS, lost_after_days=LOST_AFTER_DAYS),
    _l(
        "With a provider filter (and for providers), only cases that provider treats."),
]


def _case_counts(filters: Filters):
    visited = func.sum(case((Appointment.status.in_(VISITED), 1), else_=0))
    ahead = func.sum(case((and_(Appointment.status.in_(AHEAD)), 1), else_=0))
    last = func.max(case((Appointment.status.in_(VISITED), Appointment.starts_at)))
    counts = (select(Appointment.case_id, visited.label("visited"), ahead.label("ahead"), last.label("last_at"))
              .group_by(Appointment.case_id).subquery())
    query = (select(Case.id, Case.title, Client.first_name, Client.last_name, Payer.name.label("payer"),
                    TeamMember.display_name.label("provider"), Case.authorised_visits, Case.authorisation_expires_on,
                    func.coalesce(counts.c.visited, 0).label("visited"), func.coalesce(counts.c.ahead, 0).label("ahead"),
                    counts.c.last_at)
             .join(Client, Client.id == Case.client_id)
             .outerjoin(Payer, Payer.id == Case.payer_id)
             .outerjoin(TeamMember, TeamMember.id == Case.provider_id)
             .outerjoin(counts, counts.c.case_id == Case.id)
             .where(Case.closed_on.is_(None)))
    if filters.provider_id is not None:
        query = query.where(Case.provider_id == filters.provider_id)
    if filters.location_id is not None:
        query = query.where(Client.home_location_id == filters.location_id)
    return nothing_if_no_member(query, filters), counts


def authorisations(filters: Filters) -> list[dict]:
    query, counts = _case_counts(filters)
    left = Case.authorised_visits - func.coalesce(counts.c.visited, 0) - func.coalesce(counts.c.ahead, 0)
    soon = filters.date_to + timedelta(days=EXPIRY_WARNING_DAYS)
    rows = db.session.execute(query.where(or_(
        and_(Case.authorised_visits.is_not(None), left <= LOW_REMAINING),
        and_(Case.authorisation_expires_on.is_not(None), Case.authorisation_expires_on <= soon)))
        .order_by(Case.authorisation_expires_on, Case.id).limit(LIMIT)).all()
    return [{"client": f"{r.first_name} {r.last_name}", "case": r.title, "payer": r.payer or "",
             "provider": r.provider or "", "authorised": r.authorised_visits, "visited": r.visited, "ahead": r.ahead,
             "left": None if r.authorised_visits is None else r.authorised_visits - r.visited - r.ahead,
             "flag": _overrun(r.authorised_visits, r.visited, r.ahead),
             "expires_on": r.authorisation_expires_on.isoformat() if r.authorisation_expires_on else ""} for r in rows]


def _overrun(authorised: int | None, visited: int | None, ahead: int | None) -> str:
    """Visits beyond the authorisation, said in words (a bare "Left -6" was easy to miss)."""
    if authorised is None:
        return ""
    over = (visited or 0) + (ahead or 0) - authorised
    if over <= 0:
        return ""
    return ngettext("Over by %(num)s visit: renew or bill the client", "Over by %(num)s visits: renew or bill the client",
                    over)


def due(filters: Filters) -> list[dict]:
    query, counts = _case_counts(filters)
    cutoff = datetime.combine(filters.date_to - timedelta(days=LOST_AFTER_DAYS), time(0), UTC)
    reason = case((func.coalesce(counts.c.visited, 0) >= REASSESS_AFTER_VISITS, literal(REASSESSMENT)),
                  else_=literal(LOST)).label("reason")
    rows = db.session.execute(query.add_columns(reason).where(
        func.coalesce(counts.c.ahead, 0) == 0,
        or_(func.coalesce(counts.c.visited, 0) >= REASSESS_AFTER_VISITS, counts.c.last_at < cutoff))
        .order_by(counts.c.last_at, Case.id).limit(LIMIT)).all()
    return [{"client": f"{r.first_name} {r.last_name}", "case": r.title, "provider": r.provider or "",
             "visited": r.visited, "last_visit": r.last_at.date().isoformat() if r.last_at else "",
             "reason": r.reason} for r in rows]


def report(filters: Filters) -> Report:
    auth = authorisations(filters)
    due_rows = due(filters)
    chart = {"type": "bar", "labels": [N_("Authorisations running out"), N_("Due for reassessment"), N_("Lost to follow-up")],
             "percent": False, "datasets": [{"label": N_("Cases"), "data": [
                 len(auth), sum(r["reason"] == "reassessment" for r in due_rows),
                 sum(r["reason"] != "reassessment" for r in due_rows)]}]}
    due_table = Report("due", "Cases due", [
        Column("client", "Patient"), Column("case", "Case"), Column("provider", "Provider"),
        Column("visited", "Visits", "int"), Column("last_visit", "Last visit"), Column("reason", "Why")], due_rows, [])
    return Report("followup", "Authorisations and cases due", [
        Column("client", "Patient"), Column("case", "Case"), Column("payer", "Payer"), Column("provider", "Provider"),
        Column("authorised", "Authorised", "int"), Column("visited", "Attended", "int"),
        Column("ahead", "Booked ahead", "int"), Column("left", "Left", "int"), Column("flag", "Overrun"),
        Column("expires_on", "Expires")],
        auth, DEFINITIONS, chart, extra=[due_table])
