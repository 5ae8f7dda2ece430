"""The first steps: the location, a direct provider link, new or returning (with the
emailed code), and the clinic's colours.
"""
from __future__ import annotations

import re
import time as clock

from flask import Response, abort, redirect, render_template, session, url_for
from flask_babel import gettext

from app.booking import catalogue, codes, limits, service
from app.booking.forms import CodeForm, EmailForm, PickForm
from app.extensions import db
from app.models import Client, read_clinic_settings, online_booking_settings
from app.uow import unit_of_work
from app.booking.views.blueprint import bp
from app.booking.views.wizard import (
    _call_us,
    _state,
    _save,
    _reset,
    _draft,
    _save_draft,
    _fresh,
    _fixed_calendar,
    _need,
    CHOICES,
    CHOICES_MINUTES,
)


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
        return render_template("booking/message.html", title=gettext("This booking link is not active"),
                               message=gettext("The provider behind this link does not take online bookings at "
                                               "the moment."),
                               phone=read_clinic_settings().phone), 404
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
        error = gettext("That code is not right, or it has expired. Check the latest email, or ask for a new code.")
    return render_template("booking/code.html", form=form, email=email, error=error,
                           minutes=codes.CODE_MINUTES)


def _verified(client_id: int):
    _save(new=False, client=client_id, verified_at=clock.time())
    client = db.session.get(Client, client_id)
    try:
        service.refuse_if_blocked(client, _fixed_calendar())
    except service.CallTheClinic as exc:
        return _call_us(exc.message, service.clinic_phone(_fixed_calendar()))
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


@bp.get("/theme.css")
def theme():
    colour = read_clinic_settings().brand_colour or ""
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
        colour = "#2f6f8f"
    css = f":root {{ --brand: {colour}; }}\n"
    return Response(css, mimetype="text/css", headers={"Cache-Control": "no-cache"})
