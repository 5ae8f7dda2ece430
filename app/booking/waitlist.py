"""The waitlist: patients waiting for a time that suits, offered freed time by email.

When time frees up on an online-enabled provider calendar (a cancellation, a rebook, a
move, or a new shift through ``offer_new_time``), an ``WaitlistOpening`` row is written
in the same transaction, and after commit a job turns openings into offers: each
waiting entry whose service, provider, days and times fit gets an offer of the first
free start inside the opening (found with the same ``find_slots`` as everything else)
and an email with a claim link. Claiming books through the engine (``channel=ONLINE``)
under its calendar locks, so of several patients offered one time exactly one gets it;
the others' offers become ``gone`` and they are told so.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from datetime import timedelta

from flask_babel import gettext
from sqlalchemy import or_, select
from sqlalchemy.exc import DBAPIError

from app import events
from app.booking import mail, tokens
from app.booking.service import (
    Details,
    new_client,
    open_case,
    refuse_if_blocked,
    refuse_if_blocked_as_new,
    step_minutes,
)
from app.errors import Conflict, Problem
from app.extensions import db
from app.models import (
    Appointment,
    AppointmentStatus,
    Calendar,
    CalendarKind,
    OfferStatus,
    SessionType,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistOpening,
    WaitlistStatus,
)
from app.scheduling import availability, booking
from app.scheduling.availability import ONLINE
from app.scheduling.locks import lock_calendars
from app.timeutil import to_local, utcnow
from app.uow import after_commit, unit_of_work

log = logging.getLogger(__name__)

# How many waiting patients one opening is offered to (oldest entries first).
OFFERS_PER_OPENING = 10


@dataclass
class Preferences:
    weekdays: str = ""          # "024": Mon, Wed, Fri; "" any day
    earliest: time | None = None
    latest: time | None = None
    until: date | None = None


def join(*, location_id: int, session_type: SessionType, calendar: Calendar | None, details: Details,
         preferences: Preferences, is_new: bool, client_id: int | None) -> WaitlistEntry:
    entry = WaitlistEntry(
        location_id=location_id, session_type_id=session_type.id, calendar_id=calendar.id if calendar else None,
        client_id=client_id, is_new_client=is_new, first_name=details.first_name, last_name=details.last_name,
        email=details.email, phone=details.phone, date_of_birth=details.date_of_birth, payer_id=details.payer_id,
        policy_number=details.policy_number, notes=details.notes, weekdays=preferences.weekdays,
        earliest=preferences.earliest, latest=preferences.latest, until=preferences.until,
        status=WaitlistStatus.waiting,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def suits(entry: WaitlistEntry, start: datetime, zone: ZoneInfo) -> bool:
    """Whether a start (UTC) falls on the entry's days and between its times (local)."""
    local = to_local(start, zone)
    if entry.weekdays and str(local.weekday()) not in entry.weekdays:
        return False
    if entry.earliest is not None and local.time() < entry.earliest:
        return False
    if entry.latest is not None and local.time() > entry.latest:
        return False
    if entry.until is not None and local.date() > entry.until:
        return False
    return True


# --- openings ------------------------------------------------------------------------------
def record_opening(calendar: Calendar, start: datetime, end: datetime, reason: str) -> None:
    """Note freed time on ``calendar`` (inside the caller's transaction); after commit
    the worker offers it."""
    if (calendar.kind != CalendarKind.provider or not calendar.online_enabled or end <= utcnow()
            or start >= end):
        return
    db.session.add(WaitlistOpening(calendar_id=calendar.id, starts_at=start, ends_at=end, reason=reason))
    after_commit(_enqueue_processing)


def offer_new_time(calendar: Calendar, start: datetime, end: datetime) -> None:
    """For the shifts screen: new working time on ``calendar`` (a shift added or
    extended) may suit waiting patients. Call inside the unit of work that saves it."""
    record_opening(calendar, start, end, "new_shift")


def _enqueue_processing() -> None:
    from app.tasks.queue import enqueue

    enqueue("app.booking.waitlist.process_openings_job")


