"""Booking from the public site: who the patient is, which case, and the booking itself.

The time rules are the scheduling engine's (``booking.book`` with ``channel=ONLINE``:
online-enabled calendar, lead time, horizon, buffers, rooms, the clinic's time grid),
decided under the engine's calendar locks; this module adds what only the public site
knows: the client (new, or a verified returning one), their case, whether they may book
online at all, and the nearest alternatives when the time went meanwhile.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import force_locale, gettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.booking import catalogue
from app.errors import Conflict, DomainError, Problem
from app.i18n.locales import language_for
from app.extensions import db
from app.models import (
    Appointment,
    AppointmentStatus,
    BookingConfirmation,
    Calendar,
    Case,
    Client,
    Payer,
    SessionType,
    read_clinic_settings,
)
from app.models.settings import slot_step_minutes
from app.scheduling import availability, booking
from app.scheduling.availability import ONLINE
from app.timeutil import local_today, to_local
from app.uow import unit_of_work

# Reasons a refused booking means "that time is no longer free": show alternatives.
TAKEN = {"overlaps_appointment", "taken_concurrently", "outside_shift", "in_break", "blocked",
         "unavailable", "lead_time", "room_required", "equipment_required", "too_far_ahead", "off_grid"}


class RepeatedConfirm(Exception):
    """This confirm's nonce was already used: by an earlier press, or by a parallel one
    that holds it until it commits."""


class CallTheClinic(DomainError):
    """Online self-service is not possible for this patient or appointment; the page
    shows the message with the clinic's phone number."""

    status_code = 409


@dataclass
class Details:
    first_name: str
    last_name: str
    email: str
    phone: str | None = None
    date_of_birth: date | None = None
    notes: str | None = None
    payer_id: int | None = None
    policy_number: str | None = None
    texts: bool = False  # ticked "text me" (consent to text messages)
    language: str | None = None  # the language they booked in: everything sent to them uses it


@dataclass
class Choice:
    """Everything the patient picked, as ids (what the session keeps)."""

    session_type_id: int
    calendar_id: int          # the provider whose time was shown
    start: datetime           # UTC
    is_new: bool
    any_provider: bool = False
    client_id: int | None = None  # a verified returning patient


def step_minutes() -> int:
    return slot_step_minutes()


def clinic_phone(calendar: Calendar | None = None) -> str | None:
    if calendar is not None and calendar.location.phone:
        return calendar.location.phone
    return read_clinic_settings().phone


def is_blocked(client: Client) -> bool:
    """Blocked by hand, or by the clinic's no-show rule."""
    if client.online_booking_blocked:
        return True
    limit = read_clinic_settings().no_show_block_after
    if not limit:
        return False
    no_shows = db.session.scalar(
        select(func.count(Appointment.id)).join(Case, Case.id == Appointment.case_id)
        .where(Case.client_id == client.id, Appointment.status == AppointmentStatus.no_show))
    return no_shows >= limit


def refuse_if_blocked(client: Client, calendar: Calendar | None = None) -> None:
    if is_blocked(client):
        _refuse_blocked(calendar)


def _refuse_blocked(calendar: Calendar | None):
    phone = clinic_phone(calendar)
    raise CallTheClinic(
        gettext("We can't take this booking online. Please call the clinic at %(phone)s and we'll find you a time.",
                phone=phone) if phone else
        gettext("We can't take this booking online. Please call the clinic and we'll find you a time."),
        [Problem("Client blocked from online booking.", details={"reason": "blocked_client"})])


def same_person(details: Details) -> list[Client]:
    """Existing clients with this email, name and date of birth (case and spacing
    ignored): a "new" patient who is in fact one of them."""
    if not details.email or not details.date_of_birth:
        return []
    candidates = db.session.scalars(select(Client).where(
        func.lower(Client.email) == details.email.strip().casefold(),
        Client.date_of_birth == details.date_of_birth)).all()

    def norm(text: str | None) -> str:
        return " ".join((text or "").split()).casefold()

    return [c for c in candidates if (norm(c.first_name), norm(c.last_name))
            == (norm(details.first_name), norm(details.last_name))]


