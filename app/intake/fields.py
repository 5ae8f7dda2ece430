"""The kinds of question a form holds, how each is defined and how each answer is checked.

Pure: a form version's ``fields`` (a list of dicts) and what a patient typed (strings, as
a browser posts them) in; clean answers and a message per field out. One table of kinds
(``KINDS``) serves the editor's check of a definition (``definition.py``) and the check of an answer.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.setup.validation import InvalidValue


def N_(text: str) -> str:  # noqa: N802  (marked for the catalogue, translated where shown)
    return text


PURPOSES = {  # a form's purpose → how staff read it
    "intake": _l("Intake"), "history": _l("Health history"), "consent": _l("Consent"), "privacy": _l("Privacy"),
    "outcome": _l("Outcome measure"),
}
KINDS = {  # kind → its name in the form editor (translated when shown)
    "short_text": _l("Short text"), "long_text": _l("Long text"), "single_choice": _l("One choice"),
    "multiple_choice": _l("Several choices"), "yes_no": _l("Yes / no (with a follow-up)"), "date": _l("Date"),
    "number": _l("Number"), "body_area": _l("Body areas"), "signature": _l("Signature"),
    "heading": _l("Heading (no answer)"),
}
# Stored in English; the patient's page shows them in their language (public.form_text).
BODY_AREAS = (N_("Head"), N_("Neck"), N_("Left shoulder"), N_("Right shoulder"), N_("Upper back"), N_("Lower back"),
              N_("Chest"), N_("Abdomen"), N_("Left arm"), N_("Right arm"), N_("Left elbow"), N_("Right elbow"),
              N_("Left wrist/hand"), N_("Right wrist/hand"), N_("Left hip"), N_("Right hip"), N_("Left knee"),
              N_("Right knee"), N_("Left ankle/foot"), N_("Right ankle/foot"))
LIMITS = {"short_text": 200, "long_text": 5000}
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_DATA_PNG = re.compile(r"^data:image/png;base64,[A-Za-z0-9+/=]+$")
MAX_SIGNATURE = 200_000  # characters of a drawn signature's data URI


def answer_fields(fields: list[dict]) -> list[dict]:
    return [spec for spec in fields if spec["kind"] != "heading"]


def validate(fields: list[dict], raw: dict) -> tuple[dict, dict[str, str]]:
    """``raw``: the posted values (lists for several choices; ``<key>__detail`` for a
    yes/no follow-up; ``<key>__name`` and ``<key>__image`` for a signature).
    → (clean answers by key, message by key for each answer that is wrong or missing)."""
    answers: dict = {}
    errors: dict[str, str] = {}
    for spec in answer_fields(fields):
        key = spec["key"]
        try:
            value = check_answer(spec, raw)
        except InvalidValue as exc:
            errors[key] = str(exc)
            continue
        if value is not None:
            answers[key] = value
    return answers, errors


def _text(raw: dict, key: str) -> str:
    value = raw.get(key)
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "").strip()


def check_answer(spec: dict, raw: dict):
    """One answer, clean (None when left empty and allowed), or InvalidValue with why."""
    kind, key, required = spec["kind"], spec["key"], bool(spec.get("required"))
    if kind == "signature":
        return _signature(spec, raw)
    if kind in ("multiple_choice", "body_area"):
        chosen = raw.get(key) or []
        chosen = [chosen] if isinstance(chosen, str) else list(chosen)
        allowed = list(spec.get("options") or (BODY_AREAS if kind == "body_area" else []))
        unknown = [c for c in chosen if c not in allowed]
        if unknown:
            raise InvalidValue(_("“%(choice)s” is not one of the choices.", choice=unknown[0]))
        if required and not chosen:
            raise InvalidValue(_("Choose at least one."))
        return [c for c in allowed if c in chosen] or None
    text = _text(raw, key)
    if not text:
        if required:
            raise InvalidValue(_("This question needs an answer.") if kind != "yes_no" else _("Answer yes or no."))
        return None
    if kind in LIMITS:
        if len(text) > LIMITS[kind]:
            raise InvalidValue(_("At most %(limit)s characters (%(count)s now).", limit=LIMITS[kind], count=len(text)))
        return text
    if kind == "single_choice":
        if text not in (spec.get("options") or []):
            raise InvalidValue(_("“%(choice)s” is not one of the choices.", choice=text))
        return text
    if kind == "yes_no":
        if text not in ("yes", "no"):
            raise InvalidValue(_("Answer yes or no."))
        follow = spec.get("follow_up")
        detail = _text(raw, f"{key}__detail")
        if follow and text == follow.get("when", "yes"):
            if not detail and follow.get("required", True):
                raise InvalidValue(_("Please tell us: %(what)s", what=follow.get("label") or _("details")))
            if len(detail) > LIMITS["long_text"]:
                raise InvalidValue(_("At most %(limit)s characters in the details.", limit=LIMITS["long_text"]))
            return {"answer": text, "detail": detail} if detail else text
        return text
    if kind == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError as exc:
            raise InvalidValue(_("Enter a date like 1980-05-17.")) from exc
    if kind == "number":
        return _number(spec, text)
    raise InvalidValue(_("This question cannot be answered."))


def _number(spec: dict, text: str) -> str:
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation as exc:
        raise InvalidValue(_("Enter a number.")) from exc
    if not number.is_finite():
        raise InvalidValue(_("Enter a number."))
    low, high = spec.get("min"), spec.get("max")
    if low is not None and number < Decimal(str(low)) or high is not None and number > Decimal(str(high)):
        raise InvalidValue(_("Enter a number from %(low)s to %(high)s.", low=low, high=high)
                           if low is not None and high is not None
                           else _("Enter a number of at least %(low)s.", low=low) if low is not None
                           else _("Enter a number of at most %(high)s.", high=high))
    if spec.get("integer") and number != number.to_integral_value():
        raise InvalidValue(_("Enter a whole number."))
    return str(number.normalize()) if number == number.to_integral_value() else str(number)


def _signature(spec: dict, raw: dict):
    key = spec["key"]
    name, image = _text(raw, f"{key}__name"), _text(raw, f"{key}__image")
    if not name and not image:
        if spec.get("required"):
            raise InvalidValue(_("Type your full name and sign in the box."))
        return None
    if not name:
        raise InvalidValue(_("Type your full name as well as signing."))
    if len(name) > 200:
        raise InvalidValue(_("The name is too long."))
    if not image:
        raise InvalidValue(_("Sign in the box with your finger or mouse."))
    if len(image) > MAX_SIGNATURE or not _DATA_PNG.match(image):
        raise InvalidValue(_("The drawn signature could not be read; clear it and sign again."))
    return {"name": name, "image": image}
