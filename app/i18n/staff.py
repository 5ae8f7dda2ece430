"""A staff member's language on Plinth's screens.

Their own choice (the flag menu in the navigation bar, remembered on their team member
row so it follows them to any browser), else the language of their first location (a
Lisboa receptionist sees Portuguese from the first sign-in), else the choice made in this
session (logins that are no team member, such as the installer's admin), else English.

The answer is kept in the session with the user's id, so a staff page costs no query
after the first one; choosing a language in the menu replaces it.
"""
from __future__ import annotations

from flask import Flask, Response, g, request, session

from app.i18n import DEFAULT_LANGUAGE

SESSION_KEY = "staff_language"
MENU_ENDPOINT = "LocaleView.index"  # Flask-AppBuilder's /lang/<locale>


def _user():

    user = getattr(g, "user", None)
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def language_of(member) -> str | None:
    """A team member's language: theirs, else their first location's (None: neither)."""
    from app.i18n.locales import supported

    if member is None:
        return None
    if supported(member.language):
        return supported(member.language)
    for location in sorted(member.locations, key=lambda loc: loc.id):
        if supported(location.language):
            return supported(location.language)
    return None


def _member(user_id: int):
    from app.i18n import read

    return read("team_member")(user_id)


def staff_language() -> str:
    from app.i18n.locales import supported

    user = _user()
    menu_choice = supported(session.get("locale"))
    if user is None:
        return menu_choice or DEFAULT_LANGUAGE
    kept = session.get(SESSION_KEY)
    if isinstance(kept, dict) and kept.get("user") == user.id:
        return kept.get("code") or menu_choice or DEFAULT_LANGUAGE
    code = language_of(_member(user.id))
    session[SESSION_KEY] = {"user": user.id, "code": code}
    if code:
        session["locale"] = code  # the menu's flag shows the language in use
    return code or menu_choice or DEFAULT_LANGUAGE


def remember_menu_choice(response: Response) -> Response:
    """After the language menu stored its choice in the session: keep it on the team member."""
    if request.endpoint != MENU_ENDPOINT or response.status_code >= 400:
        return response
    from app.i18n.locales import supported
    from app.uow import unit_of_work

    user, code = _user(), supported(session.get("locale"))
    if user is None or code is None:
        return response
    with unit_of_work():
        member = _member(user.id)
        if member is not None and member.language != code:
            member.language = code
    session[SESSION_KEY] = {"user": user.id, "code": code}
    return response


def page_settings() -> dict:
    """What the browser needs to speak the page's language (app/static/common/i18n.js): the
    locale for ``Intl`` ("pt-PT", "en-CA"), the clinic's currency (a panel formats in its
    appointment's), and the grid's and panel's texts that differ from English."""
    from flask_babel import gettext

    from app.i18n.formatting import clinic_currency, output_locale
    from app.i18n.locales import bcp47
    from app.i18n.staff_strings import STRINGS

    translated = {text: gettext(text) for text in STRINGS}
    return {"locale": bcp47(output_locale()), "currency": clinic_currency(),
            "strings": {text: shown for text, shown in translated.items() if shown != text}}


def install(app: Flask) -> None:
    app.after_request(remember_menu_choice)
    app.jinja_env.globals.update(staff_page_settings=page_settings)