def refuse_if_blocked_as_new(details: Details, calendar: Calendar | None = None) -> None:
    """A blocked client must not get round the block by choosing "I'm new": the same
    answer as for the verified client (which says nothing about who is blocked)."""
    if any(is_blocked(c) for c in same_person(details)):
        _refuse_blocked(calendar)


LIVE = (AppointmentStatus.booked, AppointmentStatus.confirmed, AppointmentStatus.arrived)


def refuse_if_already_booked(client_ids: list[int], start: datetime, end: datetime) -> None:
    """One person, one appointment at a time: refuse a booking overlapping one of theirs
    (a second tab, a double submit that got past the nonce, a family member's mix-up)."""
    if not client_ids:
        return
    clash = db.session.scalar(
        select(Appointment.id).join(Case, Case.id == Appointment.case_id)
        .where(Case.client_id.in_(client_ids), Appointment.status.in_(LIVE),
               Appointment.starts_at < end, Appointment.ends_at > start).limit(1))
    if clash is not None:
        raise Conflict(gettext("You already have an appointment at that time. Check your confirmation email, "
                               "or call the clinic to change it."),
                       [Problem("Client already booked then.", details={"reason": "client_overlap"})])


def confirmed_by(nonce: str | None) -> int | None:
    """The appointment an earlier confirm with this nonce booked, if any."""
    row = db.session.get(BookingConfirmation, nonce) if nonce else None
    return row.appointment_id if row is not None else None


def _record_confirmation(nonce: str) -> BookingConfirmation:
    """Take the nonce first, so a parallel press of the same button waits here (on the
    primary key) and then finds it taken, instead of booking a second time."""
    row = BookingConfirmation(nonce=nonce)
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise RepeatedConfirm() from exc
    return row


def new_client(details: Details, location_id: int) -> Client:
    client = Client(first_name=details.first_name, last_name=details.last_name, email=details.email,
                    phone=details.phone, date_of_birth=details.date_of_birth, home_location_id=location_id,
                    preferred_language=details.language)
    if details.texts and details.phone:
        from app.messaging import consent

        consent.give_consent(client, "online")
        client.message_channel = "both"  # the confirmation still goes by email too
    db.session.add(client)
    db.session.flush()
    return client


def open_case(client: Client, session_type: SessionType, calendar: Calendar, *, payer_id: int | None,
              policy_number: str | None, now: datetime | None = None) -> Case:
    """The client's open case of the session's discipline (most recently opened), or a
    new one: with the insurer they named and its policy number, else self-pay."""
    today = local_today(calendar, now)
    existing = db.session.scalars(
        select(Case).where(Case.client_id == client.id, Case.discipline_id == session_type.discipline_id,
                           Case.is_open_on(today))
        .order_by(Case.opened_on.desc(), Case.id.desc())).first()
    if existing is not None:
        return existing
    payer = db.session.get(Payer, payer_id) if payer_id else None
    if payer is not None and (not payer.active or payer not in catalogue.accepted_payers()):
        payer = None
    with force_locale(language_for(None, calendar.location)):  # read by the location's staff
        title = gettext("%(discipline)s (booked online)", discipline=session_type.discipline.name)
    case = Case(client=client, title=title,
                discipline_id=session_type.discipline_id,
                payer=payer or catalogue.self_pay_payer(),
                claim_number=(policy_number or None) if payer else None,
                provider_id=calendar.team_member_id, opened_on=today,
                referral_source="Online booking")
    db.session.add(case)
    db.session.flush()
    return case


def _duplicate_note(details: Details) -> str | None:
    """A new patient typed an address the clinic already knows. We never say so on the
    public page (no enumeration) and never attach them to that record unverified; the
    front desk sees this note and merges if it is the same person."""
    count = db.session.scalar(select(func.count(Client.id)).where(
        func.lower(Client.email) == details.email.strip().casefold()))
    return "Booked online as a new patient; the email matches an existing client record." if count else None


