"""Staff sending a form to a client by hand (the client's forms page, the client file, the
grid's appointment panel): the one place with the rules, then ``service.create_request``
and ``sending.send`` (the outbox, the signed expiring link) in the caller's transaction.

Refused before anything is written: a client, case or visit outside the user's scope
(404), a form that is archived or has no questions, a client without an email address, a
case or visit of someone else, a visit that is canceled or over. A form still pending for
the same visit is not asked twice: its link goes out again (a new message).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from app import audit
from app.errors import NotFound, Problem, ValidationFailed
from app.extensions import db
from app.intake import sending, service
from app.models import Appointment, AppointmentStatus, Case, Client, FormRequest, FormTemplate, FormVersion
from app.security import appointment_scope, case_scope, client_scope, in_scope
from app.timeutil import utcnow

OPEN_VISIT = (AppointmentStatus.booked, AppointmentStatus.confirmed, AppointmentStatus.arrived)


@dataclass(frozen=True)
class Sent:
    request: FormRequest
    form: str
    to: str
    again: bool  # the link of a request already pending went out again


def _is_id(value) -> bool:
    return type(value) is int  # not a bool, a string or a float from a JSON body


def _refuse(message: str, field: str) -> ValidationFailed:
    return ValidationFailed(message, [Problem(message, field=field)])


def send_form(user, client_id: int, template_id, *, case_id=None, appointment_id=None,
              now: datetime | None = None) -> Sent:
    now = now or utcnow()
    client = db.session.get(Client, client_id) if _is_id(client_id) else None
    if client is None or not in_scope(client_scope(user), client_id):
        raise NotFound(_("There is no such client."))
    template = db.session.get(FormTemplate, template_id) if _is_id(template_id) else None
    if template is None:
        raise _refuse(_("Choose a form to send."), "template_id")
    if not template.active:
        raise _refuse(_("“%(form)s” is archived; a manager can put it back in use.", form=template.name),
                      "template_id")
    if template.current is None:
        raise _refuse(_("“%(form)s” has no questions yet.", form=template.name), "template_id")
    if not client.email:
        raise _refuse(_("%(name)s has no email address; add one to the client first.", name=client.full_name),
                      "client")
    case_id, appointment_id = _belonging(user, client, case_id, appointment_id, now)
    pending = _pending(template, client.id, appointment_id, now)
    request = pending or service.create_request(template, client.id, case_id=case_id,
                                                appointment_id=appointment_id, user_id=user.id, now=now)
    # A second sending of the same request is a new message (the outbox dedupes by key).
    sending.send(request, now=now, key_suffix=f"hand{int(now.timestamp())}" if pending else "")
    audit.record(db.session, entity=request, action="sent by hand",
                 after={"form": template.name, "to": client.email, "again": bool(pending)}, actor_id=user.id)
    return Sent(request, template.name, client.email, bool(pending))


def _belonging(user, client: Client, case_id, appointment_id, now: datetime) -> tuple[int | None, int | None]:
    """The visit and case the form is for: the user's, the client's, and still ahead or open."""
    for value, field in ((case_id, "case_id"), (appointment_id, "appointment_id")):
        if value is not None and not _is_id(value):
            raise _refuse(_("Choose a case or visit from the list."), field)
    if appointment_id is not None:
        visit = db.session.get(Appointment, appointment_id)
        if visit is None or not in_scope(appointment_scope(user), appointment_id):
            raise NotFound(_("There is no such visit."))
        if visit.case.client_id != client.id or case_id is not None and visit.case_id != case_id:
            raise _refuse(_("That visit is not this client's (or not of that case)."), "appointment_id")
        if visit.status not in OPEN_VISIT or visit.ends_at <= now:
            raise _refuse(_("That visit is over or canceled; send the form without it, or for another visit."),
                          "appointment_id")
        case_id = visit.case_id
    if case_id is not None:
        case = db.session.get(Case, case_id)
        if case is None or not in_scope(case_scope(user), case_id):
            raise NotFound(_("There is no such case."))
        if case.client_id != client.id:
            raise _refuse(_("That case is not this client's."), "case_id")
    return case_id, appointment_id


def _pending(template: FormTemplate, client_id: int, appointment_id: int | None, now: datetime) -> FormRequest | None:
    return db.session.scalar(
        select(FormRequest).join(FormVersion, FormVersion.id == FormRequest.version_id)
        .where(FormVersion.template_id == template.id, FormRequest.client_id == client_id,
               FormRequest.appointment_id.is_(None) if appointment_id is None
               else FormRequest.appointment_id == appointment_id,
               FormRequest.status == "pending", FormRequest.expires_at > now)
        .order_by(FormRequest.id.desc()).limit(1))
