"""Where the patient is in the booking wizard: the choices so far (session cookie), the
typed details (server-side draft), which step is missing, and what every page shows.
"""
from __future__ import annotations

import time as clock
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import g, redirect, render_template, session, url_for
from flask_babel import gettext

from app.booking import catalogue, drafts
from app.extensions import db
from app.i18n import formatting
from app.models import Calendar, Client, Location, SessionType, read_clinic_settings
from app.scheduling.availability import Slot
from app.timeutil import local_today, to_local
from app.uow import unit_of_work
from app.booking.views.blueprint import bp


STATE = "bk"
DRAFT = "bk_draft"  # the id of the server-side draft (personal data)
DONE = "bk_done"    # {"id": appointment id, "at": epoch}: shown once on /confirmed
CHOICES = "bk_choices"  # {"ids": client ids sharing the verified email, "at": epoch}
VERIFIED_MINUTES = 60  # a verified returning patient books within this time or verifies again
DONE_MINUTES = 10      # /confirmed (with its manage link) is shown once, and only this soon
CHOICES_MINUTES = 10   # "which of you is booking?" must be answered this soon after the code
DAYS_SHOWN = 7


# --- state ----------------------------------------------------------------------------------
def _state() -> dict:
    return session.get(STATE) or {}


def _save(**changes) -> dict:
    state = {**_state(), **changes}
    session[STATE] = state
    return state


def _reset(**initial) -> None:
    session[STATE] = initial
    session.pop("bk_email", None)  # cookies from before drafts existed
    session.pop(CHOICES, None)
    draft_id = session.pop(DRAFT, None)
    g.pop("bk_draft", None)
    if draft_id:
        with unit_of_work():
            drafts.discard(draft_id)


def _draft() -> dict:
    if "bk_draft" not in g:
        g.bk_draft = drafts.load(session.get(DRAFT))
    return g.bk_draft


def _save_draft(**changes) -> None:
    with unit_of_work():
        session[DRAFT] = drafts.save(session.get(DRAFT), changes)
    g.pop("bk_draft", None)


def _saved_details() -> dict | None:
    return _draft().get("details")


def _fresh(stamp, minutes: int) -> bool:
    return isinstance(stamp, (int, float)) and 0 <= clock.time() - stamp <= minutes * 60


def _location_id() -> int | None:
    return _state().get("loc")


def _fixed_calendar() -> Calendar | None:
    cal_id = _state().get("fixed")
    return db.session.get(Calendar, cal_id) if cal_id else None


def _verified_client() -> Client | None:
    state = _state()
    if not state.get("client") or clock.time() - state.get("verified_at", 0) > VERIFIED_MINUTES * 60:
        return None
    return db.session.get(Client, state["client"])


def _session_type() -> SessionType | None:
    st_id = _state().get("st")
    st = db.session.get(SessionType, st_id) if st_id else None
    return st if st is not None and st.active and st.online_bookable else None


def _start() -> datetime | None:
    raw = _state().get("start")
    return datetime.fromisoformat(raw) if raw else None


STEPS = ("loc", "new", "client", "st", "prov", "start", "details")


def _need(step: str):
    """A redirect to the first step before (and including) ``step`` not done yet, or None."""
    state = _state()
    for key in STEPS[: STEPS.index(step) + 1]:
        if key == "loc" and not state.get("loc"):
            return redirect(url_for("booking.index"))
        if key == "new" and "new" not in state:
            return redirect(url_for("booking.who"))
        if key == "client" and state.get("new") is False and _verified_client() is None:
            return redirect(url_for("booking.returning"))
        if key == "st" and _session_type() is None:
            return redirect(url_for("booking.services"))
        if key == "prov" and state.get("prov") is None:  # 0 means "any available"
            return redirect(url_for("booking.provider"))
        if key == "start" and not state.get("start"):
            return redirect(url_for("booking.times"))
        if key == "details" and _saved_details() is None:
            return redirect(url_for("booking.details"))
    return None


# --- rendering helpers ----------------------------------------------------------------------
def _page_location():
    calendar = _fixed_calendar()
    location = calendar.location if calendar else None
    if location is None and _location_id():
        from app.models import Location

        location = db.session.get(Location, _location_id())
    return location


def _zone() -> ZoneInfo:
    location = _page_location()
    return ZoneInfo(location.timezone if location else "UTC")


def _at_this_location(form):
    """A patient's form read where the booking is: local phone numbers in the location's
    country, the date of birth against the location's today."""
    location = _page_location()
    form.phone_region = Location.phone_region_of(location)
    form.today = local_today(_zone())
    return form


def local(instant: datetime, zone: ZoneInfo) -> datetime:
    return to_local(instant, zone)


def money(amount) -> str:
    """A price in the chosen location's currency (Lisboa in euros), in the patient's language."""
    location_id = _location_id()
    location = db.session.get(Location, location_id) if isinstance(location_id, int) else None
    return formatting.money(amount, formatting.location_currency(location))


@bp.app_template_filter("booking_money")
def _money_filter(amount):
    return money(amount)


@bp.context_processor
def branding():
    settings = read_clinic_settings()
    logo = settings.logo or None
    if logo and not logo.startswith("data:image/"):
        logo = url_for("static", filename=logo.lstrip("/"))
    return {"clinic": settings, "clinic_logo": logo, "state": _state(), "contact_phone": _contact_phone(settings)}


def show_location(location_id: int | None) -> None:
    """A page about one visit (its manage link, a form sent for it), opened from an email
    with no booking steps behind it, gives that visit's location's phone in its footer."""
    g.booking_location_id = location_id


def _contact_phone(settings) -> str | None:
    """The page's location's phone (Lisboa's patients call Lisboa), else the clinic's."""
    location_id = g.get("booking_location_id") or _location_id()
    location = db.session.get(Location, location_id) if isinstance(location_id, int) else None
    return (location.phone if location is not None else None) or settings.phone


def _providers(session_type: SessionType) -> list[Calendar]:
    fixed = _fixed_calendar()
    if fixed is not None:
        return [fixed] if fixed in catalogue.providers_for(session_type, fixed.location_id) else []
    return catalogue.providers_for(session_type, _location_id())


def _chosen_providers(session_type: SessionType) -> list[Calendar]:
    prov = _state().get("prov")
    providers = _providers(session_type)
    return [c for c in providers if c.id == prov] if prov else providers


def _slot_value(slot: Slot) -> str:
    return f"{slot.start.isoformat()}|{slot.calendar_ids[0]}"



def _show_confirmed(appointment_id: int):
    session[DONE] = {"id": appointment_id, "at": clock.time()}
    return redirect(url_for("booking.confirmed"))

# --- small answers ---------------------------------------------------------------------------------
def _expired_form():
    return render_template("booking/message.html", title=gettext("Please try again"),
                           message=gettext("This page was open too long or came from somewhere else, so nothing "
                                           "was sent. Go back, reload the page and try again."),
                           phone=None), 400


def _call_us(message: str, phone: str | None):
    """A refusal only the clinic can get round (409): the message and the number to call."""
    return render_template("booking/message.html", title=gettext("Please call us"), message=message,
                           phone=phone), 409


def _bot_response():
    # Looks like a generic refusal to a bot; a person never sees it (the field is hidden).
    return render_template("booking/message.html", title=gettext("Please try again"),
                           message=gettext("Your request could not be processed."), phone=None), 400
