"""Note templates: their shape, the defaults Plinth ships, and checking a note's content
against its template's fields.

A template is a list of sections, each with fields of one of four kinds:

* ``text``: free text;
* ``pain``: a whole number from 0 (no pain) to 10 (worst imaginable);
* ``checklist``: any of the field's ``options``;
* ``measure``: a number with the field's ``unit`` (range of motion in degrees, grip in kg).

The shipped templates are stored in English (their wording is the catalogue's msgid); a
note started from one the clinic has not changed copies it in its writer's language
(``sections_for_note``), and keeps that wording for good.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from flask_babel import gettext

from sqlalchemy import select

from app.errors import Problem, ValidationFailed
from app.extensions import db
from app.i18n import N_
from app.models import NoteTemplate

KINDS = ("text", "pain", "checklist", "measure")
MAX_TEXT = 20_000


def _text(key, label):
    return {"key": key, "label": label, "kind": "text"}


def _measure(key, label, unit):
    return {"key": key, "label": label, "kind": "measure", "unit": unit}


DEFAULT_TEMPLATES = [
    {"name": N_("Physiotherapy follow-up (SOAP)"), "sections": [
        {"title": N_("Subjective"), "fields": [
            _text("subjective", N_("What the client reports")),
            {"key": "pain", "label": N_("Pain today (0–10)"), "kind": "pain"}]},
        {"title": N_("Objective"), "fields": [
            _text("objective", N_("Findings")),
            _measure("rom", N_("Range of motion"), "°")]},
        {"title": N_("Assessment"), "fields": [_text("assessment", N_("Assessment"))]},
        {"title": N_("Plan"), "fields": [
            _text("plan", N_("Plan")),
            {"key": "treatment", "label": N_("Treatment given"), "kind": "checklist",
             "options": [N_("Manual therapy"), N_("Exercise"), N_("Education"), N_("Taping"), N_("Dry needling"),
                         N_("Modalities")]}]},
    ]},
    {"name": N_("Physiotherapy assessment"), "sections": [
        {"title": N_("History"), "fields": [
            _text("complaint", N_("Presenting complaint")), _text("history", N_("History and mechanism")),
            {"key": "pain", "label": N_("Pain now (0–10)"), "kind": "pain"},
            {"key": "red_flags", "label": N_("Red flags screened"), "kind": "checklist",
             "options": [N_("Night pain"), N_("Weight loss"), N_("Bladder/bowel change"), N_("Saddle anaesthesia"),
                         N_("None found")]}]},
        {"title": N_("Examination"), "fields": [
            _text("observation", N_("Observation")), _measure("rom_flexion", N_("Flexion"), "°"),
            _measure("rom_extension", N_("Extension"), "°"), _measure("strength", N_("Grip strength"), "kg"),
            _text("special_tests", N_("Special tests"))]},
        {"title": N_("Diagnosis and plan"), "fields": [
            _text("diagnosis", N_("Working diagnosis")), _text("goals", N_("Goals")), _text("plan", N_("Plan"))]},
    ]},
    {"name": N_("Massage therapy"), "sections": [
        {"title": N_("Before"), "fields": [
            _text("reason", N_("Reason for visit")),
            {"key": "pain", "label": N_("Pain before (0–10)"), "kind": "pain"},
            {"key": "areas", "label": N_("Areas treated"), "kind": "checklist",
             "options": [N_("Neck"), N_("Shoulders"), N_("Upper back"), N_("Lower back"), N_("Hips"), N_("Legs"),
                         N_("Arms")]}]},
        {"title": N_("Treatment"), "fields": [
            {"key": "techniques", "label": N_("Techniques"), "kind": "checklist",
             "options": [N_("Swedish"), N_("Deep tissue"), N_("Trigger point"), N_("Myofascial release"),
                         N_("Stretching")]},
            _text("pressure", N_("Pressure and response"))]},
        {"title": N_("After"), "fields": [
            {"key": "pain_after", "label": N_("Pain after (0–10)"), "kind": "pain"},
            _text("homecare", N_("Home care advice"))]},
    ]},
]


SHIPPED = {template["name"]: template for template in DEFAULT_TEMPLATES}


def is_shipped_as_is(template: NoteTemplate) -> bool:
    """A shipped template no manager has changed: its wording is Plinth's, said in the
    reader's language; an edited one is the clinic's own words, shown as written."""
    shipped = SHIPPED.get(template.name)
    return shipped is not None and template.sections == shipped["sections"]


def template_title(name: str) -> str:
    """A template's name as staff read it: a shipped name in their language."""
    return gettext(name) if name in SHIPPED else name


