"""Outcome measures at discharge: when a case closes, the forms of the rules marked
``at_discharge`` go to the client through the outbox.

A case closes by the discharge on the case file (``clinical.plans.discharge``), by the case
form or by the API; one place covers them all. A flush listener notes each case whose
``closed_on`` goes from empty to a date, and just before the commit (in the same
transaction, so a rollback sends nothing) its forms are asked. The rule's session type,
when set, must be one the case was attended for; new/returning does not apply. A form the
client already has pending is not asked again (as with the booking rules).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import event, inspect, or_, select
from sqlalchemy.orm import Session

from app.billing.packages import VISITED
from app.extensions import db
from app.intake import rules, sending, service
from app.models import Appointment, Case, FormRequest, FormRule, FormTemplate
from app.timeutil import utcnow

_CLOSING = "plinth_cases_closing"


def connect() -> None:
    """Called once by app.configure_receivers (a repeat is ignored)."""
    for name, listener in (("before_flush", _note_closing), ("before_commit", _ask_forms),
                           ("after_rollback", _forget)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def _note_closing(session: Session, flush_context, instances) -> None:
    for obj in session.dirty:
        if not isinstance(obj, Case) or obj.id is None or obj.closed_on is None:
            continue
        history = inspect(obj).attrs.closed_on.history
        if not history.added:
            continue
        if history.deleted:
            was_open = history.deleted[0] is None
        else:  # the old value was not loaded: the row still holds it (this flush has not run)
            was_open = session.execute(select(Case.closed_on).where(Case.id == obj.id)).scalar() is None
        if was_open:
            session.info.setdefault(_CLOSING, set()).add(obj.id)


def _ask_forms(session: Session) -> None:
    session.flush()  # before_commit runs before the commit's own flush: note what it closes
    for case_id in sorted(session.info.pop(_CLOSING, ())):
        case = session.get(Case, case_id)
        if case is not None and case.closed_on is not None:
            on_case_closed(case)


def _forget(session: Session) -> None:
    session.info.pop(_CLOSING, None)


def discharge_rules(case: Case) -> list[FormRule]:
    attended_types = select(Appointment.session_type_id).where(
        Appointment.case_id == case.id, Appointment.status.in_(VISITED))
    return list(db.session.scalars(select(FormRule).join(FormTemplate).where(
        FormRule.active.is_(True), FormRule.at_discharge.is_(True), FormTemplate.active.is_(True),
        or_(FormRule.session_type_id.is_(None), FormRule.session_type_id.in_(attended_types)))
        .order_by(FormRule.id)))


def on_case_closed(case: Case, now: datetime | None = None) -> list[FormRequest]:
    """Ask the discharge forms of ``case`` now (no visit: no reminder, no visit re-check)."""
    now = now or utcnow()
    asked = []
    for rule in discharge_rules(case):
        if rule.template.current is None or rules.already_pending(case.client_id, rule.template_id, now):
            continue
        form_request = service.create_request(rule.template, case.client_id, case_id=case.id, now=now)
        sending.send(form_request, now=now)
        asked.append(form_request)
    return asked
