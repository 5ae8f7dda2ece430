"""Repeat an appointment from the grid: the series of app/scheduling/series.py, plus the
nearest alternatives the user picked for dates that are taken, booked all at once.

``series.create`` books every date of the pattern but the skipped ones, or none. Here
the dates the user replaced are skipped there and their chosen alternative is booked
in the same transaction with the same series id, so the whole choice the user
confirmed is saved, or (any refusal) nothing is, with every refused date named. The
appointment the series was made from joins it (when it is in no series yet), so "this
and following" reaches from it.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from app.errors import Conflict, Problem, ValidationFailed
from app.extensions import db
from app.models import Appointment, Calendar, Case, SessionType
from app.models.settings import slot_step_minutes
from app.scheduling import booking, series
from app.scheduling.each_date import EachDateOrNone
from app.timeutil import to_local


@dataclass(frozen=True)
class Replacement:
    day: date          # the date of the pattern it replaces
    start: datetime    # the alternative chosen (an instant)


def book_repeat(*, case: Case, session_type: SessionType, calendar: Calendar, pattern: series.Pattern, actor,
                skip_days: set[date], replacements: list[Replacement], notify: bool = True,
                notes: str | None = None, original: Appointment | None = None,
                step_minutes: int | None = None) -> tuple[str, list[booking.Booking]]:
    step_minutes = step_minutes or slot_step_minutes()
    days = series.occurrence_days(pattern)
    replaced = {r.day for r in replacements}
    strays = sorted(replaced - set(days))
    if strays or len(replaced) != len(replacements):
        raise ValidationFailed("An alternative replaces one date of the series, once.",
                               [Problem(f"{d:%a %d %b} is not a date of the series.", field="replacements")
                                for d in strays] or [Problem("A date is replaced twice.", field="replacements")])
    skipped = set(skip_days) | replaced
    dates = EachDateOrNone()
    bookings: list[booking.Booking] = []
    series_id = None
    if any(d not in skipped for d in days):
        try:
            series_id, bookings = series.create(case=case, session_type=session_type, calendar=calendar,
                                                pattern=pattern, actor=actor, skip_days=skipped,
                                                notify=notify, notes=notes, step_minutes=step_minutes)
        except Conflict as refused:
            dates.problems += refused.problems  # already named by date
    series_id = series_id or str(uuid.uuid4())
    zone = ZoneInfo(calendar.location.timezone)
    for replacement in sorted(replacements, key=lambda r: r.day):
        local = to_local(replacement.start, zone)
        with dates.attempt(replacement.day, f"{local:%a %d %b %H:%M} (instead of {replacement.day:%a %d %b})"):
            bookings.append(booking.book(case=case, session_type=session_type, calendar=calendar,
                                         start=replacement.start, actor=actor, series_id=series_id,
                                         notify=notify, notes=notes, step_minutes=step_minutes))
    dates.refuse_if_any("Some dates of the series cannot be booked; nothing was booked.")
    if not bookings:
        raise ValidationFailed("Every date of the series was left out; nothing to book.")
    if original is not None and original.series_id is None:
        original.series_id = series_id
        db.session.flush()
    bookings.sort(key=lambda b: b.appointment.starts_at)
    return series_id, bookings
