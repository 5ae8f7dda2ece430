"""Outcome measures over cases: each scored form's series per case (with the visit each
score belongs to), what staff may see of them, and the change per case for reports.

Scores are clinical content: staff see them for the cases in ``clinical_case_scope``
(managers, and the providers treating the case) and every score shown is in the access
log as a read of its form ("score"). Two statements whatever the number of cases.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from app.access_log import record_read
from app.billing.packages import VISITED
from app.extensions import db
from app.intake.scoring import ScorePoint, ScoreSeries
from app.models import Appointment, FormSubmission, FormTemplate, FormVersion


def series_by_case(case_ids, *, within=None) -> dict[int, list[ScoreSeries]]:
    """Per case, each scored form's scores oldest first (“NPRS 7 → 3 over 6 visits”). A
    score's visit number counts the case's visits that took place (``VISITED``: not those
    booked ahead, canceled, rebooked or missed) before its own visit, plus that visit, or
    up to when it was sent in when it has none (at discharge).
    ``within``: a select of case ids to keep (a scope). One statement when no case has
    scores, two otherwise."""
    ids = sorted(set(case_ids))
    if not ids:
        return {}
    query = (select(FormSubmission.id, FormSubmission.case_id, FormSubmission.appointment_id, FormSubmission.score,
                    FormSubmission.submitted_at, FormVersion.scoring, FormTemplate.name)
             .join(FormVersion, FormVersion.id == FormSubmission.version_id)
             .join(FormTemplate, FormTemplate.id == FormVersion.template_id)
             .where(FormSubmission.case_id.in_(ids), FormSubmission.score.is_not(None))
             .order_by(FormSubmission.submitted_at, FormSubmission.id))
    if within is not None:
        query = query.where(FormSubmission.case_id.in_(within))
    rows = db.session.execute(query).all()
    if not rows:
        return {}
    starts: dict[int, list] = defaultdict(list)
    visit_start = {}
    for appointment_id, case_id, starts_at, status in db.session.execute(
            select(Appointment.id, Appointment.case_id, Appointment.starts_at, Appointment.status)
            .where(Appointment.case_id.in_({row.case_id for row in rows})).order_by(Appointment.starts_at)):
        visit_start[appointment_id] = starts_at
        if status in VISITED:
            starts[case_id].append(starts_at)
    result: dict[int, dict[str, ScoreSeries]] = defaultdict(dict)
    for row in rows:
        scoring = row.scoring or {}
        label = scoring.get("label") or row.name
        entry = result[row.case_id].setdefault(label, ScoreSeries(label, scoring.get("better", "higher"), []))
        if row.appointment_id in visit_start:  # its own visit is the next, even filled in before it
            number = bisect_left(starts[row.case_id], visit_start[row.appointment_id]) + 1
        else:
            number = bisect_right(starts[row.case_id], row.submitted_at)
        entry.points.append(ScorePoint(row.submitted_at, row.score, row.id, number or None))
    return {case_id: list(series.values()) for case_id, series in result.items()}


def readable_series(user, cases: dict[int, int]) -> dict[int, list[ScoreSeries]]:
    """``series_by_case`` for the cases ({case id: client id}) whose clinical content
    ``user`` may read; each score shown is logged."""
    from app.security import clinical_case_scope

    found = series_by_case(cases, within=clinical_case_scope(user))
    for case_id, series in found.items():
        for entry in series:
            for point in entry.points:
                record_read("form", point.submission_id, client_id=cases[case_id], action="score")
    return found


@dataclass(frozen=True)
class CaseChange:
    """One measure's change over one case, for reports."""
    case_id: int
    label: str
    better: str
    first: Decimal
    last: Decimal
    change: Decimal | None
    improved: bool | None
    scores: int
    visits: int | None


def changes_per_case(case_ids) -> list[CaseChange]:
    """The change of each measure over each case (first score to last), for reports; the
    caller scopes ``case_ids`` to what its reader may see."""
    found = []
    for case_id, series in sorted(series_by_case(case_ids).items()):
        for entry in series:
            first, last = entry.points[0], entry.points[-1]
            visits = (last.visit_number - first.visit_number + 1
                      if first.visit_number is not None and last.visit_number is not None else None)
            found.append(CaseChange(case_id, entry.label, entry.better, first.score, last.score, entry.change,
                                    entry.improved, len(entry.points), visits))
    return found


def report_table(case_ids):
    """The Patients report's table (``reports.patients.CASE_TABLES``): per measure, over the
    cases seen in the period with two scores or more, how many improved and the mean change."""
    from app.reports.base import Column, Report, ratio

    measures: dict[str, list[CaseChange]] = {}
    for change in changes_per_case(case_ids):
        if change.scores > 1:
            measures.setdefault(change.label, []).append(change)
    rows = [{"measure": label, "cases": len(found), "improved": sum(1 for r in found if r.improved),
             "rate": ratio(sum(1 for r in found if r.improved), len(found)),
             "mean_change": round(float(sum(r.change for r in found)) / len(found), 2)}
            for label, found in sorted(measures.items())]
    return Report("outcomes", "Outcome measures over cases (first score to last)",
                  [Column("measure", "Measure"), Column("cases", "Cases", "int"), Column("improved", "Improved", "int"),
                   Column("rate", "Share improved", "percent"), Column("mean_change", "Mean change", "number")],
                  rows, [])
