"""What the public site offers: locations, services by category and who provides them.

Only online-enabled, active provider calendars count, and only active session types
marked bookable online; a service is listed when at least one such calendar at the
location accepts its discipline. A fixed number of statements per page.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models import Calendar, CalendarKind, Location, Payer, PayerKind, SessionType
from app.models.clinic import location_payer
from app.models.calendars import calendar_order


@dataclass
class Service:
    session_type: SessionType
    providers: list[Calendar]


def online_calendars(location_id: int | None = None) -> list[Calendar]:
    """Provider calendars that take online bookings, in the clinic's order."""
    query = (select(Calendar)
             .join(Location, Location.id == Calendar.location_id)
             .where(Calendar.kind == CalendarKind.provider, Calendar.active.is_(True),
                    Calendar.online_enabled.is_(True), Location.active.is_(True))
             .options(joinedload(Calendar.location), selectinload(Calendar.disciplines),
                      joinedload(Calendar.team_member)))
    if location_id is not None:
        query = query.where(Calendar.location_id == location_id)
    return sorted(db.session.scalars(query).unique(), key=calendar_order)


def calendar_by_slug(slug: str) -> Calendar | None:
    return next((c for c in online_calendars() if c.slug == slug), None)


def locations() -> list[Location]:
    """Active locations with at least one calendar taking online bookings."""
    seen: dict[int, Location] = {}
    for calendar in online_calendars():
        seen.setdefault(calendar.location_id, calendar.location)
    return sorted(seen.values(), key=lambda loc: loc.name.casefold())


def eligible(session_type: SessionType, is_new: bool | None) -> bool:
    if is_new is None:
        return True
    return session_type.for_new_clients if is_new else session_type.for_returning_clients


def services(location_id: int, *, is_new: bool | None = None, only_calendar: Calendar | None = None) -> "OrderedDict[str, list[Service]]":
    """Bookable services at a location grouped by category (categories and services by name)."""
    calendars = [only_calendar] if only_calendar is not None else online_calendars(location_id)
    session_types = db.session.scalars(
        select(SessionType).where(SessionType.active.is_(True), SessionType.online_bookable.is_(True))
        .options(joinedload(SessionType.discipline))
        .order_by(SessionType.category, SessionType.name)
    ).all()
    grouped: OrderedDict[str, list[Service]] = OrderedDict()
    for st in session_types:
        if not eligible(st, is_new):
            continue
        providers = [c for c in calendars if st.discipline_id in {d.id for d in c.disciplines}]
        if providers:
            grouped.setdefault(st.category, []).append(Service(st, providers))
    return grouped


def providers_for(session_type: SessionType, location_id: int) -> list[Calendar]:
    return [c for c in online_calendars(location_id) if session_type.discipline_id in {d.id for d in c.disciplines}]


def accepted_payers(location_id: int | None = None) -> list[Payer]:
    """Insurers and other third parties a patient may name when booking at the location:
    those it lists as accepted, or every one when it lists none; self-pay is the default
    and not listed."""
    query = select(Payer).where(Payer.active.is_(True), Payer.kind != PayerKind.self_pay).order_by(Payer.name)
    if location_id is not None:
        listed = select(location_payer.c.payer_id).where(location_payer.c.location_id == location_id)
        if db.session.scalar(select(listed.exists())):
            query = query.where(Payer.id.in_(listed))
    return list(db.session.scalars(query))


def out_of_network_message(location_id: int | None) -> str | None:
    """What the location tells a patient whose insurer it does not bill."""
    location = db.session.get(Location, location_id) if location_id else None
    return location.out_of_network_message if location is not None else None


def self_pay_payer() -> Payer | None:
    return db.session.scalars(
        select(Payer).where(Payer.active.is_(True), Payer.kind == PayerKind.self_pay).order_by(Payer.id)).first()
