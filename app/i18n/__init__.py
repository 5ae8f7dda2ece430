"""Plinth in the clinic's and the patient's language (English, French (Canada), Portuguese (Portugal)).

Two homes, used everywhere:

* ``app.i18n.formatting``: money, dates and times by locale (Babel/CLDR), server side.
  Templates reach them as filters (``|money``, ``|day_long`` ...), JavaScript through
  ``Intl`` with the locale the page declares in ``<html lang>``.
* ``app.i18n.locales``: *whose* language a piece of output is in. Staff pages follow the
  staff user's own choice (FAB's language menu); patient pages follow the patient's choice
  on the booking site (``?lang=``, kept in the session), else their browser's
  Accept-Language, else the location's default; messages and documents sent to a
  patient use ``locale_for_client()`` inside ``flask_babel.force_locale``.

Catalogues live in ``app/translations/<locale>/LC_MESSAGES/messages.po`` (with the
compiled ``.mo`` committed beside them; a test checks that they match). Flask-AppBuilder's
own catalogues are merged in first, so FAB's screens use FAB's translations.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask, current_app

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"

# The languages Plinth ships, by Babel locale identifier, with their names in themselves.
LANGUAGES = {
    "en": "English",
    "fr_CA": "Français (Canada)",
    "pt_PT": "Português (Portugal)",
}
DEFAULT_LANGUAGE = "en"
READERS = "plinth_i18n_readers"


def read(name: str):
    """A reader ``install`` was handed (``settings`` or ``team_member``), for the current app."""
    return current_app.extensions[READERS][name]


def N_(text: str) -> str:
    """Marks ``text`` for extraction (``./scripts/i18n``) where it is translated later, when shown."""
    return text


def configure(app: Flask) -> None:
    """Before Flask-AppBuilder starts: where catalogues are and which languages FAB offers staff."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS_DIR)
    flags = {"en": "gb", "fr_CA": "ca", "pt_PT": "pt"}
    app.config["LANGUAGES"] = {code: {"flag": flags[code], "name": name} for code, name in LANGUAGES.items()}


def install(app: Flask, *, settings: Callable, team_member: Callable) -> None:
    """After Flask-AppBuilder started Flask-Babel: Plinth's locale selector and Jinja filters.

    This package sits below the models (their ``__str__`` format through ``formatting``), so
    ``create_app`` hands in what it reads from them: ``settings()``, the clinic's settings
    row (its currency), and ``team_member(user_id)``, a login's team member or None (their
    language)."""
    from app.i18n import formatting, locales

    app.extensions[READERS] = {"settings": settings, "team_member": team_member}

    locales.install_selector(app)
    formatting.install_filters(app)
