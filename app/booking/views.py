"""The public booking site's pages (thin: the rules live in the services beside this).

The patient's choices so far live in the signed session cookie under ``bk`` as ids and
times, never in URLs; what they type (personal data) lives server-side in a draft row
(``drafts``) whose random id is the only thing the cookie holds of it. Each step checks
that the steps before it were done and sends the patient back to the first missing one.
Every POST is a FlaskForm (CSRF checked).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time as clock
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from wtforms.fields.choices import SelectChoice
from flask import Blueprint, Response, abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext

from app.booking import catalogue, codes, drafts, headers, install_error_pages, limits, manage, service, tokens, waitlist
from app.booking.forms import (
    ActionForm,
    CodeForm,
    ConfirmForm,
    DetailsForm,
    EmailForm,
    PickForm,
    ReturningDetailsForm,
    WaitlistForm,
)
from app.errors import Conflict
from app.extensions import db
from app.i18n import formatting
from app.i18n.locales import supported
from app.models import Appointment, Calendar, Client, Location, SessionType, clinic_settings, online_booking_settings
from app.models.clinic import DEFAULT_PHONE_REGION
from app.scheduling.availability import Slot
from app.timeutil import local_today, to_local
from app.uow import unit_of_work

bp = Blueprint("booking", __name__, url_prefix="/book", template_folder="templates",
               static_folder="static", static_url_path="/static")

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
    form.phone_region = location.phone_region if location else DEFAULT_PHONE_REGION
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
def _branding():
    settings = clinic_settings()
    logo = settings.logo or None
    if logo and not logo.startswith("data:image/"):
        logo = url_for("static", filename=logo.lstrip("/"))
    return {"clinic": settings, "clinic_logo": logo, "state": _state(), "contact_phone": _contact_phone(settings)}


def _contact_phone(settings) -> str | None:
    """The chosen location's phone (Lisboa's patients call Lisboa), else the clinic's."""
    location_id = _location_id()
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


# --- start --------------------------------------------------------------------------------
@bp.get("/")
def index():
    settings = online_booking_settings()
    if not settings.enabled:
        return render_template("booking/closed.html"), 200
    locations = catalogue.locations()
    if len(locations) == 1:
        return redirect(url_for("booking.choose_location", location_id=locations[0].id))
    return render_template("booking/locations.html", locations=locations, welcome=settings.welcome_text)


@bp.get("/l/<int:location_id>")
def choose_location(location_id: int):
    if location_id not in {loc.id for loc in catalogue.locations()}:
        abort(404)
    _reset(loc=location_id)
    return redirect(url_for("booking.who"))


@bp.get("/<slug>")
def direct(slug: str):
    """A direct link into one provider's calendar (the clinic shares it)."""
    if not re.fullmatch(r"[a-z0-9-]{1,80}", slug):
        abort(404)
    if not online_booking_settings().enabled:
        return render_template("booking/closed.html"), 200
    calendar = catalogue.calendar_by_slug(slug)
    if calendar is None:
        return render_template("booking/message.html", title="This booking link is not active",
                               message="The provider behind this link does not take online bookings at the moment.",
                               phone=clinic_settings().phone), 404
    _reset(loc=calendar.location_id, fixed=calendar.id, prov=calendar.id)
    return redirect(url_for("booking.who"))


@bp.get("/who")
def who():
    if (missing := _need("loc")) is not None:
        return missing
    return render_template("booking/who.html", fixed=_fixed_calendar())


@bp.get("/new")
def new_patient():
    if (missing := _need("loc")) is not None:
        return missing
    state = _state()
    _reset(loc=state["loc"], **({"fixed": state["fixed"], "prov": state["fixed"]} if state.get("fixed") else {}), new=True)
    return redirect(url_for("booking.services"))


# --- returning patients ---------------------------------------------------------------------
@bp.route("/returning", methods=["GET", "POST"])
def returning():
    if (missing := _need("loc")) is not None:
        return missing
    form = EmailForm()
    if form.validate_on_submit():
        limits.hit("code_ip", limits.client_ip())
        if not form.is_bot():
            limits.hit("code_email", limits.email_key(form.email.data))
            with unit_of_work():
                codes.request_code(form.email.data)
        # The same answer for a bot, a known and an unknown email.
        _save_draft(email=form.email.data)
        _save(new=False, client=None)
        return redirect(url_for("booking.enter_code"))
    return render_template("booking/returning.html", form=form)