def sections_for_note(template: NoteTemplate) -> list:
    """The sections a new note copies from ``template``, in the language it is written in
    (the writer's): an unchanged shipped template's titles, labels and options translated,
    a clinic's own as they are. The note keeps them, so a signed note reads as it was
    signed, whoever reads it and whatever the catalogues later say (signing.note_hash)."""
    if not is_shipped_as_is(template):
        return template.sections
    return [{**section, "title": _said(section["title"]),
             "fields": [_field_in_language(field) for field in section["fields"]]}
            for section in template.sections]


def _field_in_language(field: dict) -> dict:
    said = {**field, "label": _said(field["label"])}
    if "options" in field:
        said["options"] = [_said(option) for option in field["options"]]
    return said


def _said(shipped_text: str) -> str:
    # A variable, not a literal: the texts are marked above with N_().
    return gettext(shipped_text)


def carried_answer(value, source: dict | None, target: dict):
    """An earlier note's answer for ``target`` (copy forward). A checklist's ticks follow
    their option's place when both notes list the same options in two languages (one in
    English, one in Portuguese); a tick the target does not offer is left behind."""
    if target["kind"] != "checklist" or not isinstance(value, list):
        return value
    before, now = (source or {}).get("options") or [], target["options"]
    if len(before) == len(now):
        # A tick the target offers stays on its own option; only a tick it does not offer
        # follows its place (the same list in another language).
        value = [now[before.index(option)] if option not in now and option in before else option
                 for option in value]
    return [option for option in value if option in now]


def missing_defaults() -> list[dict]:
    """The shipped templates without a row of their name (reading only)."""
    existing = set(db.session.scalars(select(NoteTemplate.name)))
    return [t for t in DEFAULT_TEMPLATES if t["name"] not in existing]


def ensure_defaults(names: set[str] | None = None) -> None:
    """Add the shipped templates that are missing by name (a manager's edits are kept), or
    only those of ``names``. Two first uses at once do not fail: the insert skips names the
    other one added."""
    missing = [t for t in missing_defaults() if names is None or t["name"] in names]
    if not missing:
        return
    from app.dialect import insert

    db.session.execute(insert(NoteTemplate).values(
        [{"name": t["name"], "sections": t["sections"], "active": True} for t in missing]
    ).on_conflict_do_nothing(index_elements=["name"]))


def active_templates() -> list[NoteTemplate]:
    """The templates a new note may start from, the shipped ones added first (writes)."""
    ensure_defaults()
    return list(db.session.scalars(select(NoteTemplate).where(NoteTemplate.active).order_by(NoteTemplate.name)))


def offered_templates() -> list[NoteTemplate]:
    """What ``active_templates`` returns, without writing: the shipped ones that have no row
    yet are unsaved rows (id None, outside the session), added when a note starts from one."""
    rows = list(db.session.scalars(select(NoteTemplate).where(NoteTemplate.active)))
    unsaved = [NoteTemplate(name=t["name"], sections=t["sections"], active=True) for t in missing_defaults()]
    return sorted(rows + unsaved, key=lambda template: template.name)


