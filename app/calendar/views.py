"""The grid page and its JSON feeds (read-only). Writes go through the scheduling API
(app/api/scheduling.py) with the page's CSRF token."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import jsonify, request
from flask_appbuilder import BaseView, expose, has_access
from flask_wtf.csrf import generate_csrf
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from app.billing.packages import remaining_notes
from app.calendar import feeds
from app.errors import NotFound, ValidationFailed
from app.plausible_dates import schedule_date_problem
from app.extensions import db
from app.i18n.formatting import phone
from app.models import Appointment, Calendar, Case, Client, Discipline, Location, Payer, SessionType
from app.models.settings import read_clinic_settings, slot_step_minutes
from app.name_search import client_named
from app.record_reads import log_read
from app.security import (
    APPOINTMENTS,
    CASES,
    TIME_BLOCKS,
    WRITE,
    appointment_scope,
    case_scope,
    client_scope,
    current_user,
    in_scope,
    may,
    visible_calendar_ids,
)
from app.timeutil import local_today

MAX_RANGE_DAYS = 42


def _location() -> Location:
    try:
        location_id = int(request.args.get("location_id", ""))
    except ValueError as exc:
        raise ValidationFailed("location_id must be a number.") from exc
    location = db.session.get(Location, location_id)
    if location is None:
        raise NotFound(f"There is no location {location_id}.")
    return location


def _dates() -> tuple[date, date]:
    """FullCalendar sends start (inclusive) and end (exclusive) as ISO dates or datetimes."""
    try:
        start = date.fromisoformat(request.args["start"][:10])
        end = date.fromisoformat(request.args["end"][:10]) - timedelta(days=1)
    except (KeyError, ValueError) as exc:
        raise ValidationFailed("start and end must be ISO dates.") from exc
    for day in (start, end):
        implausible = schedule_date_problem(day)
        if implausible:
            raise ValidationFailed(implausible)
    if end < start:
        end = start
    if (end - start).days > MAX_RANGE_DAYS:
        raise ValidationFailed(f"Ask for at most {MAX_RANGE_DAYS} days at once.")
    return start, end


def grid_locations(user) -> list[Location]:
    """The locations where the user may see at least one calendar."""
    return list(db.session.scalars(
        select(Location).where(Location.active.is_(True), Location.id.in_(
            select(Calendar.location_id).where(Calendar.id.in_(visible_calendar_ids(user)))))
        .order_by(Location.name)
    ))


def _case_payers(locations) -> list[tuple[Payer, list[int]]]:
    """The payers a case opened in the grid may name (self-pay is the blank choice), each with
    the locations that bill it: the online booking's rule (catalogue.accepted_payers)."""
    from app.booking.catalogue import accepted_payers

    where: dict[Payer, list[int]] = {}
    for location in locations:
        for payer in accepted_payers(location.id):
            where.setdefault(payer, []).append(location.id)
    return sorted(where.items(), key=lambda item: item[0].name)