@bp.route("/returning/code", methods=["GET", "POST"])
def enter_code():
    email = _draft().get("email")
    if not email:
        return redirect(url_for("booking.returning"))
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        limits.hit("verify_ip", limits.client_ip())
        with unit_of_work():
            result = codes.verify_code(email, form.code.data)
        if result.ok:
            _save_draft(email=None)
            if len(result.client_ids) == 1:
                return _verified(result.client_ids[0])
            session[CHOICES] = {"ids": result.client_ids, "at": clock.time()}
            return redirect(url_for("booking.which_person"))
        error = "That code is not right, or it has expired. Check the latest email, or ask for a new code."
    return render_template("booking/code.html", form=form, email=email, error=error,
                           minutes=codes.CODE_MINUTES)


def _verified(client_id: int):
    _save(new=False, client=client_id, verified_at=clock.time())
    client = db.session.get(Client, client_id)
    try:
        service.refuse_if_blocked(client, _fixed_calendar())
    except service.CallTheClinic as exc:
        return render_template("booking/message.html", title="Please call us", message=exc.message,
                               phone=service.clinic_phone(_fixed_calendar())), 409
    return redirect(url_for("booking.services"))


@bp.route("/returning/who", methods=["GET", "POST"])
def which_person():
    saved = session.get(CHOICES)
    choices = saved.get("ids") or [] if isinstance(saved, dict) and _fresh(saved.get("at"), CHOICES_MINUTES) else []
    if not choices:
        session.pop(CHOICES, None)
        return redirect(url_for("booking.returning"))
    form = PickForm()
    if form.validate_on_submit() and re.fullmatch(r"[0-9]{1,9}", form.value.data) and int(form.value.data) in choices:
        session.pop(CHOICES, None)
        return _verified(int(form.value.data))
    people = [db.session.get(Client, cid) for cid in choices]
    return render_template("booking/which_person.html", people=people, form=form)


# --- services, provider, time ---------------------------------------------------------------
@bp.get("/services")
def services():
    if (missing := _need("client")) is not None:
        return missing
    state = _state()
    grouped = catalogue.services(state["loc"], is_new=state["new"], only_calendar=_fixed_calendar())
    return render_template("booking/services.html", grouped=grouped, fixed=_fixed_calendar())


@bp.get("/service/<int:session_type_id>")
def choose_service(session_type_id: int):
    if (missing := _need("client")) is not None:
        return missing
    state = _state()
    offered = {s.session_type.id: s for group in catalogue.services(
        state["loc"], is_new=state["new"], only_calendar=_fixed_calendar()).values() for s in group}
    if session_type_id not in offered:
        return redirect(url_for("booking.services"))
    providers = offered[session_type_id].providers
    if state.get("fixed"):
        prov = state["fixed"]
    elif len(providers) == 1:
        prov = providers[0].id
    else:
        prov = None  # ask: a specific provider or any available
    _save(st=session_type_id, prov=prov, start=None)
    return redirect(url_for("booking.times" if prov is not None else "booking.provider"))


@bp.get("/provider")
def provider():
    if (missing := _need("st")) is not None:
        return missing
    session_type = _session_type()
    return render_template("booking/provider.html", session_type=session_type, providers=_providers(session_type))


@bp.get("/provider/<choice>")
def choose_provider(choice: str):
    if (missing := _need("st")) is not None:
        return missing
    providers = {c.id for c in _providers(_session_type())}
    if choice == "any":
        _save(prov=0, start=None)  # 0: any available
    elif re.fullmatch(r"[0-9]{1,9}", choice) and int(choice) in providers:
        _save(prov=int(choice), start=None)
    else:
        return redirect(url_for("booking.provider"))
    return redirect(url_for("booking.times"))


