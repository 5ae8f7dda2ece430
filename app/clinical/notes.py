"""Treatment notes: who treats a visit, starting a note, saving drafts, signing, addenda,
copying forward, and the previous notes of a case.

Rules (each checked here, not in the screens):
* Content is read by whoever ``security.note_scope`` allows (the providers treating the
  case and managers); every read is logged by the caller through ``access_log``.
* Only the visit's treating provider starts, edits and signs its note.
* A note documents a visit that took place: it is signed only once the client arrived.
* After signing nothing changes (``immutability.py``); providers of the case add addenda,
  each signed as it is written.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from flask_babel import gettext

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import audit
from app.clinical import signing
from app.clinical.templates import (
    active_templates,
    carried_answer,
    clean_content,
    fields_of,
    offered_templates,
    sections_for_note,
)
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.i18n.staff_labels import enum_label
from app.models import (
    Addendum,
    Appointment,
    AppointmentStatus,
    Calendar,
    CalendarKind,
    Note,
    NoteTemplate,
    Occupancy,
    TeamMember,
)
from app.security import CLINICAL_NOTES, WRITE, clinical_case_scope, in_scope, may, note_scope
from app.timeutil import utcnow

ATTENDED = (AppointmentStatus.arrived, AppointmentStatus.paid)
WRITABLE_VISITS = (AppointmentStatus.booked, AppointmentStatus.confirmed, *ATTENDED)
MAX_ADDENDUM = 10_000


def member_of(user) -> TeamMember | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(TeamMember).where(TeamMember.user_id == user.id))


def treating_provider_id(appointment: Appointment) -> int | None:
    """The team member whose provider calendar the visit holds, else the case's provider."""
    member_id = db.session.scalar(
        select(Calendar.team_member_id).join(Occupancy, Occupancy.calendar_id == Calendar.id)
        .where(Occupancy.appointment_id == appointment.id, Calendar.kind == CalendarKind.provider))
    return member_id if member_id is not None else appointment.case.provider_id


def may_read(user, note: Note) -> bool:
    return in_scope(note_scope(user), note.id)


def may_write_visit(user, appointment: Appointment) -> bool:
    member = member_of(user)
    return (member is not None and may(user, WRITE, CLINICAL_NOTES)
            and treating_provider_id(appointment) == member.id)


def note_of(appointment: Appointment) -> Note | None:
    return db.session.scalar(select(Note).where(Note.appointment_id == appointment.id))


def get_readable(user, note_id: int) -> Note:
    """The note, if the user may read its content (404 otherwise, so its existence does not leak)."""
    note = db.session.get(Note, note_id)
    if note is None or not may_read(user, note):
        raise NotFound(gettext("No such note."))
    return note


@dataclass
class UnsavedNote:
    """What the editor shows for a visit without a note: the note ``open_note`` would start
    (same template rule), nothing written. The first save starts it (``template`` by name)."""

    appointment: Appointment
    template: NoteTemplate
    id: None = None
    content: dict = field(default_factory=dict)
    updated_at: None = None
    signed_at: None = None
    is_signed: bool = False

    @property
    def case(self):
        return self.appointment.case

    @property
    def case_id(self) -> int:
        return self.appointment.case_id

    @property
    def sections(self) -> list:
        return sections_for_note(self.template)

    @property
    def template_id(self) -> int | None:
        return self.template.id


def _check_may_start(appointment: Appointment, actor) -> None:
    if not may_write_visit(actor, appointment):
        raise Forbidden(gettext("Only the visit's treating provider writes its note."))
    if appointment.status not in WRITABLE_VISITS:
        raise Conflict(gettext("The visit is %(status)s; it has no note.", status=gettext(enum_label(appointment.status)).lower()))


def unsaved_note(*, appointment: Appointment, actor, template_id: int | None = None,
                 template_name: str | None = None) -> UnsavedNote:
    """The note the editor opens on a visit without one, written by nobody yet (reading only)."""
    _check_may_start(appointment, actor)
    return UnsavedNote(appointment, _choose_template(appointment, template_id, template_name, offered_templates()))


def open_note(*, appointment: Appointment, actor, template_id: int | None = None,
              template_name: str | None = None) -> Note:
    """The visit's note, started from ``template_id`` or ``template_name`` (else the
    discipline's or the SOAP template) if it has none yet. Two tabs starting it at once get
    the same note."""
    existing = note_of(appointment)
    if existing is not None:
        return existing
    _check_may_start(appointment, actor)
    template = _choose_template(appointment, template_id, template_name)
    member = member_of(actor)
    note = Note(appointment_id=appointment.id, case_id=appointment.case_id, author_id=member.id,
                template_id=template.id, sections=sections_for_note(template), content={})
    try:
        with db.session.begin_nested():
            db.session.add(note)
            db.session.flush()
    except IntegrityError:
        return note_of(appointment)
    audit.record(db.session, entity=note, action="note_started", after={"appointment_id": appointment.id,
                                                                         "template": template.name})
    return note


