"""Joining the waitlist, and claiming a freed time offered by email.
"""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import abort, render_template, request
from flask_babel import gettext

from app.booking import limits, service, tokens, waitlist
from app.booking.forms import ActionForm, WaitlistForm
from app.extensions import db
from app.models import Calendar, Client, read_clinic_settings
from app.uow import unit_of_work
from app.booking.views.blueprint import bp
from app.booking.views.wizard import (
    _call_us,
    _state,
    _saved_details,
    _verified_client,
    _session_type,
    _need,
    _at_this_location,
    local,
    _show_confirmed,
    _expired_form,
    _bot_response,
)
from app.booking.views.confirm import _payer_choices, _details_form_data, _page_language


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
        return render_template("booking/message.html", title=gettext("You're on the waitlist"),
                               message=gettext("We'll email %(email)s as soon as a time that suits you frees up. "
                                               "The first person to claim a freed time gets it, so act quickly.",
                                               email=form.email.data),
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
        return render_template("booking/message.html", title=gettext("This offer has expired"),
                               message=gettext("Offers are open for a few hours only. You are still on the waitlist."),
                               phone=read_clinic_settings().phone), 410
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
            still_on = gettext("You are still on the waitlist; we'll email you when another time frees up.")
            return render_template("booking/message.html", title=gettext("That time has gone"),
                                   message=f"{exc.message} {still_on}",
                                   phone=service.clinic_phone(offer.calendar)), 409
        except service.CallTheClinic as exc:
            return _call_us(exc.message, service.clinic_phone(offer.calendar))
        return _show_confirmed(appointment_id)
    return render_template("booking/claim.html", offer=offer, form=form, start=local(offer.starts_at, zone),
                           gone=offer.status.value != "open")