def _week(first_day: date, session_type: SessionType, providers: list[Calendar], *, any_provider: bool):
    from app.scheduling.availability import find_slots

    if not providers:
        return {}
    slots = find_slots(session_type=session_type, provider_calendars=providers, start_day=first_day,
                       end_day=first_day + timedelta(days=DAYS_SHOWN - 1), channel="online",
                       is_new_client=_state().get("new"), step_minutes=service.step_minutes(),
                       any_provider=any_provider)
    zone = ZoneInfo(providers[0].location.timezone)
    days: dict[date, list[Slot]] = {first_day + timedelta(days=i): [] for i in range(DAYS_SHOWN)}
    for slot in slots:
        days.setdefault(local(slot.start, zone).date(), []).append(slot)
    return days


def _parse_day(raw: str | None, default: date) -> date:
    try:
        return date.fromisoformat(raw) if raw else default
    except ValueError:
        return default


def _first_day(today: date, calendars: list[Calendar]) -> date:
    """The week asked for (?week=), kept between today and the furthest horizon: no
    page of empty weeks, and no date arithmetic near year 9999."""
    horizon = max((c.booking_horizon_days for c in calendars if c is not None), default=60)
    return min(max(_parse_day(request.args.get("week"), today), today), today + timedelta(days=horizon))


@bp.route("/times", methods=["GET", "POST"])
def times():
    if (missing := _need("prov")) is not None:
        return missing
    session_type = _session_type()
    form = PickForm()
    if form.validate_on_submit():
        start, calendar_id = _parse_pick(form.value.data)
        if start is None or calendar_id not in {c.id for c in _chosen_providers(session_type)}:
            return redirect(url_for("booking.times"))
        _save(start=start.isoformat(), slot_cal=calendar_id)
        return redirect(url_for("booking.review" if _saved_details() is not None else "booking.details"))
    providers = _chosen_providers(session_type)
    zone = ZoneInfo(providers[0].location.timezone) if providers else _zone()
    today = local_today(zone)
    first = _first_day(today, providers)
    days = _week(first, session_type, providers, any_provider=_state().get("prov") == 0)
    chosen_day = _parse_day(request.args.get("day"), next((d for d, s in days.items() if s), first))
    names = {c.id: c.name for c in providers}
    return render_template("booking/times.html", session_type=session_type, days=days, chosen_day=chosen_day,
                           slots=days.get(chosen_day, []), zone=zone, first=first, today=today,
                           week=timedelta(days=DAYS_SHOWN), form=form, names=names, slot_value=_slot_value,
                           any_provider=_state().get("prov") == 0, local=local)


def _parse_pick(value: str) -> tuple[datetime | None, int | None]:
    try:
        raw_start, raw_calendar = value.split("|", 1)
        start = datetime.fromisoformat(raw_start)
        return (start if start.tzinfo else None), int(raw_calendar)
    except ValueError:
        return None, None


# --- details, review, confirm ---------------------------------------------------------------
def _payer_choices():
    return [SelectChoice(0, gettext("I'll pay myself"))] + [SelectChoice(p.id, p.name) for p in catalogue.accepted_payers()]


def _needs_new_case(client: Client | None, session_type: SessionType) -> bool:
    if client is None:
        return True
    today = local_today(_zone())
    return not any(c.discipline_id == session_type.discipline_id and c.is_open_on(today) for c in client.cases)


@bp.route("/details", methods=["GET", "POST"])
def details():
    if (missing := _need("start")) is not None:
        return missing
    client = _verified_client()
    session_type = _session_type()
    saved = _saved_details() or {}
    form_class = ReturningDetailsForm if client is not None else DetailsForm
    form = form_class(data=_details_form_data(saved) if request.method == "GET" else None)
    form.payer_id.choices = _payer_choices()
    _at_this_location(form)
    if form.validate_on_submit():
        if form.is_bot():
            return _bot_response()
        data = {name: field.data for name, field in form._fields.items() if name not in ("csrf_token", "website")}
        if data.get("date_of_birth"):
            data["date_of_birth"] = data["date_of_birth"].isoformat()
        data["payer_id"] = data.get("payer_id") or None
        if not data.get("payer_id"):
            data["policy_number"] = None
        _save_draft(details=data)
        return redirect(url_for("booking.review"))
    return render_template("booking/details.html", form=form, client=client,
                           ask_payer=_needs_new_case(client, session_type), session_type=session_type)


