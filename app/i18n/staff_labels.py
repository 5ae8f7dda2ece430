"""Flask-AppBuilder's screens in the staff member's language.

A ``PlinthModelView`` declares its column labels, descriptions, titles and form labels in
English (or has FAB make them from the column names: "Date Of Birth"); at start-up they are
wrapped here in ``lazy_gettext``, so each is translated when a page is drawn, in the
reader's language. The catalogue learns these texts from ``app/i18n/staff_label_texts.py``,
which ``python -m app.i18n.staff_labels`` writes from the registered screens (the menu too);
``tests/i18n/test_staff_screens.py`` fails when a screen shows a text missing there.
"""
from __future__ import annotations

import dataclasses
import enum
from pathlib import Path

from flask_babel import lazy_gettext
from flask_babel.speaklater import LazyString
from wtforms.fields.core import UnboundField

TITLES = ("list_title", "add_title", "edit_title", "show_title")
FORM_FIELDS = ("add_form_extra_fields", "edit_form_extra_fields", "search_form_extra_fields")
TEXTS_MODULE = Path(__file__).resolve().parent / "staff_label_texts.py"


def enum_label(value) -> str:
    """How a screen names a choice (``AppointmentStatus.no_show`` or "no_show" → "No show"),
    the English id it is translated from when shown."""
    return str(getattr(value, "value", value)).replace("_", " ").capitalize()


def model_enum_labels() -> set[str]:
    """The labels of every choice a model column holds (statuses, kinds, methods ...)."""
    from sqlalchemy import Enum as SAEnum

    from app.extensions import db

    labels = set()
    for mapper in db.Model.registry.mappers:
        for column in mapper.columns:
            enum_class = getattr(column.type, "enum_class", None) if isinstance(column.type, SAEnum) else None
            if enum_class is not None:
                labels.update(enum_label(member) for member in enum_class)
    return labels


def staff_text(text):
    """``text`` translated when drawn (a plain English string), else as it is."""
    if isinstance(text, str) and text.strip():
        return lazy_gettext(text)
    return text


def msgid(text) -> str | None:
    """The English wording of a label (a lazy string's id), or None for no text."""
    if isinstance(text, LazyString):
        return text._args[0] if text._args else None
    return text if isinstance(text, str) and text.strip() else None


def translated_labels(view) -> None:
    for attr in ("label_columns", "description_columns"):
        values = getattr(view, attr, None) or {}
        setattr(view, attr, {column: staff_text(text) for column, text in values.items()})


def _field_texts(field: UnboundField) -> None:
    if field.args and isinstance(field.args[0], str):
        field.args = (staff_text(field.args[0]), *field.args[1:])
    for name in ("label", "description"):
        if name in field.kwargs:
            field.kwargs[name] = staff_text(field.kwargs[name])
    choices = field.kwargs.get("choices")
    if isinstance(choices, list):
        field.kwargs["choices"] = [
            dataclasses.replace(choice, label=staff_text(choice.label)) if dataclasses.is_dataclass(choice) else choice
            for choice in choices]


def translated_form_labels(view) -> None:
    """The view's own form fields (extra fields) with their labels translated when drawn."""
    for attr in FORM_FIELDS:
        for field in (getattr(view, attr, None) or {}).values():
            if isinstance(field, UnboundField):
                _field_texts(field)


def screen_texts(appbuilder) -> set[str]:
    """Every label, description, title and menu entry the registered screens show."""
    texts: set[str] = set()
    for view in appbuilder.baseviews:
        if type(view).__module__.startswith("flask_appbuilder"):
            continue  # FAB's own screens: FAB's catalogues
        for attr in ("label_columns", "description_columns"):
            texts.update(msgid(text) for text in (getattr(view, attr, None) or {}).values())
        texts.update(msgid(getattr(view, attr, None)) for attr in TITLES)
        for attr in FORM_FIELDS:
            for field in (getattr(view, attr, None) or {}).values():
                if isinstance(field, UnboundField):
                    texts.add(msgid(field.args[0]) if field.args else msgid(field.kwargs.get("label")))
                    texts.add(msgid(field.kwargs.get("description")))
                    for choice in field.kwargs.get("choices") or []:
                        if dataclasses.is_dataclass(choice):
                            texts.add(msgid(choice.label))
    for item in appbuilder.menu.get_list():
        for entry in [item, *(item.childs or [])]:
            label = getattr(entry, "label", None)
            if not isinstance(label, LazyString):  # FAB's own entries are lazy, in FAB's catalogues
                texts.add(msgid(label))
    texts |= model_enum_labels()
    return {text for text in texts if text and text != "-"}


def write_texts_module(texts: set[str]) -> None:
    lines = ['"""Written by ``python -m app.i18n.staff_labels`` from the registered screens: their labels,',
             'titles and menu entries, for extraction (``./scripts/i18n``). Do not edit by hand."""',
             "", "", "def _l(text: str) -> str:  # an extraction marker", "    return text", "", "", "TEXTS = ["]
    line = "   "
    for entry in (f" _l({text!r})," for text in sorted(texts)):
        if len(line) + len(entry) > 116:
            lines.append(line)
            line = "   "
        line += entry
    lines.append(line)
    lines += ["]", ""]
    TEXTS_MODULE.write_text("\n".join(lines))


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    from app import create_app

    app = create_app()
    with app.app_context():
        write_texts_module(screen_texts(app.appbuilder))
    print(f"wrote {TEXTS_MODULE}")
