"""Choosing the service, the provider and the time.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import redirect, render_template, request, url_for

from app.booking import catalogue, service
from app.booking.forms import PickForm
from app.models import Calendar, SessionType
from app.scheduling.availability import Slot
from app.timeutil import local_today, utcnow
from app.booking.views.blueprint import bp
from app.booking.views.wizard import (
    _state,
    _save,
    _saved_details,
    _fixed_calendar,
    _session_type,
    _need,
    _zone,
    local,
    _providers,
    _chosen_providers,
    _slot_value,
    DAYS_SHOWN,
)


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
    return min(max(_parse_day(request.args.get("week"), today), today), today + timedelta(days=_horizon(calendars)))


def _horizon(calendars: list[Calendar]) -> int:
    """How many days ahead the chosen providers can be booked online (the furthest of them)."""
    return max((c.booking_horizon_days for c in calendars if c is not None), default=60)


@bp.route("/times", methods=["GET", "POST"])
def times():
    if (missing := _need("prov")) is not None:
        return missing
    session_type = _session_type()
    form = PickForm()
    if form.validate_on_submit():
        start, calendar_id = _parse_pick(form.value.data)
        chosen = _chosen_providers(session_type)
        if start is None or calendar_id not in {c.id for c in chosen} or not _within_horizon(start, chosen):
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


def _within_horizon(start: datetime, calendars: list[Calendar]) -> bool:
    """A pick (the page's hidden value, which a patient can edit) lies between now and the
    furthest horizon: the review and confirm steps never do date arithmetic near year 1 or 9999."""
    now = utcnow()
    return now < start <= now + timedelta(days=_horizon(calendars) + 1)


def _parse_pick(value: str) -> tuple[datetime | None, int | None]:
    try:
        raw_start, raw_calendar = value.split("|", 1)
        start = datetime.fromisoformat(raw_start)
        return (start if start.tzinfo else None), int(raw_calendar)
    except ValueError:
        return None, None
