"""The pure rules of text messages: segment counting, quiet hours across DST changes,
which channels a client's message takes."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.messaging import consent, segments
from app.messaging.quiet import in_quiet_hours, next_allowed
from app.models import Client, LocationTextSettings
from app.timeutil import UTC, to_local, to_utc

TORONTO = "America/Toronto"


@pytest.mark.parametrize("text, encoding, units, parts", [
    ("", "GSM-7", 0, 0),
    ("Reminder: Physio Tue 10 Mar 09:30", "GSM-7", 33, 1),
    ("a" * 160, "GSM-7", 160, 1),
    ("a" * 161, "GSM-7", 161, 2),             # split: 153 per segment
    ("a" * 306, "GSM-7", 306, 2),
    ("a" * 307, "GSM-7", 307, 3),
    ("Café à Montréal", "GSM-7", 15, 1),      # é and à are in the GSM alphabet
    ("€" * 80, "GSM-7", 160, 1),              # the extension table costs two each
    ("€" * 81, "GSM-7", 162, 2),
    ("Olá, até amanhã", "UCS-2", 15, 1),      # á, ã are not: the whole text is UCS-2
    ("á" * 70, "UCS-2", 70, 1),
    ("á" + "a" * 70, "UCS-2", 71, 2),         # one accent doubles a 71-character text
    ("á" * 134, "UCS-2", 134, 2),             # 67 per segment
    ("á" * 135, "UCS-2", 135, 3),
    ("See you 👍", "UCS-2", 10, 1),            # an emoji is two UTF-16 units
    ("👍" * 35, "UCS-2", 70, 1),
    ("👍" * 36, "UCS-2", 72, 2),
])
def test_segments(text, encoding, units, parts):
    counted = segments.count(text)
    assert (counted.encoding, counted.units, counted.segments) == (encoding, units, parts)


@given(st.text(alphabet="abc XYZ0123456789.,:", max_size=500))
def test_gsm_text_segments_match_the_arithmetic(text):
    n = len(text)
    expected = 0 if n == 0 else 1 if n <= 160 else -(-n // 153)
    assert segments.count(text).segments == expected


@pytest.mark.parametrize("local, quiet", [
    (time(20, 59), False), (time(21), True), (time(23, 59), True), (time(0), True), (time(7, 59), True),
    (time(8), False), (time(12), False),
])
def test_quiet_hours_across_midnight(local, quiet):
    assert in_quiet_hours(local, time(21), time(8)) is quiet


def test_no_quiet_hours_when_unset_and_a_daytime_window():
    assert not in_quiet_hours(time(3), None, None)
    assert in_quiet_hours(time(13), time(12), time(14)) and not in_quiet_hours(time(14), time(12), time(14))


@pytest.mark.parametrize("due_local, allowed_local, allowed_utc", [
    # Spring forward in Toronto: 2027-03-14 02:00 EST → 03:00 EDT.
    (datetime(2027, 3, 14, 6, 30), datetime(2027, 3, 14, 8, 0), datetime(2027, 3, 14, 12, 0)),
    # 22:00 the evening before (EST) waits until 08:00 EDT: only 9 hours later.
    (datetime(2027, 3, 13, 22, 0), datetime(2027, 3, 14, 8, 0), datetime(2027, 3, 14, 12, 0)),
    # Fall back: 2026-11-01 02:00 EDT → 01:00 EST; 08:00 is EST that morning.
    (datetime(2026, 11, 1, 1, 30), datetime(2026, 11, 1, 8, 0), datetime(2026, 11, 1, 13, 0)),
    (datetime(2026, 10, 31, 23, 0), datetime(2026, 11, 1, 8, 0), datetime(2026, 11, 1, 13, 0)),
    # Outside quiet hours: unchanged.
    (datetime(2027, 3, 14, 9, 15), datetime(2027, 3, 14, 9, 15), datetime(2027, 3, 14, 13, 15)),
])
def test_next_allowed_time_on_the_locations_clock_across_dst(due_local, allowed_local, allowed_utc):
    due = to_utc(due_local.date(), due_local.time(), TORONTO)
    allowed = next_allowed(due, TORONTO, time(21), time(8))
    assert allowed == allowed_utc.replace(tzinfo=UTC)
    assert to_local(allowed, TORONTO).replace(tzinfo=None) == allowed_local


@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31)))
def test_the_next_allowed_time_is_never_earlier_and_never_quiet(naive):
    due = naive.replace(tzinfo=UTC)
    allowed = next_allowed(due, TORONTO, time(21), time(8))
    assert allowed >= due and allowed - due <= timedelta(hours=12)
    assert not in_quiet_hours(to_local(allowed, TORONTO).time().replace(tzinfo=None), time(21), time(8))


def _client(preference, *, phone="+14165550123", email="a@example.com", consent_at=None, opted_out_at=None):
    return Client(first_name="A", last_name="B", message_channel=preference, phone=phone, email=email,
                  text_consent_at=consent_at, text_opted_out_at=opted_out_at)


T0 = datetime(2026, 12, 1, 12, tzinfo=UTC)
TEXTS = LocationTextSettings(sender_number="+14165550000", whatsapp_enabled=False, text_kinds="confirmation,reminder")
LAST_ONLY = LocationTextSettings(sender_number="+14165550000", whatsapp_enabled=False, text_kinds="reminder_2")
WHATSAPP = LocationTextSettings(sender_number="+14165550000", whatsapp_enabled=True, text_kinds="reminder")


@pytest.mark.parametrize("client, kind, settings, expected", [
    (_client("email", consent_at=T0), "confirmation", TEXTS, ["email"]),
    (_client("sms", consent_at=T0), "confirmation", TEXTS, ["sms"]),
    (_client("both", consent_at=T0), "reminder_1", TEXTS, ["email", "sms"]),
    (_client("sms"), "confirmation", TEXTS, ["email"]),                                 # no consent
    (_client("sms", consent_at=T0, opted_out_at=T0 + timedelta(days=1)), "reminder_2", TEXTS, ["email"]),
    (_client("sms", consent_at=T0 + timedelta(days=2), opted_out_at=T0), "reminder_2", TEXTS, ["sms"]),
    (_client("sms", consent_at=T0), "cancellation", TEXTS, ["email"]),                  # not a text kind here
    (_client("sms", consent_at=T0), "confirmation", None, ["email"]),                   # location sends no texts
    (_client("sms", consent_at=T0, phone=None), "confirmation", TEXTS, ["email"]),
    (_client("sms", consent_at=T0, email=None), "confirmation", TEXTS, ["sms"]),
    (_client("sms", email=None), "confirmation", TEXTS, []),                            # nothing possible
    (_client("sms", consent_at=T0), "reminder_1", WHATSAPP, ["whatsapp"]),
    (_client("sms", consent_at=T0), "reminder_2", LAST_ONLY, ["sms"]),                  # only the 2nd by text
    (_client("sms", consent_at=T0), "reminder_1", LAST_ONLY, ["email"]),
])
def test_routes(client, kind, settings, expected):
    assert [channel for channel, _ in consent.routes(client, kind, settings)] == expected


def test_consent_needs_a_source_we_know():
    with pytest.raises(ValueError):
        consent.give_consent(_client("sms"), "guess")
