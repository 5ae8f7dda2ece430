"""The patient's details, the review page and the booking itself, then the confirmation.
The policy ("any available" falls back to another free provider) is the booking service's.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import date
from zoneinfo import ZoneInfo

from wtforms.fields.choices import SelectChoice
from flask_babel import gettext
from flask import current_app, redirect, render_template, request, session, url_for

from app.booking import catalogue, limits, manage, refusals, service, tokens
from app.booking.forms import ConfirmForm, DetailsForm, PickForm, ReturningDetailsForm
from app.errors import Conflict
from app.extensions import db
from app.i18n.locales import supported
from app.models import Appointment, Calendar, Client, SessionType
from app.timeutil import local_today
from app.booking.views.blueprint import bp
from app.booking.views.wizard import (
    _call_us,
    _state,
    _save,
    _reset,
    _save_draft,
    _saved_details,
    _fresh,
    _verified_client,
    _session_type,
    _start,
    _need,
    _zone,
    _at_this_location,
    local,
    _chosen_providers,
    _slot_value,
    _show_confirmed,
    _expired_form,
    _bot_response,
    DONE,
    DONE_MINUTES,
)


# --- details, review, confirm ---------------------------------------------------------------
def _payer_choices():
    payers = catalogue.accepted_payers(_state().get("loc"))  # the chosen location's network
    return [SelectChoice(0, gettext("I'll pay myself"))] + [SelectChoice(p.id, p.name) for p in payers]


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
                           ask_payer=_needs_new_case(client, session_type), session_type=session_type,
                           out_of_network=catalogue.out_of_network_message(_state().get("loc")))


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
        payer = next((p for p in catalogue.accepted_payers(state.get("loc")) if p.id == details.payer_id), None)
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
        appointment_id = service.place_with_fallback(choice, details, nonce=nonce, providers=_chosen_providers)
    except service.RepeatedConfirm:
        # The same press is being (or was just) booked by a parallel request: its booking.
        if (appointment_id := service.confirmed_by(nonce)) is not None:
            return _after_booking(appointment_id)
        return _expired_form()
    except service.CallTheClinic as exc:
        return _call_us(exc.message, service.clinic_phone(db.session.get(Calendar, choice.calendar_id)))
    except Conflict as exc:
        if not service.is_taken(exc):
            phone = service.clinic_phone(db.session.get(Calendar, choice.calendar_id))
            return render_template("booking/message.html", title=gettext("We couldn't book this online"),
                                   message=refusals.patient_message(exc), phone=phone), 409
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
