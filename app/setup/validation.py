"""Input rules shared by the admin forms and the REST API (pure: no DB, no HTTP).

Each ``check_*`` returns the cleaned value or raises ``InvalidValue`` with a message a
clinic manager can act on. Adapters (WTForms validators in ``app/views/forms.py``,
marshmallow validators in the API) wrap these, so both doors apply the same rules.
"""
from __future__ import annotations

import re
from datetime import time
from decimal import Decimal, InvalidOperation

import phonenumbers
from flask_babel import gettext
from email_validator import EmailNotValidError, validate_email

from app.i18n.formatting import output_locale
from app.input_rules import InvalidValue, format_breaks, parse_breaks  # noqa: F401  (below the models, re-exported)
from app.i18n.formatting import clinic_phone_region
from app.timeutil import is_valid_timezone


_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def check_timezone(value: str) -> str:
    if not is_valid_timezone(value):
        raise InvalidValue(f"“{value}” is not a known time zone; use a name such as America/Toronto or Europe/Lisbon.")
    return value


def check_email(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        # The library's reason is English: said in English only, the address is what the reader checks.
        if str(output_locale()).startswith("en"):
            raise InvalidValue(gettext("“%(value)s” is not a valid email address: %(reason)s", value=value, reason=exc)) from exc
        raise InvalidValue(gettext("“%(value)s” is not a valid email address.", value=value)) from exc


def check_phone(value: str | None, default_region: str | None = None) -> str | None:
    """Any common way of writing a phone number → E.164 (+14165550123). A number without
    its country code is read in ``default_region``: the caller's location's
    (``Location.phone_region``), else the clinic's (``clinic_phone_region``)."""
    if not value or not value.strip():
        return None
    default_region = default_region or clinic_phone_region()
    try:
        number = phonenumbers.parse(value, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidValue(gettext("“%(value)s” is not a phone number.", value=value)) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidValue(gettext("“%(value)s” is not a valid phone number (include the country code if it is not local).",
                                   value=value))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# The public booking site's own pages live beside the direct links (/book/<slug>); a
# calendar named like one of them would shadow it or never be reachable.
RESERVED_SLUGS = frozenset({
    "l", "who", "new", "returning", "services", "service", "provider", "times", "details", "review",
    "confirm", "confirmed", "start-over", "manage", "waitlist", "claim", "static", "theme-css", "book",
    "api", "admin", "login", "logout", "help", "about", "privacy", "terms", "embed",
})


def check_slug(value: str | None) -> str | None:
    if not value:
        return None
    if not _SLUG.match(value):
        raise InvalidValue("A link name uses lower-case letters, digits and single hyphens, e.g. “dr-silva”.")
    if value in RESERVED_SLUGS:
        raise InvalidValue(f"“{value}” is a page of the booking site; choose another link name, e.g. “{value}-1”.")
    return value


def check_colour(value: str | None) -> str | None:
    if not value:
        return None
    if not _COLOUR.match(value):
        raise InvalidValue(f"“{value}” is not a colour; use the #rrggbb form, e.g. #3a87ad.")
    return value.lower()


def check_non_negative_money(value, label: str = "Amount") -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise InvalidValue(f"{label} must be a number.") from exc
    if amount < 0:
        raise InvalidValue(f"{label} cannot be negative.")
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidValue(f"{label} has at most two decimals.")
    return amount


def check_percent(value, label: str = "Rate") -> Decimal:
    try:
        rate = Decimal(str(value if value not in (None, "") else 0))
    except InvalidOperation as exc:
        raise InvalidValue(f"{label} must be a number.") from exc
    if not Decimal(0) <= rate <= Decimal(100):
        raise InvalidValue(f"{label} is a percentage between 0 and 100.")
    return rate


def check_positive_decimal(value, label: str = "Quantity") -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError) as exc:
        raise InvalidValue(f"{label} must be a number.") from exc
    if number <= 0:
        raise InvalidValue(f"{label} must be more than zero.")
    return number


def check_positive_int(value, label: str) -> int:
    if value is None or int(value) <= 0:
        raise InvalidValue(f"{label} must be more than zero.")
    return int(value)


def check_non_negative_int(value, label: str) -> int:
    if value is None or int(value) < 0:
        raise InvalidValue(f"{label} cannot be negative.")
    return int(value)


def check_slot_step(value) -> int | None:
    """The calendar's time step: empty (the installation's default) or 1 to 120 minutes."""
    if value is None or value == "":
        return None
    if not 1 <= int(value) <= 120:
        raise InvalidValue("The time step is a whole number of minutes from 1 to 120 (e.g. 10, 15 or 30).")
    return int(value)


def check_shift(start: time, end: time, breaks: list[tuple[time, time]]) -> list[str]:
    """Every problem with a shift and its breaks (empty when it is sound), in the reader's language."""
    return [message for _field, message in shift_problems(start, end, breaks)]


def shift_problems(start: time, end: time, breaks: list[tuple[time, time]]) -> list[tuple[str, str]]:
    """``check_shift``'s problems with the input each is about ("start", "end" or "breaks")."""
    if start is None or end is None:
        return [("start" if start is None else "end", gettext("A shift needs a start and an end time."))]
    problems = []
    if end <= start:
        problems.append(("end", gettext("The shift ends (%(end)s) before it starts (%(start)s).",
                                        end=f"{end:%H:%M}", start=f"{start:%H:%M}")))
    ordered = sorted((b for b in breaks if b[0] is not None and b[1] is not None), key=lambda b: b[0])
    for b_start, b_end in ordered:
        if b_end <= b_start:
            problems.append(("breaks", gettext("The break %(start)s–%(end)s ends before it starts.",
                                               start=f"{b_start:%H:%M}", end=f"{b_end:%H:%M}")))
        elif b_start < start or b_end > end:
            problems.append(("breaks", gettext(
                "The break %(start)s–%(end)s is outside the shift %(shift_start)s–%(shift_end)s.",
                start=f"{b_start:%H:%M}", end=f"{b_end:%H:%M}", shift_start=f"{start:%H:%M}",
                shift_end=f"{end:%H:%M}")))
    for (a0, a1), (b0, b1) in zip(ordered, ordered[1:]):
        if b0 < a1:
            problems.append(("breaks", gettext("The breaks %(first)s and %(second)s overlap.",
                                               first=f"{a0:%H:%M}–{a1:%H:%M}", second=f"{b0:%H:%M}–{b1:%H:%M}")))
    return problems