def _details_form_data(saved: dict) -> dict:
    data = dict(saved)
    if data.get("date_of_birth"):
        data["date_of_birth"] = date.fromisoformat(data["date_of_birth"])
    data["payer_id"] = data.get("payer_id") or 0
    return data


def _details_from_state(client: Client | None) -> service.Details | None:
    saved = _saved_details()
    if saved is None:
        return None
    if client is not None:
        return service.Details(client.first_name, client.last_name, client.email or "", client.phone,
                               client.date_of_birth, saved.get("notes"), saved.get("payer_id"),
                               saved.get("policy_number"))
    return service.Details(
        saved["first_name"], saved["last_name"], saved["email"], saved.get("phone"),
        date.fromisoformat(saved["date_of_birth"]) if saved.get("date_of_birth") else None,
        saved.get("notes"), saved.get("payer_id"), saved.get("policy_number"), bool(saved.get("texts")),
        language=_page_language())


def _page_language() -> str | None:
    """The language this patient is booking in (app/i18n/locales), kept on a new client."""
    from flask_babel import get_locale

    return supported(str(get_locale())) if get_locale() else None


def _summary():
    state = _state()
    session_type = _session_type()
    calendar = db.session.get(Calendar, state.get("slot_cal")) if state.get("slot_cal") else None
    client = _verified_client()
    details = _details_from_state(client)
    payer = None
    if details and details.payer_id:
        payer = next((p for p in catalogue.accepted_payers() if p.id == details.payer_id), None)
    return {"session_type": session_type, "calendar": calendar, "start": _start(), "details": details,
            "payer": payer, "zone": ZoneInfo(calendar.location.timezone) if calendar else _zone(),
            "location": calendar.location if calendar else None, "local": local}


def _digest() -> str:
    """What the review page shows, as a keyed digest: confirm books only that."""
    state = _state()
    shown = [state.get(k) for k in ("loc", "new", "client", "st", "prov", "slot_cal", "start")]
    message = json.dumps([shown, _saved_details()], sort_keys=True, default=str)
    return hmac.new(current_app.config["SECRET_KEY"].encode(), message.encode(), hashlib.sha256).hexdigest()


def _review_page(notice: str | None = None):
    # formdata=None: on the 409 re-render the fields must be fresh, not the ones posted.
    form = ConfirmForm(formdata=None, data={"nonce": secrets.token_urlsafe(24), "digest": _digest()})
    return render_template("booking/review.html", form=form, notice=notice, **_summary())


@bp.get("/review")
def review():
    if (missing := _need("details")) is not None:
        return missing
    return _review_page()


def _after_booking(appointment_id: int):
    state = _state()
    _reset(**({"loc": state["loc"]} if state.get("loc") else {}),
           **({"fixed": state["fixed"]} if state.get("fixed") else {}))
    return _show_confirmed(appointment_id)


@bp.post("/confirm")
def confirm():
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _expired_form()
    nonce = form.nonce.data
    # A second press of the same button (double click, reload, back + resubmit) shows
    # the first press's booking instead of booking again.
    if (appointment_id := service.confirmed_by(nonce)) is not None:
        return _after_booking(appointment_id)
    if (missing := _need("details")) is not None:
        return missing
    if not hmac.compare_digest(form.digest.data, _digest()):
        # Another tab changed the time, service or details after this page was shown.
        return _review_page("Your booking was changed in another window. Please check it again and confirm."), 409
    state = _state()
    client = _verified_client()
    details = _details_from_state(client)
    limits.hit("book_ip", limits.client_ip())
    limits.hit("book_email", limits.email_key(details.email or str(state.get("client"))))
    choice = service.Choice(session_type_id=state["st"], calendar_id=state["slot_cal"], start=_start(),
                            is_new=state["new"], any_provider=state.get("prov") == 0,
                            client_id=client.id if client else None)
    try:
        appointment_id = _book_with_fallback(choice, details, nonce)
    except service.RepeatedConfirm:
        # The same press is being (or was just) booked by a parallel request: its booking.
        if (appointment_id := service.confirmed_by(nonce)) is not None:
            return _after_booking(appointment_id)
        return _expired_form()
    except service.CallTheClinic as exc:
        return render_template("booking/message.html", title="Please call us", message=exc.message,
                               phone=service.clinic_phone(db.session.get(Calendar, choice.calendar_id))), 409
    except Conflict as exc:
        if not service.is_taken(exc):
            phone = service.clinic_phone(db.session.get(Calendar, choice.calendar_id))
            return render_template("booking/message.html", title="We couldn't book this online",
                                   message=exc.message, phone=phone), 409
        session_type = _session_type()
        alternatives = service.nearest_alternatives(
            session_type, _chosen_providers(session_type), choice.start, is_new=choice.is_new,
            any_provider=choice.any_provider)
        _save(start=None)
        providers = _chosen_providers(session_type)
        return render_template("booking/taken.html", alternatives=alternatives, form=PickForm(),
                               slot_value=_slot_value, names={c.id: c.name for c in providers},
                               zone=ZoneInfo(providers[0].location.timezone) if providers else _zone(),
                               local=local, session_type=session_type), 409
    return _after_booking(appointment_id)