def place(choice: Choice, details: Details | None, *, now: datetime | None = None,
          nonce: str | None = None) -> Appointment:
    """Book the patient's choice. Raises Conflict (time refused: see ``TAKEN``),
    CallTheClinic, or RepeatedConfirm (``nonce`` already used). Flushes; the caller
    commits (the nonce and the booking together)."""
    confirmation = _record_confirmation(nonce) if nonce else None
    session_type = db.session.get(SessionType, choice.session_type_id)
    calendar = db.session.get(Calendar, choice.calendar_id)
    if session_type is None or calendar is None:
        raise Conflict(gettext("That service or provider is no longer offered online."),
                       [Problem("Gone.", details={"reason": "session_inactive"})])
    notes = (details.notes or "").strip() if details else ""
    if choice.client_id is not None:
        client = db.session.get(Client, choice.client_id)
        if client is None:
            raise Conflict(gettext("We could not find your record; please start again."))
        refuse_if_blocked(client, calendar)
        refuse_if_already_booked([client.id], choice.start, choice.start + timedelta(minutes=session_type.duration_minutes))
        case = open_case(client, session_type, calendar, payer_id=details.payer_id if details else None,
                         policy_number=details.policy_number if details else None, now=now)
    else:
        if details is None:
            raise Conflict(gettext("Your details are missing; please enter them again."))
        refuse_if_blocked_as_new(details, calendar)
        refuse_if_already_booked([c.id for c in same_person(details)], choice.start,
                                 choice.start + timedelta(minutes=session_type.duration_minutes))
        duplicate = _duplicate_note(details)
        client = new_client(details, calendar.location_id)
        case = open_case(client, session_type, calendar, payer_id=details.payer_id,
                         policy_number=details.policy_number, now=now)
        notes = "\n".join(n for n in (notes, duplicate) if n)
    result = booking.book(
        case=case, session_type=session_type, calendar=calendar, start=choice.start, actor=None,
        channel=ONLINE, notify=True, notes=notes or None, now=now, client_id=client.id,
        is_new_client=choice.is_new, step_minutes=step_minutes(),
    )
    if confirmation is not None:
        confirmation.appointment_id = result.appointment.id
        db.session.flush()
    return result.appointment


def place_with_fallback(choice: Choice, details: Details | None, *, nonce: str,
                        providers: Callable[[SessionType], list[Calendar]]) -> int:
    """Book; for "any available", when the shown provider went meanwhile, try the other
    providers free at the same start before giving up (each try its own transaction,
    each recording the nonce with its booking). ``providers``: the calendars the patient
    chose among for a session type."""
    try:
        with unit_of_work():
            return place(choice, details, nonce=nonce).id
    except Conflict as exc:
        if not (choice.any_provider and is_taken(exc)):
            raise
        first_error = exc
    session_type = db.session.get(SessionType, choice.session_type_id)
    others = [s.calendar_ids[0] for s in nearest_alternatives(
        session_type, providers(session_type), choice.start, is_new=choice.is_new, any_provider=False,
        limit=50) if s.start == choice.start and s.calendar_ids[0] != choice.calendar_id]
    for calendar_id in others[:3]:
        try:
            with unit_of_work():
                return place(Choice(**{**choice.__dict__, "calendar_id": calendar_id}), details,
                             nonce=nonce).id
        except Conflict as exc:
            if not is_taken(exc):
                raise
    raise first_error


def is_taken(error: Conflict) -> bool:
    reasons = {p.details.get("reason") for p in error.problems}
    return bool(reasons) and reasons <= TAKEN | {None}


def nearest_alternatives(session_type: SessionType, calendars: list[Calendar], wanted: datetime, *,
                         is_new: bool | None, now: datetime | None = None, limit: int = 6,
                         any_provider: bool = True, ignore_appointment_ids=()) -> list[availability.Slot]:
    """The free starts closest to ``wanted`` (a few days either side), in time order."""
    if not calendars:
        return []
    zone = ZoneInfo(calendars[0].location.timezone)
    day = to_local(wanted, zone).date()
    slots = availability.find_slots(
        session_type=session_type, provider_calendars=calendars, start_day=day - timedelta(days=3),
        end_day=day + timedelta(days=7), channel=ONLINE, now=now, is_new_client=is_new,
        step_minutes=step_minutes(), any_provider=any_provider, ignore_appointment_ids=ignore_appointment_ids)
    closest = sorted(slots, key=lambda s: (abs((s.start - wanted).total_seconds()), s.start))[:limit]
    return sorted(closest, key=lambda s: s.start)
