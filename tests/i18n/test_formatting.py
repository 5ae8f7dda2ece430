"""Money, dates and times by locale: the one home (app/i18n/formatting.py), table-driven."""
from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest

from app.i18n import formatting
from app.i18n.locales import language_for, supported

NBSP = "\u00a0"
NNBSP = "\u202f"


def plain(text: str) -> str:
    """CLDR uses (narrow) no-break spaces; compare with ordinary ones."""
    return text.replace(NBSP, " ").replace(NNBSP, " ")


@pytest.mark.parametrize("locale, currency, amount, expected", [
    ("en_CA", "CAD", Decimal("1234.5"), "$1,234.50"),
    ("fr_CA", "CAD", Decimal("1234.5"), "1 234,50 $"),
    ("pt_PT", "EUR", Decimal("1234.5"), "1 234,50 €"),
    ("pt_PT", "EUR", Decimal("0.1"), "0,10 €"),
    ("en_CA", "EUR", Decimal("-5"), "-€5.00"),
])
def test_money(locale, currency, amount, expected):
    assert plain(formatting.money(amount, currency, locale)) == expected


@pytest.mark.parametrize("locale, rate, expected", [
    ("en_CA", Decimal("13.00"), "13%"), ("fr_CA", Decimal("13.00"), "13 %"), ("fr_CA", Decimal("14.975"), "14,975 %"),
    ("pt_PT", Decimal("23"), "23%"), ("pt_PT", Decimal("6.5"), "6,5%"), ("pt_PT", Decimal("0.00"), "0%"),
])
def test_percent(locale, rate, expected):
    assert plain(formatting.percent(rate, locale)) == expected


@pytest.mark.parametrize("locale, long, full, clock", [
    ("en_CA", "Tuesday, December 8", "Tuesday, December 8, 2026", "2:30 p.m."),
    ("fr_CA", "mardi 8 décembre", "mardi 8 décembre 2026", "14 h 30"),
    ("pt_PT", "terça-feira, 8 de dezembro", "terça-feira, 8 de dezembro de 2026", "14:30"),
])
def test_dates_and_times(locale, long, full, clock):
    day = date(2026, 12, 8)
    assert formatting.day_long(day, locale) == long
    assert formatting.day_full(day, locale) == full
    assert plain(formatting.clock(time(14, 30), locale)) == clock


def test_an_instant_is_shown_on_its_locations_wall_clock_across_dst():
    # 2026-11-01 06:30 UTC is 01:30 EST in Toronto (after fall-back), 06:30 in Lisbon.
    instant = datetime(2026, 11, 1, 6, 30, tzinfo=formatting.to_local.__globals__["UTC"])
    assert formatting.local_clock(instant, "America/Toronto", "pt_PT") == "01:30"
    assert formatting.local_clock(instant, "Europe/Lisbon", "pt_PT") == "06:30"


@pytest.mark.parametrize("asked, shipped", [
    ("pt", "pt_PT"), ("pt-PT", "pt_PT"), ("pt_BR", "pt_PT"), ("fr", "fr_CA"), ("fr-FR", "fr_CA"),
    ("en-GB", "en"), ("de", None), ("", None), (None, None),
])
def test_supported_languages(asked, shipped):
    assert supported(asked) == shipped


class Thing:
    def __init__(self, **kw):
        self.__dict__.update(kw)


@pytest.mark.parametrize("client, location, expected", [
    (Thing(preferred_language="fr_CA"), Thing(language="pt_PT"), "fr_CA"),
    (Thing(preferred_language=None), Thing(language="pt_PT"), "pt_PT"),
    (Thing(preferred_language="xx"), None, "en"),
    (None, None, "en"),
])
def test_whose_language_a_message_is_in(client, location, expected):
    assert language_for(client, location) == expected


@pytest.mark.parametrize("locale, names", [
    ("en_CA", ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]),
    ("fr_CA", ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."]),
    ("pt_PT", ["seg.", "ter.", "qua.", "qui.", "sex.", "sáb.", "dom."]),
])
def test_weekdays_short_enough_for_a_day_strip(locale, names):
    assert [formatting.weekday_short(date(2026, 12, d), locale) for d in range(7, 14)] == names