def _book_with_fallback(choice: service.Choice, details: service.Details | None, nonce: str) -> int:
    """Book; for "any available", when the shown provider went meanwhile, try the other
    providers free at the same start before giving up (each try its own transaction,
    each recording the nonce with its booking)."""
    try:
        with unit_of_work():
            return service.place(choice, details, nonce=nonce).id
    except Conflict as exc:
        if not (choice.any_provider and service.is_taken(exc)):
            raise
        first_error = exc
    session_type = db.session.get(SessionType, choice.session_type_id)
    others = [s.calendar_ids[0] for s in service.nearest_alternatives(
        session_type, _chosen_providers(session_type), choice.start, is_new=choice.is_new, any_provider=False,
        limit=50) if s.start == choice.start and s.calendar_ids[0] != choice.calendar_id]
    for calendar_id in others[:3]:
        try:
            with unit_of_work():
                return service.place(service.Choice(**{**choice.__dict__, "calendar_id": calendar_id}), details,
                                     nonce=nonce).id
        except Conflict as exc:
            if not service.is_taken(exc):
                raise
    raise first_error


def _show_confirmed(appointment_id: int):
    session[DONE] = {"id": appointment_id, "at": clock.time()}
    return redirect(url_for("booking.confirmed"))


@bp.get("/confirmed")
def confirmed():
    # Shown once and only soon after booking: the next person at a shared tablet must
    # not find this patient's booking (and its manage link) in the session.
    done = session.pop(DONE, None)
    appointment_id = done.get("id") if isinstance(done, dict) and _fresh(done.get("at"), DONE_MINUTES) else None
    appointment = db.session.get(Appointment, appointment_id) if isinstance(appointment_id, int) else None
    if appointment is None:
        return redirect(url_for("booking.index"))
    from app.booking import CONFIRMATION_LINKS

    extra = [link for provider in CONFIRMATION_LINKS for link in provider(appointment)]
    return render_template("booking/confirmed.html", appointment=appointment, manage_path=_manage_path(appointment),
                           extra_links=extra, **_appointment_view(appointment))


def _manage_path(appointment: Appointment) -> str:
    return url_for("booking.manage_page", token=tokens.make_token(tokens.MANAGE, appointment.id))


def _appointment_view(appointment: Appointment) -> dict:
    zone = ZoneInfo(appointment.location.timezone)
    calendar = manage.provider_calendar(appointment)
    return {"zone": zone, "calendar": calendar, "local": local, "location": appointment.location,
            "start": local(appointment.starts_at, zone), "end": local(appointment.ends_at, zone)}


@bp.get("/start-over")
def start_over():
    state = _state()
    _reset(**({"loc": state["loc"]} if state.get("loc") else {}),
           **({"fixed": state["fixed"], "prov": state["fixed"]} if state.get("fixed") else {}))
    return redirect(url_for("booking.who" if state.get("loc") else "booking.index"))


# --- manage (reschedule / cancel) -------------------------------------------------------------
def _appointment_from(token: str) -> Appointment:
    try:
        appointment_id = tokens.read_token(tokens.MANAGE, token, tokens.MANAGE_MAX_AGE)
    except tokens.BadToken:
        abort(404)
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None:
        abort(404)
    return appointment


