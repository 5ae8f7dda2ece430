"""Forms as services (no HTTP): versions, requests, drafts, submissions, status, scores.

The edge commits (``unit_of_work()``). Reads of answers by staff go through
``answers_for_staff`` / ``read_submission`` which check who may read them and log the read.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from app.access_log import record_read
from app.errors import Conflict, NotFound, Problem, ValidationFailed
from app.extensions import db
from app.intake import fields as kinds
from app.intake.definition import definition_problems
from app.intake.scoring import check_scoring, score
from app.models import FormRequest, FormSubmission, FormTemplate, FormVersion, Message, MessageState
from app.timeutil import utcnow

DEFAULT_VALID_DAYS = 30


def save_version(template: FormTemplate, fields: list[dict], scoring: dict | None, *, user_id: int | None) -> FormVersion:
    """A new version of ``template`` (the previous ones, and what answered them, stay)."""
    problems = [Problem(p.message, field=p.field) for p in definition_problems(fields)]
    if not problems:  # the scoring reads the questions: checked once they are sound
        problems = [Problem(p, field="scoring") for p in check_scoring(scoring, fields)]
    if problems:
        raise ValidationFailed(_("The form was not saved: %(count)s problem(s) to fix.", count=len(problems)),
                               problems)
    current = template.current
    if current is not None and current.fields == fields and current.scoring == scoring:
        return current
    version = FormVersion(template_id=template.id, number=(current.number + 1) if current else 1, fields=fields,
                          scoring=scoring or None, created_at=utcnow(), created_by_id=user_id)
    db.session.add(version)
    db.session.flush()
    db.session.refresh(template)
    return version


def create_request(template: FormTemplate, client_id: int, *, case_id: int | None = None,
                   appointment_id: int | None = None, user_id: int | None = None, now: datetime | None = None,
                   valid_days: int = DEFAULT_VALID_DAYS) -> FormRequest:
    if template.current is None or not template.active:
        raise ValidationFailed(f"“{template.name}” is not in use.")
    now = now or utcnow()
    request = FormRequest(version_id=template.current.id, client_id=client_id, case_id=case_id,
                          appointment_id=appointment_id, status="pending", created_at=now, created_by_id=user_id,
                          expires_at=now + timedelta(days=valid_days))
    db.session.add(request)
    db.session.flush()
    return request


def open_request(request_id: int, now: datetime | None = None) -> FormRequest:
    """The request behind a patient's link, if it may still be filled or viewed."""
    request = db.session.get(FormRequest, request_id)
    if request is None or request.status == "withdrawn":
        raise NotFound(_("This form link is no longer valid."))
    if request.status == "pending" and request.expires_at <= (now or utcnow()):
        raise NotFound(_("This form link has expired; ask the clinic for a new one."))
    return request


def save_draft(request: FormRequest, raw: dict) -> None:
    """Keep what was typed so far (nothing lost if the phone locks); checked only on submit."""
    _must_be_pending(request)
    keep = {}
    for spec in kinds.answer_fields(request.version.fields):
        key = spec["key"]
        for name in (key, f"{key}__detail", f"{key}__name", f"{key}__image"):
            if name in raw and raw[name] not in ("", [], None):
                value = raw[name]
                keep[name] = value[:kinds.LIMITS["long_text"]] if isinstance(value, str) and not name.endswith("__image") else value
    request.draft = keep


def submit(request: FormRequest, raw: dict, now: datetime | None = None) -> FormSubmission:
    """Check every answer; a form with problems raises them all (by field), nothing saved."""
    _must_be_pending(request)
    version = request.version
    answers, errors = kinds.validate(version.fields, raw)
    if errors:
        raise ValidationFailed(_("Some answers need another look."),
                               [Problem(message, field=key) for key, message in errors.items()])
    signed_name = signature_image = None
    for spec in version.fields:
        if spec["kind"] == "signature" and isinstance(answers.get(spec["key"]), dict):
            signature = answers[spec["key"]]
            signed_name, signature_image = signature["name"], signature["image"]
            answers[spec["key"]] = {"name": signature["name"], "signed": True}
            break
    now = now or utcnow()
    submission = FormSubmission(
        request_id=request.id, version_id=version.id, client_id=request.client_id, case_id=request.case_id,
        appointment_id=request.appointment_id, answers=answers, signed_name=signed_name,
        signature_image=signature_image, score=score(version.scoring, version.fields, answers), submitted_at=now)
    db.session.add(submission)
    request.status, request.submitted_at, request.draft = "submitted", now, None
    db.session.flush()
    _withdraw_reminders(request.id)
    return submission


