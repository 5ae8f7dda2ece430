"""A patient's own appointment behind its manage link: look, reschedule, cancel.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from flask import abort, redirect, render_template, request, session, url_for

from flask_babel import gettext

from app.booking import manage, refusals, service, tokens
from app.booking.forms import ActionForm, PickForm
from app.errors import Conflict
from app.extensions import db
from app.models import Appointment
from app.scheduling.availability import Slot
from app.timeutil import local_today
from app.uow import unit_of_work
from app.booking.views.blueprint import bp
from app.booking.views.wizard import local, show_location, _call_us, _slot_value, _expired_form, DAYS_SHOWN
from app.booking.views.times import _parse_day, _first_day, _parse_pick
from app.booking.views.confirm import _appointment_view


# --- manage (reschedule / cancel) -------------------------------------------------------------
def _appointment_from(token: str) -> Appointment:
    try:
        appointment_id = tokens.read_token(tokens.MANAGE, token, tokens.MANAGE_MAX_AGE)
    except tokens.BadToken:
        abort(404)
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None:
        abort(404)
    show_location(appointment.location_id)
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
            return _call_us(exc.message, service.clinic_phone(view["calendar"]))
        except Conflict as exc:
            db.session.expire_all()
            return _manage_times_page(token, _appointment_from(token), error=refusals.patient_message(exc)), 409
        session["bk_flash"] = "rescheduled"
        return redirect(url_for("booking.manage_page", token=token))
    reason = manage.refusal(appointment)
    if reason:
        return _call_us(reason, service.clinic_phone(view["calendar"]))
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
                    raise Conflict(str(refusals.STALE_TEXT))
                manage.cancel(appointment)
        except service.CallTheClinic as exc:
            return _call_us(exc.message, service.clinic_phone(view["calendar"]))
        except Conflict as exc:
            return render_template("booking/message.html", title=gettext("Nothing was changed"),
                                   message=refusals.patient_message(exc),
                                   phone=service.clinic_phone(view["calendar"])), 409
        session["bk_flash"] = "canceled"
        return redirect(url_for("booking.manage_page", token=token))
    reason = manage.refusal(appointment)
    if reason:
        return _call_us(reason, service.clinic_phone(view["calendar"]))
    return render_template("booking/cancel.html", appointment=appointment, token=token, form=form, **view)