def process_openings_job() -> int:
    """RQ job: offer every unprocessed opening (one transaction)."""
    with unit_of_work():
        return process_openings()


def process_openings(now: datetime | None = None) -> int:
    """Turn unprocessed openings into offers; returns how many offers were made."""
    # Two workers never offer one opening twice (SKIP LOCKED on PostgreSQL; SQLite has one writer).
    query = (select(WaitlistOpening).where(WaitlistOpening.processed_at.is_(None)).order_by(WaitlistOpening.id)
             .with_for_update(skip_locked=True))
    made = 0
    for opening in db.session.scalars(query).all():
        made += _offer_opening(opening, now or utcnow())
        opening.processed_at = utcnow()
    db.session.flush()
    return made


def _offer_opening(opening: WaitlistOpening, now: datetime) -> int:
    calendar = db.session.get(Calendar, opening.calendar_id)
    if calendar is None or not calendar.active or not calendar.online_enabled:
        return 0
    zone = ZoneInfo(calendar.location.timezone)
    disciplines = {d.id for d in calendar.disciplines}
    entries = db.session.scalars(
        select(WaitlistEntry).join(SessionType, SessionType.id == WaitlistEntry.session_type_id)
        .where(WaitlistEntry.status == WaitlistStatus.waiting, WaitlistEntry.location_id == calendar.location_id,
               or_(WaitlistEntry.calendar_id.is_(None), WaitlistEntry.calendar_id == calendar.id),
               SessionType.discipline_id.in_(disciplines))
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)).all()
    first_day, last_day = to_local(opening.starts_at, zone).date(), to_local(opening.ends_at, zone).date()
    slots_by_kind: dict[tuple[int, bool], list[availability.Slot]] = {}
    made = 0
    for entry in entries:
        if made >= OFFERS_PER_OPENING:
            break
        kind = (entry.session_type_id, entry.is_new_client)
        if kind not in slots_by_kind:
            slots_by_kind[kind] = availability.find_slots(
                session_type=entry.session_type, provider_calendars=[calendar], start_day=first_day,
                end_day=last_day, channel=ONLINE, now=now, is_new_client=entry.is_new_client,
                step_minutes=step_minutes(), any_provider=False)
        start = next((s.start for s in slots_by_kind[kind]
                      if opening.starts_at <= s.start < opening.ends_at and suits(entry, s.start, zone)), None)
        if start is None:
            continue
        if any(o.calendar_id == calendar.id and o.starts_at == start and o.status == OfferStatus.open
               for o in entry.offers):
            continue
        offer = WaitlistOffer(entry=entry, calendar_id=calendar.id, starts_at=start, status=OfferStatus.open)
        db.session.add(offer)
        db.session.flush()
        local = to_local(start, zone)
        mail.queue_email("waitlist_offer", entry.email, {
            "claim_url": tokens.claim_url(offer), "service": entry.session_type.name,
            "when": f"{local:%A %d %B %Y, %H:%M} ({calendar.location.name})", "provider": calendar.name,
        }, f"waitlist_offer:{offer.id}", client_id=entry.client_id)
        made += 1
    return made


# --- claiming -------------------------------------------------------------------------------
class OfferGone(Conflict):
    """Someone else claimed the time first, or it was booked meanwhile."""


def load_offer(offer_id: int) -> WaitlistOffer | None:
    return db.session.get(WaitlistOffer, offer_id)


def claim(offer_id: int, *, now: datetime | None = None) -> Appointment:
    """Book the offered time for the offer's patient. Raises OfferGone if it went.
    Claiming an offer this entry already claimed returns that appointment (the patient
    clicked twice, or came back to the email)."""
    try:
        return _claim(offer_id, now)
    except DBAPIError as exc:
        # A deadlock or lock timeout with another booking at the same moment: the caller's
        # unit of work rolls back; for the patient it is the same as losing the race.
        if not booking.is_concurrency_error(exc):
            raise
        raise OfferGone(gettext("Sorry, that time has gone: someone else took it first."),
                        [Problem("Claim lost a race.", details={"reason": "taken_concurrently"})]) from exc