def _must_be_pending(request: FormRequest) -> None:
    if request.status != "pending":
        raise Conflict(_("This form was already sent in. Thank you!"))


def _withdraw_reminders(request_id: int) -> None:
    """A filled form needs no reminder: the pending one is canceled in this transaction."""
    db.session.execute(update(Message).where(
        or_(Message.dedupe_key == f"form_reminder:{request_id}",
            Message.dedupe_key.like(f"form_reminder:{request_id}:%")), Message.state == MessageState.pending,
    ).values(state=MessageState.canceled, last_error="The form was filled in."))


@dataclass(frozen=True)
class FormStatus:
    request_id: int
    form: str
    purpose: str
    status: str  # pending | submitted | expired
    at: datetime  # sent, or submitted
    submission_id: int | None = None

    def label(self) -> str:
        """“Consent to treatment: signed on 5 Dec 2026”, “Intake: pending”, in the reader's language."""
        from app.i18n.formatting import day_medium

        if self.status == "submitted":
            if self.purpose == "consent":
                return _("%(form)s: signed on %(day)s", form=self.form, day=day_medium(self.at))
            return _("%(form)s: complete on %(day)s", form=self.form, day=day_medium(self.at))
        if self.status == "pending":
            return _("%(form)s: pending", form=self.form)
        return _("%(form)s: expired", form=self.form)

    def state(self) -> str:
        """The status in a word, for a badge."""
        return {"submitted": _("complete"), "pending": _("pending")}.get(self.status, _("expired"))


def form_status(client_ids, now: datetime | None = None) -> dict[int, list[FormStatus]]:
    """For each client, every form asked of them with its state (no answers: safe for the
    front desk and the grid). One query whatever the number of clients."""
    ids = list(client_ids)
    if not ids:
        return {}
    now = now or utcnow()
    rows = db.session.execute(
        select(FormRequest.id, FormRequest.client_id, FormRequest.status, FormRequest.created_at,
               FormRequest.submitted_at, FormRequest.expires_at, FormTemplate.name, FormTemplate.purpose,
               FormSubmission.id.label("submission_id"))
        .join(FormVersion, FormVersion.id == FormRequest.version_id)
        .join(FormTemplate, FormTemplate.id == FormVersion.template_id)
        .outerjoin(FormSubmission, FormSubmission.request_id == FormRequest.id)
        .where(FormRequest.client_id.in_(ids), FormRequest.status != "withdrawn")
        .order_by(FormRequest.created_at.desc(), FormRequest.id.desc()))
    result: dict[int, list[FormStatus]] = defaultdict(list)
    for row in rows:
        status = row.status if row.status == "submitted" or row.expires_at > now else "expired"
        result[row.client_id].append(FormStatus(row.id, row.name, row.purpose, status,
                                                row.submitted_at or row.created_at, row.submission_id))
    return dict(result)


def read_submission(submission_id: int) -> FormSubmission:
    """A submission shown to staff (the caller checked they may read answers): logged."""
    submission = db.session.get(FormSubmission, submission_id)
    if submission is None:
        raise NotFound("There is no such form.")
    record_read("form", submission.id, client_id=submission.client_id)
    return submission


def templates_in_use() -> list[FormTemplate]:
    return list(db.session.scalars(select(FormTemplate).where(FormTemplate.active.is_(True)).order_by(FormTemplate.name)))


def submissions_of_client(client) -> list[dict]:
    """A client's submitted forms for their data export (answers, signature, score)."""
    rows = db.session.execute(
        select(FormSubmission, FormTemplate.name, FormVersion.number)
        .join(FormVersion, FormVersion.id == FormSubmission.version_id)
        .join(FormTemplate, FormTemplate.id == FormVersion.template_id)
        .where(FormSubmission.client_id == client.id).order_by(FormSubmission.id))
    return [{"id": s.id, "form": name, "version": number, "case_id": s.case_id, "appointment_id": s.appointment_id,
             "submitted_at": s.submitted_at.isoformat(), "answers": s.answers, "signed_name": s.signed_name,
             "signature_image": s.signature_image, "score": str(s.score) if s.score is not None else None}
            for s, name, number in rows]


def _register_export_part() -> None:
    from app.importing.export import register_part

    register_part("forms", submissions_of_client)


_register_export_part()