@bp.get("/manage/<token>")
def manage_page(token: str):
    appointment = _appointment_from(token)
    replacement = None
    if appointment.status.value == "rebooked":
        replacement = db.session.scalars(
            select(Appointment).where(Appointment.rebooked_from_id == appointment.id)).first()
    return render_template("booking/manage.html", appointment=appointment, token=token,
                           refusal=manage.refusal(appointment), cancel_form=ActionForm(),
                           window_hours=manage.window_hours(appointment),
                           replacement=replacement, **_appointment_view(appointment))


@bp.route("/manage/<token>/reschedule", methods=["GET", "POST"])
def manage_times(token: str):
    appointment = _appointment_from(token)
    view = _appointment_view(appointment)
    form = PickForm()
    if form.validate_on_submit():
        start, _calendar_id = _parse_pick(form.value.data)
        version = request.form.get("version", type=int)
        if start is None or version is None:
            return redirect(url_for("booking.manage_times", token=token))
        try:
            with unit_of_work():
                manage.reschedule(appointment, start, expected_version=version)
        except service.CallTheClinic as exc:
            return render_template("booking/message.html", title="Please call us", message=exc.message,
                                   phone=service.clinic_phone(view["calendar"])), 409
        except Conflict as exc:
            db.session.expire_all()
            return _manage_times_page(token, _appointment_from(token), error=(
                "That time was taken a moment ago. Please pick another." if service.is_taken(exc) else exc.message)), 409
        session["bk_flash"] = "rescheduled"
        return redirect(url_for("booking.manage_page", token=token))
    reason = manage.refusal(appointment)
    if reason:
        return render_template("booking/message.html", title="Please call us", message=reason,
                               phone=service.clinic_phone(view["calendar"])), 409
    return _manage_times_page(token, appointment)


def _manage_times_page(token: str, appointment: Appointment, error: str | None = None):
    view = _appointment_view(appointment)
    zone = view["zone"]
    today = local_today(zone)
    first = _first_day(today, [view["calendar"]])
    slots = manage.slots(appointment, first, first + timedelta(days=DAYS_SHOWN - 1))
    days: dict[date, list[Slot]] = {first + timedelta(days=i): [] for i in range(DAYS_SHOWN)}
    for slot in slots:
        if slot.start != appointment.starts_at:
            days.setdefault(local(slot.start, zone).date(), []).append(slot)
    chosen_day = _parse_day(request.args.get("day"), next((d for d, s in days.items() if s), first))
    return render_template("booking/manage_times.html", appointment=appointment, token=token, days=days,
                           chosen_day=chosen_day, slots=days.get(chosen_day, []), first=first, today=today,
                           week=timedelta(days=DAYS_SHOWN), form=PickForm(), slot_value=_slot_value,
                           error=error, **view)


@bp.route("/manage/<token>/cancel", methods=["GET", "POST"])
def manage_cancel(token: str):
    appointment = _appointment_from(token)
    view = _appointment_view(appointment)
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return _expired_form()
        version = request.form.get("version", type=int)
        try:
            with unit_of_work():
                if version != appointment.version:
                    raise Conflict("This appointment changed meanwhile; please look at it again.")
                manage.cancel(appointment)
        except service.CallTheClinic as exc:
            return render_template("booking/message.html", title="Please call us", message=exc.message,
                                   phone=service.clinic_phone(view["calendar"])), 409
        except Conflict as exc:
            return render_template("booking/message.html", title="Nothing was changed", message=exc.message,
                                   phone=service.clinic_phone(view["calendar"])), 409
        session["bk_flash"] = "canceled"
        return redirect(url_for("booking.manage_page", token=token))
    reason = manage.refusal(appointment)
    if reason:
        return render_template("booking/message.html", title="Please call us", message=reason,
                               phone=service.clinic_phone(view["calendar"])), 409
    return render_template("booking/cancel.html", appointment=appointment, token=token, form=form, **view)