def already_claimed(offer: WaitlistOffer | None) -> Appointment | None:
    """The appointment this offer booked, if it was claimed and still exists."""
    if offer is None or offer.status != OfferStatus.claimed or offer.appointment_id is None:
        return None
    return db.session.get(Appointment, offer.appointment_id)


def _claim(offer_id: int, now: datetime | None) -> Appointment:
    offer = load_offer(offer_id)
    if offer is not None:
        # Claims of one time queue on its calendar's lock, the first lock every booking of
        # that calendar takes (locking the offer rows first deadlocks: the winner marks
        # the others' offers gone while they hold them and wait for the calendar). The
        # rooms/equipment the booking will need are locked in the same call, in id order,
        # as book() does: locking the provider alone first and the rooms later deadlocks
        # against a booking that locked a lower-numbered room before the provider.
        entry = offer.entry
        resources = availability.pick_resources(
            session_type=entry.session_type, provider=offer.calendar, start=offer.starts_at,
            end=offer.starts_at + timedelta(minutes=entry.session_type.duration_minutes))
        lock_calendars([offer.calendar_id, *(c.id for c in resources)])
        db.session.refresh(offer)
        db.session.refresh(offer.entry)
        if (existing := already_claimed(offer)) is not None:
            return existing
    if offer is None or offer.status != OfferStatus.open or offer.entry.status != WaitlistStatus.waiting:
        raise OfferGone(gettext("Sorry, that time has gone: someone else took it first."),
                        [Problem("Offer no longer open.", details={"reason": "offer_gone"})])
    entry = offer.entry
    calendar = offer.calendar
    if entry.client_id is not None:
        client = entry.client
        refuse_if_blocked(client, calendar)
    else:
        details = Details(entry.first_name, entry.last_name, entry.email, entry.phone, entry.date_of_birth)
        refuse_if_blocked_as_new(details, calendar)
        client = new_client(details, entry.location_id)
    case = open_case(client, entry.session_type, calendar, payer_id=entry.payer_id,
                     policy_number=entry.policy_number, now=now)
    try:
        appointment = booking.book(
            case=case, session_type=entry.session_type, calendar=calendar, start=offer.starts_at, actor=None,
            channel=ONLINE, notes=entry.notes, now=now, client_id=client.id, is_new_client=entry.is_new_client,
            step_minutes=step_minutes()).appointment
    except Conflict as exc:
        raise OfferGone(gettext("Sorry, that time has gone: someone else took it first."), exc.problems) from exc
    offer.status = OfferStatus.claimed
    offer.appointment_id = appointment.id
    entry.status = WaitlistStatus.booked
    entry.client_id = client.id
    for other in db.session.scalars(select(WaitlistOffer).where(
            WaitlistOffer.calendar_id == offer.calendar_id, WaitlistOffer.starts_at == offer.starts_at,
            WaitlistOffer.status == OfferStatus.open, WaitlistOffer.id != offer.id)):
        other.status = OfferStatus.gone
    db.session.flush()
    return appointment


def mark_gone(offer_id: int) -> None:
    offer = load_offer(offer_id)
    if offer is not None and offer.status == OfferStatus.open:
        offer.status = OfferStatus.gone
        db.session.flush()


# --- event receivers ----------------------------------------------------------------------------
RELEASED = (AppointmentStatus.canceled, AppointmentStatus.rebooked)


def _on_status_changed(appointment: Appointment, *, new, old=None, **_):
    if new not in RELEASED:
        return
    for occupancy in appointment.occupancies:
        record_opening(occupancy.calendar, appointment.starts_at, appointment.ends_at, new.value)


def _on_moved(appointment: Appointment, *, before: dict, **_):
    start, end = before["starts_at"], before["ends_at"]
    for calendar_id in before.get("calendar_ids", ()):
        calendar = db.session.get(Calendar, calendar_id)
        if calendar is not None:
            record_opening(calendar, start, end, "moved")


def connect() -> None:
    """Subscribe to the domain events (called once by ``create_app``; blinker ignores a repeat)."""
    events.appointment_status_changed.connect(_on_status_changed)
    events.appointment_moved.connect(_on_moved)
