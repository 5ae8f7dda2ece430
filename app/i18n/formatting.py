"""Money, dates, times and phone numbers for the reader: the one place they are formatted.

Every function takes an optional ``locale``; without it, the locale of the current
output (``flask_babel.get_locale()`` inside a request or ``force_locale``), else the
clinic's ``PLINTH_LOCALE``. Instants are shown in a location's zone: callers pass the
zone, never the server's.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time
from functools import lru_cache
from decimal import Decimal

import phonenumbers
from babel import Locale
from babel.dates import (
    format_date, format_skeleton, format_time, get_date_format, get_day_names, get_month_names,
)
from babel.numbers import format_currency, format_decimal, format_percent
from flask import Flask, current_app, has_app_context

from app.timeutil import to_local

# Where phone numbers are read when a location says nothing of its country (the demo's
# and the first clinics' home).
DEFAULT_PHONE_REGION = "CA"


def output_locale(locale: str | Locale | None = None) -> Locale:
    """The locale to format in: ``locale`` if given, else the current output's language.
    A bare language that is the clinic's own ("en" for an en_CA clinic) formats like the
    clinic's ``PLINTH_LOCALE`` (its currency symbols, its date order)."""
    configured = Locale.parse(current_app.config.get("PLINTH_LOCALE", "en_CA")) if has_app_context() \
        else Locale.parse("en_CA")
    chosen = None
    if locale is not None:
        chosen = locale if isinstance(locale, Locale) else Locale.parse(locale)
    elif has_app_context():
        from flask_babel import get_locale

        try:
            chosen = get_locale()
        except (RuntimeError, KeyError):  # no Babel on this app (bare scripts)
            chosen = None
    if chosen is None or (chosen.language == configured.language and not chosen.territory):
        return configured
    return chosen


def clinic_currency() -> str:
    from app.i18n import read

    return read("settings")().currency


def location_currency(location) -> str:
    """The currency a location bills in: its own, else the clinic's."""
    return getattr(location, "currency", None) or clinic_currency()


def money(amount, currency: str | None = None, locale=None) -> str:
    """``1 234,50 €`` / ``$1,234.50`` / ``1 234,50 $``: the amount in the currency's own digits."""
    if amount is None or amount == "":
        return ""
    return format_currency(Decimal(str(amount)), currency or clinic_currency(), locale=output_locale(locale))


def number(value, locale=None) -> str:
    return format_decimal(value, locale=output_locale(locale))


def amount(value, locale=None) -> str:
    """A sum without its currency (lists whose rows may differ in it): "1,234.50", "1 234,50"."""
    return format_decimal(Decimal(str(value)), "#,##0.00", locale=output_locale(locale))


def percent(rate, locale=None) -> str:
    """A rate given in percent (13, Decimal("13.5")): "13%", "13,5 %" (fr_CA), "13,5%" (pt_PT)."""
    return format_percent(Decimal(str(rate)) / 100, locale=output_locale(locale), decimal_quantization=False)


def day_long(day: date | datetime, locale=None) -> str:
    """Weekday, day and month: "Tuesday, December 8", "terça-feira, 8 de dezembro"."""
    chosen = output_locale(locale)
    return format_date(_date(day), _full_without_year(chosen), locale=chosen)


def day_full(day: date | datetime, locale=None) -> str:
    """With the year: "Tuesday, December 8, 2026", "terça-feira, 8 de dezembro de 2026"."""
    return format_date(_date(day), "full", locale=output_locale(locale))


def day_with_year(day: date | datetime, locale=None) -> str:
    """ "December 8, 2026", "8 décembre 2026", "8 de dezembro de 2026"."""
    return format_date(_date(day), "long", locale=output_locale(locale))


def day_medium(day: date | datetime, locale=None) -> str:
    """A compact date with the year: "Dec 8, 2026", "8 déc. 2026", "08/12/2026"."""
    return format_date(_date(day), "medium", locale=output_locale(locale))


def weekday_short(day: date | datetime, locale=None) -> str:
    """ "Tue", "mar.", "ter.": short enough for a day strip on a phone."""
    return _weekday_names(output_locale(locale))[_date(day).weekday()]


@lru_cache(maxsize=32)
def _weekday_names(locale: Locale) -> tuple[str, ...]:
    names = get_day_names("abbreviated", context="stand-alone", locale=locale)
    if any(len(names[d]) > 4 for d in range(7)):
        # CLDR's pt "abbreviations" are whole words ("segunda"); its short form is "seg.".
        names = get_day_names("short", context="stand-alone", locale=locale)
    return tuple(names[d] for d in range(7))