def _choose_template(appointment: Appointment, template_id: int | None, template_name: str | None = None,
                     templates: list[NoteTemplate] | None = None) -> NoteTemplate:
    templates = active_templates() if templates is None else templates
    if template_id is not None or template_name is not None:
        chosen = next((t for t in templates if (t.id == template_id if template_id is not None
                                                else t.name == template_name)), None)
        if chosen is None:
            raise ValidationFailed(gettext("Choose one of the clinic's note templates."))
        return chosen
    discipline_id = appointment.session_type.discipline_id
    discipline = appointment.session_type.discipline.name.lower()
    # A case's first note is its assessment; later ones are follow-ups (SOAP).
    first_visit = not db.session.scalar(
        select(Note.id).join(Appointment, Appointment.id == Note.appointment_id)
        .where(Note.case_id == appointment.case_id, Appointment.starts_at < appointment.starts_at).limit(1))
    return (next((t for t in templates if t.discipline_id == discipline_id), None)
            or next((t for t in templates if "massage" in discipline and "massage" in t.name.lower()), None)
            or next((t for t in templates if first_visit and "assessment" in t.name.lower()), None)
            or next((t for t in templates if "SOAP" in t.name), templates[0]))


def change_template(*, note: Note, template_id: int | None, actor, template_name: str | None = None) -> Note:
    """Start an empty draft over from another template (nothing written is ever dropped)."""
    _require_author(note, actor)
    if note.content:
        raise Conflict(gettext("The note already has content; a template is chosen before writing."))
    template = _choose_template(note.appointment, template_id, template_name)
    note.template_id, note.sections = template.id, sections_for_note(template)
    db.session.flush()
    return note


def _require_author(note: Note, actor) -> None:
    member = member_of(actor)
    if member is None or member.id != note.author_id or not may(actor, WRITE, CLINICAL_NOTES):
        raise Forbidden(gettext("Only the note's author may change or sign it."))
    if note.is_signed:
        raise Conflict(gettext("The note is signed and cannot be changed; add an addendum instead."))


def save_draft(*, note: Note, content, actor) -> Note:
    """Replace the draft's content (checked against its fields); the autosave's target."""
    _require_author(note, actor)
    note.content = clean_content(note.sections, content)
    note.updated_at = utcnow()
    db.session.flush()
    return note


def sign(*, note: Note, actor, content=None) -> Note:
    """Sign the note (with ``content`` saved first, if given): signer, time and hash
    recorded; from now on it never changes."""
    _require_author(note, actor)
    signer = member_of(actor)
    if note.appointment.status not in ATTENDED:
        raise Conflict(gettext("A note is signed once the client has arrived for the visit."))
    content = clean_content(note.sections, content) if content is not None else note.content
    if not content:
        raise ValidationFailed(gettext("The note is empty; write something before signing."))
    now = utcnow().replace(microsecond=0)
    with db.session.no_autoflush:
        note.content, note.signed_at, note.signed_by_id, note.updated_at = content, now, signer.id, now
        # Hashed before the one flush: once signed_at is stored, no further change gets through.
        note.content_hash = signing.note_hash(note)
    db.session.flush()
    audit.record(db.session, entity=note, action="note_signed", after={"content_hash": note.content_hash})
    return note


def add_addendum(*, note: Note, text: str, actor) -> Addendum:
    """A signed addendum to a signed note, by a provider who treats the case."""
    member = member_of(actor)
    if (member is None or not may(actor, WRITE, CLINICAL_NOTES)
            or not in_scope(clinical_case_scope(actor), note.case_id)):
        raise Forbidden(gettext("Only providers of the case add addenda."))
    if not note.is_signed:
        raise Conflict(gettext("The note is still a draft: change it instead of adding an addendum."))
    text = (text or "").strip()
    if not text or len(text) > MAX_ADDENDUM:
        raise ValidationFailed(gettext("Write the addendum (at most %(count)s characters).", count=MAX_ADDENDUM), [])
    addendum = Addendum(note_id=note.id, author_id=member.id, text=text, signed_at=utcnow().replace(microsecond=0),
                        content_hash="")
    addendum.content_hash = signing.addendum_hash(addendum)
    db.session.add(addendum)
    db.session.flush()
    audit.record(db.session, entity=addendum, action="addendum_signed",
                 after={"note_id": note.id, "content_hash": addendum.content_hash})
    return addendum


def previous_notes(note: Note, *, limit: int = 10) -> list[Note]:
    """The case's notes of earlier visits, newest first (the editor shows them beside)."""
    from sqlalchemy.orm import selectinload

    return list(db.session.scalars(
        select(Note).join(Appointment, Appointment.id == Note.appointment_id)
        .where(Note.case_id == note.case_id, Note.id != note.id,
               Appointment.starts_at < note.appointment.starts_at)
        .options(selectinload(Note.addenda), selectinload(Note.appointment), selectinload(Note.author))
        .order_by(Appointment.starts_at.desc()).limit(limit)))


def copy_forward(*, note: Note, actor) -> Note:
    """Fill the draft with the answers of the case's previous signed note, for the fields
    both share (what was already written here is kept). Returns the note copied from (the
    caller logs that it was read)."""
    _require_author(note, actor)
    source = next((n for n in previous_notes(note) if n.is_signed), None)
    if source is None:
        raise Conflict(gettext("This case has no earlier signed note to copy from."))
    fields, earlier = fields_of(note.sections), fields_of(source.sections)
    copied = {key: carried_answer(value, earlier.get(key), fields[key])
              for key, value in source.content.items() if key in fields}
    save_draft(note=note, content={**copied, **(note.content or {})}, actor=actor)
    return source
