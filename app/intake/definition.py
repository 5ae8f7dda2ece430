"""Checking a form's questions as the form editor (or anything else) sends them: the one
place that says whether a list of question definitions may become a version.

Pure. Each problem names the question (its position, from 0) and the setting it is about
(``label``, ``options`` ...), so the editor can show it beside that control; the service
turns them into ``Problem(field="fields.<i>.<setting>")``. ``read_editor_body`` checks the
shape of the editor's JSON body before the questions themselves are checked.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from app.intake.fields import _KEY, KINDS

MAX_QUESTIONS = 200
MAX_OPTIONS = 60
MAX_LABEL = 500
MAX_HELP = 1000
MAX_OPTION = 200
CHOICE_KINDS = ("single_choice", "multiple_choice")


@dataclass(frozen=True)
class DefinitionProblem:
    message: str
    index: int | None = None  # which question (0-based); None: the whole list
    setting: str | None = None  # label, key, kind, options, min, max, follow_up, help ...

    @property
    def field(self) -> str | None:
        if self.index is None:
            return "fields"
        return f"fields.{self.index}" + (f".{self.setting}" if self.setting else "")


def definition_problems(fields) -> list[DefinitionProblem]:
    """Every problem with a form's questions (empty when they can be saved)."""
    if not isinstance(fields, list) or not fields:
        return [DefinitionProblem(_("A form needs at least one question."))]
    if len(fields) > MAX_QUESTIONS:
        return [DefinitionProblem(_("A form has at most %(count)s questions.", count=MAX_QUESTIONS))]
    problems: list[DefinitionProblem] = []
    keys: set[str] = set()
    for index, spec in enumerate(fields):
        if not isinstance(spec, dict):
            problems.append(DefinitionProblem(_("This is not a question."), index))
            continue
        problems += _question_problems(index, spec, keys)
    return problems


def _question_problems(index: int, spec: dict, keys: set[str]) -> list[DefinitionProblem]:
    found: list[DefinitionProblem] = []

    def problem(setting: str, message: str) -> None:
        found.append(DefinitionProblem(message, index, setting))

    kind, key = spec.get("kind"), spec.get("key")
    if kind not in KINDS:
        problem("kind", _("Choose what kind of question this is."))
    if not isinstance(key, str) or not _KEY.match(key):
        problem("key", _("The key is lower-case letters, digits and _, starting with a letter (e.g. pain_now)."))
    elif key in keys:
        problem("key", _("The key “%(key)s” is used by another question.", key=key))
    else:
        keys.add(key)
    label = spec.get("label")
    if not isinstance(label, str) or not label.strip():
        problem("label", _("Write the question (its label)."))
    elif len(label) > MAX_LABEL:
        problem("label", _("At most %(count)s characters.", count=MAX_LABEL))
    help_text = spec.get("help")
    if help_text is not None and (not isinstance(help_text, str) or len(help_text) > MAX_HELP):
        problem("help", _("The help text is at most %(count)s characters.", count=MAX_HELP))
    if "required" in spec and not isinstance(spec["required"], bool):
        problem("required", _("Required is yes or no."))
    if kind in CHOICE_KINDS or (kind == "body_area" and spec.get("options") is not None):
        message = _options_problem(spec.get("options"))
        if message:
            problem("options", message)
    if kind == "number":
        for setting, message in _number_problems(spec):
            problem(setting, message)
    if kind == "yes_no" and spec.get("follow_up") is not None:
        message = _follow_up_problem(spec["follow_up"])
        if message:
            problem("follow_up", message)
    return found


def _options_problem(options) -> str | None:
    if not isinstance(options, list) or len(options) < 2:
        return _("A choice needs at least two options.")
    if len(options) > MAX_OPTIONS:
        return _("At most %(count)s options.", count=MAX_OPTIONS)
    if any(not isinstance(o, str) or not o.strip() for o in options):
        return _("An option is empty.")
    if any(len(o) > MAX_OPTION for o in options):
        return _("An option is at most %(count)s characters.", count=MAX_OPTION)
    seen: set[str] = set()
    for option in options:
        if option.strip() in seen:
            return _("The option “%(option)s” is there twice.", option=option.strip())
        seen.add(option.strip())
    return None


def _decimal(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        raise InvalidOperation
    number = Decimal(str(value))
    if not number.is_finite():
        raise InvalidOperation
    return number


def _number_problems(spec: dict) -> list[tuple[str, str]]:
    found, bounds = [], {}
    for setting in ("min", "max"):
        if spec.get(setting) is None:
            continue
        try:
            bounds[setting] = _decimal(spec[setting])
        except (InvalidOperation, ValueError):
            found.append((setting, _("Enter a number, or leave it empty.")))
    if len(bounds) == 2 and bounds["min"] > bounds["max"]:
        found.append(("max", _("The largest number is below the smallest.")))
    if "integer" in spec and not isinstance(spec["integer"], bool):
        found.append(("integer", _("Whole numbers only is yes or no.")))
    return found


def _follow_up_problem(follow_up) -> str | None:
    if not isinstance(follow_up, dict):
        return _("The follow-up question is not valid.")
    label = follow_up.get("label")
    if not isinstance(label, str) or not label.strip():
        return _("Write the follow-up question, or remove it.")
    if len(label) > MAX_LABEL:
        return _("At most %(count)s characters.", count=MAX_LABEL)
    if follow_up.get("when", "yes") not in ("yes", "no"):
        return _("The follow-up is asked after yes or after no.")
    if not isinstance(follow_up.get("required", True), bool):
        return _("Required is yes or no.")
    return None


def read_editor_body(body) -> tuple[str | None, bool, list, dict | None]:
    """The editor's JSON body → (description, in use, questions, scoring). Raises
    ``ValueError`` with a message when the body is not the editor's shape."""
    if not isinstance(body, dict):
        raise ValueError(_("Send the form as a JSON object."))
    description = body.get("description")
    if description is not None and not isinstance(description, str):
        raise ValueError(_("The description is text."))
    if not isinstance(body.get("active", True), bool):
        raise ValueError(_("In use is yes or no."))
    scoring = body.get("scoring")
    if scoring is not None and not isinstance(scoring, dict):
        raise ValueError(_("The scoring is a JSON object, or empty."))
    return ((description or "").strip()[:2000] or None, body.get("active", True), body.get("fields"),
            scoring or None)