def month_short(day: date | datetime, locale=None) -> str:
    return get_month_names("abbreviated", context="stand-alone", locale=output_locale(locale))[_date(day).month]


def day_month_short(day: date | datetime, locale=None) -> str:
    """ "Tue, Dec 8", "ter., 8/12" — for lists of alternatives."""
    return format_skeleton("MMMEd", _date(day), locale=output_locale(locale))


def day_weekday(day: date | datetime, locale=None) -> str:
    """A date with its weekday and year: "Tue, Dec 8, 2026", "ter., 08/12/2026"."""
    return format_skeleton("yMMMEd", _date(day), locale=output_locale(locale))


def day_and_clock(value: datetime, locale=None) -> str:
    """A visit's moment in a list or panel: "Tue, Dec 8, 2026, 2:30 p.m.", "ter., 08/12/2026, 14:30"."""
    chosen = output_locale(locale)
    return f"{day_weekday(value, chosen)}, {clock(value, chosen)}"


def clock(value: time | datetime, locale=None) -> str:
    """A wall-clock time: "2:30 p.m." (en_CA), "14 h 30" (fr_CA), "14:30" (pt_PT)."""
    return format_time(value, "short", locale=output_locale(locale))


def local_clock(instant: datetime, zone: str, locale=None) -> str:
    return clock(to_local(instant, zone), locale)


def local_day_long(instant: datetime, zone: str, locale=None) -> str:
    return day_long(to_local(instant, zone), locale)


def local_moment(instant: datetime, zone: str, locale=None) -> str:
    """An instant on a location's clock, with its date: "Dec 4, 2026, 8:40 a.m."."""
    local = to_local(instant, zone)
    return f"{day_medium(local, locale)}, {clock(local, locale)}"


def local_span(starts: datetime, ends: datetime, zone: str, locale=None) -> str:
    """ "Dec 4, 2026, 8:40 a.m.–9:40 a.m." on the location's clock."""
    return f"{local_moment(starts, zone, locale)}–{local_clock(ends, zone, locale)}"


@lru_cache(maxsize=32)
def _full_without_year(locale: Locale) -> str:
    # CLDR has no "long date without year" pattern; the full one minus its year part
    # ("EEEE, d 'de' MMMM 'de' y" -> "EEEE, d 'de' MMMM") keeps each language's word order.
    pattern = get_date_format("full", locale=locale).pattern
    return re.sub(r"[\s,]*(?:'de'\s*)?y+\.?", "", pattern).strip()


def clinic_phone_region() -> str:
    """Where a number that belongs to no location is read (a payer's, the clinic's own, a
    text sender's, a client with no home location): the country of the clinic's
    ``PLINTH_LOCALE`` (pt_PT -> PT), else DEFAULT_PHONE_REGION."""
    locale = current_app.config.get("PLINTH_LOCALE", "") if has_app_context() else ""
    return locale.split("_")[1].upper() if "_" in locale else DEFAULT_PHONE_REGION


def phone(value: str | None, where=None) -> str:
    """A stored number (E.164, "+14165550123") as staff read it: national for the country
    of ``where`` ("(416) 555-0123" at a Toronto location, "21 300 0100" at Lisboa), else
    international ("+351 21 300 0100" at Toronto). ``where`` is a region code ("PT") or a
    Location (its ``phone_region``); None: the clinic's. What is not a number is shown as typed."""
    if not value:
        return ""
    region = getattr(where, "phone_region", where) or clinic_phone_region()
    try:
        number = phonenumbers.parse(value, region.upper())
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_possible_number(number):
        return value
    home = number.country_code == phonenumbers.country_code_for_region(region.upper())
    return phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.NATIONAL if home else phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


FILTERS = {
    "money": money, "amount": amount, "number": number, "percent": percent, "day_long": day_long, "day_full": day_full,
    "day_medium": day_medium, "day_with_year": day_with_year, "weekday_short": weekday_short, "month_short": month_short,
    "day_month_short": day_month_short, "clock": clock, "day_and_clock": day_and_clock, "phone": phone,
}


def install_filters(app: Flask) -> None:
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals.update(local_clock=local_clock, local_day_long=local_day_long, local_moment=local_moment)