def check_sections(sections) -> list:
    """A template's sections, checked: titles, unique keys, known kinds, options and units."""
    problems: list[Problem] = []
    if not isinstance(sections, list) or not sections:
        raise ValidationFailed("A template needs at least one section.")
    keys: set[str] = set()
    for section in sections:
        if not isinstance(section, dict) or not str(section.get("title", "")).strip():
            problems.append(Problem("Every section needs a title.", "sections"))
            continue
        for field in section.get("fields") or []:
            key, kind = field.get("key"), field.get("kind")
            if not key or not str(key).isidentifier() or key in keys:
                problems.append(Problem(f"Field key {key!r} must be a unique identifier.", "sections"))
            keys.add(key)
            if kind not in KINDS:
                problems.append(Problem(f"Field {key!r}: kind must be one of {', '.join(KINDS)}.", "sections"))
            if kind == "checklist" and not field.get("options"):
                problems.append(Problem(f"Checklist {key!r} needs options.", "sections"))
            if kind == "measure" and not field.get("unit"):
                problems.append(Problem(f"Measurement {key!r} needs a unit.", "sections"))
    if problems:
        raise ValidationFailed("The template is not valid.", problems)
    return sections


def fields_of(sections: list) -> dict[str, dict]:
    return {field["key"]: field for section in sections for field in section.get("fields", [])}


def clean_content(sections: list, content) -> dict:
    """The note's content checked against its fields: unknown keys, pain outside 0–10,
    options not offered and measurements that are not numbers are refused, all at once."""
    if not isinstance(content, dict):
        raise ValidationFailed(gettext("The note's content must be an object of field values."))
    fields = fields_of(sections)
    problems: list[Problem] = []
    clean: dict = {}
    for key, value in content.items():
        field = fields.get(key)
        if field is None:
            problems.append(Problem(gettext("This note has no field “%(key)s”.", key=key), key))
            continue
        if value in (None, "", []):
            continue
        try:
            clean[key] = _clean_value(field, value)
        except ValueError as exc:
            problems.append(Problem(f"{field['label']}: {exc}", key))
    if problems:
        raise ValidationFailed(gettext("Some fields are not valid."), problems)
    return clean


def _clean_value(field: dict, value):
    kind = field["kind"]
    if kind == "text":
        if not isinstance(value, str) or len(value) > MAX_TEXT:
            raise ValueError(gettext("text of at most %(count)s characters", count=MAX_TEXT))
        return value
    if kind == "pain":
        if isinstance(value, bool) or str(value).strip() not in {str(n) for n in range(11)}:
            raise ValueError(gettext("a whole number from 0 to 10"))
        return int(str(value).strip())
    if kind == "checklist":
        chosen = value if isinstance(value, list) else None
        if chosen is None or any(option not in field["options"] for option in chosen):
            raise ValueError(gettext("choose from the options offered"))
        return [option for option in field["options"] if option in chosen]
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(gettext("a number (in %(unit)s)", unit=field['unit'])) from None
    if not number.is_finite() or abs(number) >= 100_000:
        raise ValueError(gettext("a number (in %(unit)s)", unit=field['unit']))
    return str(number)


def display(field: dict, value) -> str:
    """A field's value in words, for the case PDF and summaries."""
    if value in (None, "", []):
        return ""
    if field["kind"] == "pain":
        return f"{value}/10"
    if field["kind"] == "checklist":
        return ", ".join(value)
    if field["kind"] == "measure":
        return f"{value} {field['unit']}"
    return str(value)


def summary(sections: list, content: dict, limit: int = 160) -> str:
    """One line about a note: its pain score and first text answers, for the day list."""
    parts = []
    for key, field in fields_of(sections).items():
        value = content.get(key)
        if value in (None, "", []):
            continue
        if field["kind"] == "pain":
            parts.append(f"{field['label'].split(' (')[0]}: {value}/10")
        elif field["kind"] == "text":
            parts.append(" ".join(str(value).split()))
    text = " · ".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"