# --- waitlist ---------------------------------------------------------------------------------
@bp.route("/waitlist", methods=["GET", "POST"])
def join_waitlist():
    if (missing := _need("prov")) is not None:
        return missing
    session_type = _session_type()
    client = _verified_client()
    form = WaitlistForm(data=_waitlist_defaults(client) if request.method == "GET" else None)
    form.payer_id.choices = _payer_choices()
    _at_this_location(form)
    if form.validate_on_submit():
        if form.is_bot():
            return _bot_response()
        limits.hit("waitlist_ip", limits.client_ip())
        state = _state()
        prov = state.get("prov") or None
        details = service.Details(form.first_name.data, form.last_name.data, form.email.data, form.phone.data,
                                  form.date_of_birth.data, form.notes.data, form.payer_id.data or None,
                                  form.policy_number.data if form.payer_id.data else None,
                                  language=_page_language())
        prefs = waitlist.Preferences("".join(sorted(form.weekdays.data or [])), form.earliest.data,
                                     form.latest.data, form.until.data)
        with unit_of_work():
            waitlist.join(location_id=state["loc"], session_type=session_type,
                          calendar=db.session.get(Calendar, prov) if prov else None, details=details,
                          preferences=prefs, is_new=state["new"], client_id=client.id if client else None)
        return render_template("booking/message.html", title="You're on the waitlist",
                               message=f"We'll email {form.email.data} as soon as a time that suits you frees up. "
                                       "The first person to claim a freed time gets it, so act quickly.",
                               phone=None, done=True)
    return render_template("booking/waitlist.html", form=form, session_type=session_type)


def _waitlist_defaults(client: Client | None) -> dict:
    if client is None:
        saved = _saved_details() or {}
        return _details_form_data(saved) if saved.get("first_name") else {}
    return {"first_name": client.first_name, "last_name": client.last_name, "email": client.email,
            "phone": client.phone, "date_of_birth": client.date_of_birth, "agree": False}


@bp.route("/claim/<token>", methods=["GET", "POST"])
def claim(token: str):
    try:
        offer_id = tokens.read_token(tokens.CLAIM, token, tokens.CLAIM_MAX_AGE)
    except tokens.BadToken:
        return render_template("booking/message.html", title="This offer has expired",
                               message="Offers are open for a few hours only. You are still on the waitlist.",
                               phone=clinic_settings().phone), 410
    offer = waitlist.load_offer(offer_id)
    if offer is None:
        abort(404)
    if (appointment := waitlist.already_claimed(offer)) is not None:
        # The winner's second click (or a later visit): show their booking, not "gone".
        return _show_confirmed(appointment.id)
    form = ActionForm()
    zone = ZoneInfo(offer.calendar.location.timezone)
    if request.method == "POST":
        if not form.validate_on_submit():
            return _expired_form()
        limits.hit("book_ip", limits.client_ip())
        try:
            with unit_of_work():
                appointment_id = waitlist.claim(offer_id).id
        except waitlist.OfferGone as exc:
            db.session.expire_all()
            if (appointment := waitlist.already_claimed(waitlist.load_offer(offer_id))) is not None:
                return _show_confirmed(appointment.id)  # a double click: the first one won
            with unit_of_work():
                waitlist.mark_gone(offer_id)
            return render_template("booking/message.html", title="That time has gone", message=exc.message
                                   + " You are still on the waitlist; we'll email you when another time frees up.",
                                   phone=service.clinic_phone(offer.calendar)), 409
        except service.CallTheClinic as exc:
            return render_template("booking/message.html", title="Please call us", message=exc.message,
                                   phone=service.clinic_phone(offer.calendar)), 409
        return _show_confirmed(appointment_id)
    return render_template("booking/claim.html", offer=offer, form=form, start=local(offer.starts_at, zone),
                           gone=offer.status.value != "open")


# --- small answers ---------------------------------------------------------------------------------
def _expired_form():
    return render_template("booking/message.html", title="Please try again",
                           message="This page was open too long or came from somewhere else, so nothing was "
                                   "sent. Go back, reload the page and try again.",
                           phone=None), 400


def _bot_response():
    # Looks like a generic refusal to a bot; a person never sees it (the field is hidden).
    return render_template("booking/message.html", title="Please try again",
                           message="Your request could not be processed.", phone=None), 400


@bp.get("/theme.css")
def theme():
    colour = clinic_settings().brand_colour or ""
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
        colour = "#2f6f8f"
    css = f":root {{ --brand: {colour}; }}\n"
    return Response(css, mimetype="text/css", headers={"Cache-Control": "no-cache"})


headers.install(bp)
install_error_pages(bp)
