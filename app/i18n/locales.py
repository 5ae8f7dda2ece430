"""Whose language: the staff user's on staff pages, the patient's on patient pages and in
everything sent to them.

Patient pages are those of the blueprints in ``PATIENT_BLUEPRINTS`` (the booking site,
and any public page that registers itself with ``patient_pages()``). There the language
is the one the patient picked (``?lang=``, remembered in their session), else the one
their record prefers when the page knows them (a form link: ``known_patient_language``), else the best
match of their browser's Accept-Language, else English. Staff pages follow the staff
member's own language (``app/i18n/staff.py``).
"""
from __future__ import annotations

from flask import Flask, g, has_request_context, request, session
from flask_babel import get_babel, refresh

from app.i18n import DEFAULT_LANGUAGE, LANGUAGES

PATIENT_BLUEPRINTS: set[str] = {"booking"}
PATIENT_SESSION_KEY = "patient_language"


def patient_pages(blueprint_name: str) -> None:
    """Declare a public blueprint's pages as the patient's (their language, not staff's)."""
    PATIENT_BLUEPRINTS.add(blueprint_name)


def supported(code: str | None) -> str | None:
    """The shipped language for ``code`` ("pt", "pt-PT", "pt_BR", "fr", "en-GB" ...), or None."""
    if not code:
        return None
    code = code.replace("-", "_")
    if code in LANGUAGES:
        return code
    language = code.split("_", 1)[0].lower()
    for shipped in LANGUAGES:
        if shipped.split("_", 1)[0] == language:
            return shipped
    return None


def remember_patient_choice() -> None:
    """``?lang=`` on any patient page is remembered, even on a page that only redirects."""
    refresh()  # Flask-Babel caches the locale on ``g``, which may outlive a request (tests, jobs)
    if request.blueprint in PATIENT_BLUEPRINTS:
        asked = supported(request.args.get("lang"))
        if asked:
            session[PATIENT_SESSION_KEY] = asked


def known_patient_language(code: str | None) -> None:
    """A patient page that knows whose it is (a form link) offers their preferred language,
    used when they did not pick one (``?lang=``, remembered) before their browser's."""
    g.patient_preferred_language = supported(code)
    refresh()


def patient_language() -> str:
    asked = supported(request.args.get("lang"))
    if asked:
        return asked
    kept = supported(session.get(PATIENT_SESSION_KEY))
    if kept:
        return kept
    if g.get("patient_preferred_language"):
        return g.patient_preferred_language
    for code, _quality in request.accept_languages:
        match = supported(code)
        if match:
            return match
    return DEFAULT_LANGUAGE


def select_locale() -> str | None:
    if not has_request_context():
        return None
    if request.blueprint in PATIENT_BLUEPRINTS:
        return patient_language()
    from app.i18n.staff import staff_language

    return staff_language()


def language_for(client=None, location=None) -> str:
    """The language of what is sent to a client: theirs, else their location's, else English."""
    for code in (getattr(client, "preferred_language", None), getattr(location, "language", None)):
        if supported(code):
            return supported(code)
    return DEFAULT_LANGUAGE


def bcp47(code) -> str:
    """A catalogue's code ("pt_PT", or a Babel Locale) as the web and mail spell it ("pt-PT")."""
    return str(code).replace("_", "-") if code else "en"


def html_lang() -> str:
    """The ``<html lang>`` of the page being rendered ("pt-PT", "fr-CA", "en")."""
    from flask_babel import get_locale

    return bcp47(get_locale())


def install_selector(app: Flask) -> None:
    from app.i18n import staff

    get_babel(app).locale_selector = select_locale
    staff.install(app)
    app.before_request(remember_patient_choice)
    app.jinja_env.globals.update(html_lang=html_lang, languages=LANGUAGES)
