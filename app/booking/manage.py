"""Self-service changes from the manage link: reschedule or cancel.

The same guardrails as booking: the new time must pass the online rules (checked with
the engine's ``check_booking``, channel ONLINE), and the move itself is the engine's
``booking.move``, which locks the calendars and re-checks the time. Inside the
calendar's cancellation window, or the fee policy's late-cancel window (where the
clinic's lifecycle would charge a late-cancel fee), nothing changes online: the patient
is asked to call, so nobody is charged by a button that never mentioned a fee.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext

from app.billing import fees
from app.booking.service import CallTheClinic, clinic_phone, refuse_if_blocked, step_minutes
from app.errors import Conflict, Problem
from app.models import Appointment, AppointmentStatus, Calendar, CalendarKind
from app.scheduling import availability, booking
from app.scheduling.availability import ONLINE
from app.timeutil import utcnow

CHANGEABLE = (AppointmentStatus.booked, AppointmentStatus.confirmed)


def provider_calendar(appointment: Appointment) -> Calendar | None:
    return next((o.calendar for o in appointment.occupancies if o.calendar.kind == CalendarKind.provider), None)


def refusal(appointment: Appointment, now: datetime | None = None) -> str | None:
    """Why the patient may not change this appointment online, or None if they may."""
    now = now or utcnow()
    calendar = provider_calendar(appointment)
    phone = clinic_phone(calendar)
    call = " " + (gettext("Please call the clinic at %(phone)s.", phone=phone) if phone
                  else gettext("Please call the clinic."))
    if appointment.status not in CHANGEABLE:
        return gettext("This appointment is %(status)s and can no longer be changed online.",
                       status=status_name(appointment.status)) + call
    if appointment.starts_at <= now:
        return gettext("This appointment has already started.") + call
    hours = window_hours(appointment, calendar)
    if appointment.starts_at - now < timedelta(hours=hours) or fees.is_late_cancel(appointment, now):
        return gettext("Changes within %(hours)s hours of the appointment cannot be made online.", hours=hours) + call
    return None


def status_name(status) -> str:
    """An appointment status in the patient's words and language."""
    names = {"booked": gettext("booked"), "confirmed": gettext("confirmed"), "arrived": gettext("arrived"),
             "paid": gettext("paid"), "no_show": gettext("missed"), "canceled": gettext("canceled"),
             "rebooked": gettext("rebooked")}
    return names.get(status.value, status.value)


def window_hours(appointment: Appointment, calendar: Calendar | None = None) -> int:
    """How many hours before the start online changes stop: the calendar's cancellation
    window, or the late-cancel fee window when that is longer."""
    calendar = calendar or provider_calendar(appointment)
    hours = calendar.cancellation_window_hours if calendar is not None else 24
    policy = fees.policy_for(appointment)
    return max(hours, policy.late_cancel_hours if policy is not None and policy.late_cancel_hours else 0)


def _ensure_changeable(appointment: Appointment, now: datetime | None) -> Calendar:
    reason = refusal(appointment, now)
    if reason:
        raise CallTheClinic(reason, [Problem(reason, details={"reason": "cancellation_window"})])
    return provider_calendar(appointment)


def cancel(appointment: Appointment, *, now: datetime | None = None) -> None:
    _ensure_changeable(appointment, now)
    booking.cancel(appointment=appointment, actor=None, reason="Canceled online by the patient",
                   expected_version=appointment.version)


def reschedule(appointment: Appointment, start: datetime, *, expected_version: int,
               now: datetime | None = None) -> Appointment:
    """Move to ``start`` with the same provider. Raises Conflict / CallTheClinic."""
    calendar = _ensure_changeable(appointment, now)
    refuse_if_blocked(appointment.case.client, calendar)
    length = appointment.ends_at - appointment.starts_at
    resources = availability.pick_resources(session_type=appointment.session_type, provider=calendar, start=start,
                                            end=start + length, ignore_appointment_ids=(appointment.id,))
    problems = availability.check_booking(
        session_type=appointment.session_type, calendars=[calendar, *resources], start=start, channel=ONLINE,
        now=now, ignore_appointment_ids=(appointment.id,), step_minutes=step_minutes(), length=length)
    # Eligibility (new / returning) was settled when the patient first booked.
    problems = [p for p in problems if p.details.get("reason") not in ("not_for_new_clients", "not_for_returning_clients")]
    if problems:
        raise Conflict(problems[0].message, problems)
    # The engine re-checks under its locks with the same online rules.
    booking.move(appointment=appointment, actor=None, start=start, calendar=calendar,
                 expected_version=expected_version, now=now, channel=ONLINE, step_minutes=step_minutes())
    return appointment


def slots(appointment: Appointment, start_day, end_day, *, now: datetime | None = None):
    """Free starts for this appointment's service with the same provider, its own time
    not counted as taken (it would be released by the move)."""
    calendar = provider_calendar(appointment)
    if calendar is None:
        return []
    return availability.find_slots(
        session_type=appointment.session_type, provider_calendars=[calendar], start_day=start_day,
        end_day=end_day, channel=ONLINE, now=now, step_minutes=step_minutes(), any_provider=False,
        ignore_appointment_ids=(appointment.id,))
