"""A case's treatment plan, its reassessment and the discharge, and the case alerts the
provider's day and the client file show (reassessment due, authorisation running out).

Reassessment is due when the visits attended since the plan started reach
``reassess_after_visits``, or on ``reassess_on``, whichever comes first. Authorisation
alerts count attended and booked-ahead visits the way billing does
(``billing.packages``): two or fewer left is worth saying.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext, ngettext
from sqlalchemy import case as sql_case, func, select

from app.billing.packages import AHEAD, LOW_REMAINING, VISITED
from app.errors import Forbidden, Problem, ValidationFailed
from app.extensions import db
from app.i18n.formatting import day_month_short
from app.models import Appointment, Case, TreatmentPlan
from app.security import CLINICAL_NOTES, WRITE, clinical_case_scope, in_scope, may

PLAN_FIELDS = ("planned_sessions", "frequency", "goals", "reassess_after_visits", "reassess_on", "starts_on")


def plan_of(case_id: int) -> TreatmentPlan | None:
    return db.session.scalar(select(TreatmentPlan).where(TreatmentPlan.case_id == case_id))


def _require_provider_of_case(actor, case: Case) -> None:
    if not may(actor, WRITE, CLINICAL_NOTES) or not in_scope(clinical_case_scope(actor), case.id):
        raise Forbidden("Only providers treating the case change its plan.")


def save_plan(*, case: Case, actor, values: dict, today: date) -> TreatmentPlan:
    """Create or change the case's plan (audited through the model)."""
    _require_provider_of_case(actor, case)
    problems = []
    for key in ("planned_sessions", "reassess_after_visits"):
        value = values.get(key)
        if value is not None and (not isinstance(value, int) or value <= 0):
            problems.append(Problem("A positive whole number, or empty.", key))
    if values.get("reassess_on") and values.get("starts_on") and values["reassess_on"] < values["starts_on"]:
        problems.append(Problem("Reassessment cannot come before the plan starts.", "reassess_on"))
    if problems:
        raise ValidationFailed("The plan is not valid.", problems)
    plan = plan_of(case.id) or TreatmentPlan(case_id=case.id, starts_on=today)
    for key in PLAN_FIELDS:
        if key in values:
            setattr(plan, key, values[key] if key != "starts_on" else (values[key] or plan.starts_on or today))
    db.session.add(plan)
    db.session.flush()
    return plan


def discharge(*, case: Case, actor, on: date, summary: str) -> TreatmentPlan:
    """Discharge the case with a summary note; the case closes on the same day."""
    _require_provider_of_case(actor, case)
    summary = (summary or "").strip()
    if not summary:
        raise ValidationFailed("Write a discharge summary.", [Problem("Required.", "discharge_summary")])
    if on < case.opened_on:
        raise ValidationFailed("Discharge cannot come before the case opened.", [Problem("Too early.", "discharged_on")])
    plan = plan_of(case.id) or TreatmentPlan(case_id=case.id, starts_on=case.opened_on)
    plan.discharged_on, plan.discharge_summary = on, summary
    case.closed_on = case.closed_on or on
    db.session.add(plan)
    db.session.flush()
    return plan


@dataclass
class CaseAlerts:
    reassessment: str | None = None
    authorisation: str | None = None
    attended_since_plan: int = 0
    messages: list[str] = field(default_factory=list)


def case_alerts(case_ids: list[int], *, today: date) -> dict[int, CaseAlerts]:
    """Per case: reassessment due and authorisation nearly used, in three statements
    whatever the number of cases (cases, plans, visit counts)."""
    if not case_ids:
        return {}
    cases = {c.id: c for c in db.session.scalars(select(Case).where(Case.id.in_(case_ids)))}
    plans = {p.case_id: p for p in db.session.scalars(select(TreatmentPlan).where(TreatmentPlan.case_id.in_(case_ids)))}
    counts: dict[int, dict] = {}
    # Attended visits since the plan started, and all attended or booked ahead (authorisation).
    plan_start = (select(TreatmentPlan.starts_on).where(TreatmentPlan.case_id == Appointment.case_id)
                  .correlate(Appointment).scalar_subquery())
    rows = db.session.execute(
        select(Appointment.case_id, Appointment.status, func.count(Appointment.id),
               func.sum(sql_case((func.date(Appointment.starts_at) >= func.coalesce(plan_start, date(1900, 1, 1)), 1),
                             else_=0)))
        .where(Appointment.case_id.in_(case_ids), Appointment.status.in_((*VISITED, *AHEAD)))
        .group_by(Appointment.case_id, Appointment.status)).all()
    for case_id, status, count, since_plan in rows:
        entry = counts.setdefault(case_id, {"visited": 0, "ahead": 0, "since_plan": 0})
        entry["visited" if status in VISITED else "ahead"] += count
        if status in VISITED:
            entry["since_plan"] += int(since_plan or 0)
    alerts = {}
    for case_id in case_ids:
        case, plan, entry = cases.get(case_id), plans.get(case_id), counts.get(case_id, {})
        if case is None:
            continue
        result = CaseAlerts(attended_since_plan=entry.get("since_plan", 0))
        if plan is not None and plan.discharged_on is None:
            result.reassessment = _reassessment(plan, result.attended_since_plan, today)
        if case.authorised_visits is not None:
            left = case.authorised_visits - entry.get("visited", 0) - entry.get("ahead", 0)
            if left <= LOW_REMAINING:
                result.authorisation = (gettext("authorisation used up") if left <= 0 else ngettext(
                    "authorisation: %(num)s visit left", "authorisation: %(num)s visits left", left))
        result.messages = [m for m in (result.reassessment, result.authorisation) if m]
        alerts[case_id] = result
    return alerts


def _reassessment(plan: TreatmentPlan, attended: int, today: date) -> str | None:
    if plan.reassess_on is not None and plan.reassess_on <= today:
        return gettext("reassessment due (since %(date)s)", date=day_month_short(plan.reassess_on))
    if plan.reassess_after_visits is not None:
        left = plan.reassess_after_visits - attended
        if left <= 0:
            return ngettext("reassessment due (%(num)s visit)", "reassessment due (%(num)s visits)", attended)
        if left == 1:
            return gettext("reassessment due next visit")
    return None
