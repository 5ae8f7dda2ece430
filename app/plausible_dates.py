"""Plausible dates: the one rule for which calendar dates a person can mean (pure).

A date of birth is not before ``EARLIEST`` and not after today; a working or visit date
(shifts, appointments, the grid's and planner's windows) is not before ``EARLIEST`` and
not more than ``YEARS_AHEAD`` years after today. Forms (admin screens, the booking site),
the REST API, the scheduling engine and the client import all ask here, so "1900-01-01"
or "9999-12-31" is a clear 4xx everywhere instead of a saved typo or a 500 (a day at the
end of the calendar cannot even be turned into its UTC bounds).

``today`` is the caller's location's today (``app.timeutil.local_today``); without it,
``local_today(None)``: UTC's, the one fallback (a day either way is nothing to a 10-year bound).
"""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext

from app.i18n import N_
from app.setup.validation import InvalidValue
from app.timeutil import local_today

EARLIEST = date(1900, 1, 2)
YEARS_AHEAD = 10


def latest_schedule_date(today: date) -> date:
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def check_birth_date(value: date | None, today: date | None = None) -> date | None:
    if value is None:
        return None
    today = today or local_today(None)
    if value > today:
        raise InvalidValue(gettext("The date of birth is in the future."))
    if value < EARLIEST:
        raise InvalidValue(gettext("%(date)s is not a plausible date of birth.", date=value.isoformat()))
    return value


def check_schedule_date(value: date | None, today: date | None = None, what: str = N_("The date")) -> date | None:
    """A shift's, appointment's or window's date; ``what`` names it (marked with ``N_``,
    said in the reader's language)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    today = today or local_today(None)
    if value < EARLIEST:
        raise InvalidValue(gettext("%(what)s %(date)s is too far in the past.", what=gettext(what),
                                   date=value.isoformat()))
    if value > latest_schedule_date(today):
        raise InvalidValue(gettext("%(what)s %(date)s is more than %(years)s years ahead.", what=gettext(what),
                                   date=value.isoformat(), years=YEARS_AHEAD))
    return value


def schedule_date_problem(value, today: date | None = None, what: str = N_("The date")) -> str | None:
    """``check_schedule_date``'s message, or None when the date is plausible."""
    try:
        check_schedule_date(value, today, what)
    except InvalidValue as exc:
        return str(exc)
    return None