class CalendarGridView(BaseView):
    route_base = "/calendar"
    class_permission_name = APPOINTMENTS
    method_permission_name = {"grid": "read", "resources": "read", "events": "read", "clients": "read",
                              "session_types": "read", "appointment": "read", "extras": "read"}
    default_view = "grid"

    @expose("/")
    @has_access
    def grid(self):
        user = current_user()
        locations = grid_locations(user)
        return self.render_template(
            "calendar/grid.html", locations=locations, csrf_token=generate_csrf(),
            # The grid opens on today at the first location shown, not on the server's date.
            today=local_today(locations[0] if locations else None).isoformat(), username=user.username,
            disciplines=db.session.scalars(select(Discipline).order_by(Discipline.name)).all(),
            payers=_case_payers(locations),
            slot_step=slot_step_minutes(),
            notify_by_default=read_clinic_settings().notify_by_default,
            may_block=may(user, WRITE, TIME_BLOCKS), may_open_case=may(user, WRITE, CASES),
            status_colours={status.value: colour for status, colour in feeds.STATUS_COLOURS.items()},
            # Monday to Sunday (1 January 2024 was a Monday), named in the reader's language.
            weekdays=[date(2024, 1, 1) + timedelta(days=offset) for offset in range(7)],
        )

    @expose("/feed/resources")
    @has_access
    def resources(self):
        start, end = _dates()
        return jsonify(feeds.resources(user=current_user(), location=_location(), day_from=start, day_to=end,
                                       include_idle=request.args.get("all") == "1"))

    @expose("/feed/events")
    @has_access
    def events(self):
        start, end = _dates()
        return jsonify(feeds.events(user=current_user(), location=_location(), day_from=start, day_to=end))

    @expose("/feed/clients")
    @has_access
    def clients(self):
        """Clients matching ``q`` (name, email or phone) with their open cases, for booking."""
        q = (request.args.get("q") or "").strip()
        if len(q) < 2:
            return jsonify([])
        like = f"%{q.lower()}%"
        user = current_user()
        found = db.session.scalars(
            select(Client).where(Client.id.in_(client_scope(user)), or_(
                client_named(q),  # the forms' pickers' rule: without case or accents
                db.func.lower(Client.email).like(like), Client.phone.like(f"%{q}%")))
            .order_by(Client.last_name, Client.first_name).limit(20)
            .options(joinedload(Client.home_location))  # each phone is shown in its location's country
        ).all()
        cases = db.session.scalars(
            select(Case).where(Case.client_id.in_([c.id for c in found]), Case.closed_on.is_(None),
                               Case.id.in_(case_scope(user))).order_by(Case.opened_on.desc())
        ).all() if found else []
        notes = remaining_notes(cases, [c.id for c in found])
        by_client: dict[int, list] = {}
        for case in cases:
            by_client.setdefault(case.client_id, []).append(
                {"id": case.id, "title": case.title, "discipline_id": case.discipline_id, "note": notes.get(case.id, "")})
        return jsonify([{"id": c.id, "name": c.full_name, "phone": phone(c.phone, c.home_location), "email": c.email,
                         "alerts": c.alerts or "", "cases": by_client.get(c.id, [])} for c in found])

    @expose("/feed/appointment/<int:appointment_id>")
    @has_access
    def appointment(self, appointment_id: int):
        """The side panel of one appointment (client context, case, audit trail)."""
        found = db.session.get(Appointment, appointment_id)
        if found is None or not in_scope(appointment_scope(current_user()), appointment_id):
            raise NotFound(f"There is no appointment {appointment_id}.")
        log_read(found)
        return jsonify(feeds.appointment_panel(appointment=found, user=current_user()))

    @expose("/feed/session_types")
    @has_access
    def session_types(self):
        rows = db.session.scalars(select(SessionType).where(SessionType.active.is_(True))
                                  .order_by(SessionType.category, SessionType.name)).all()
        return jsonify([{"id": s.id, "name": s.name, "category": s.category, "discipline_id": s.discipline_id,
                         "duration": s.duration_minutes, "colour": s.colour} for s in rows])

    @expose("/feed/extras")
    @has_access
    def extras(self):
        """The rooms / equipment the session needs that are free with this provider at
        ``start``, per kind, in calendar order (the first is what booking would pick)."""
        try:
            calendar_id = int(request.args["calendar_id"])
            session_type_id = int(request.args["session_type_id"])
            start = datetime.fromisoformat(request.args["start"])
        except (KeyError, ValueError) as exc:
            raise ValidationFailed("calendar_id, session_type_id and start (ISO with offset) are needed.") from exc
        if start.tzinfo is None:
            raise ValidationFailed("start needs its UTC offset.")
        user = current_user()
        provider = db.session.get(Calendar, calendar_id)
        session_type = db.session.get(SessionType, session_type_id)
        if provider is None or session_type is None or not in_scope(visible_calendar_ids(user), calendar_id):
            raise NotFound("There is no such calendar or session type.")
        return jsonify(feeds.free_extras(user=user, provider=provider, session_type=session_type, start=start))
