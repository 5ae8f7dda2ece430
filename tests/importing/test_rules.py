"""The pure rules of the import: dates in each order, the locale's order, formula cells."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.importing.cells import FORMULA_START, neutralise
from app.importing.cleaning import guess_mapping, locale_date_order, parse_date
from app.setup.validation import InvalidValue

FORMATS = {"DMY": "{d:02d}/{m:02d}/{y}", "MDY": "{m}/{d}/{y}", "YMD": "{y}.{m:02d}.{d:02d}"}


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 12, 31)), st.sampled_from(sorted(FORMATS)))
def test_a_date_written_in_an_order_reads_back_in_that_order(day, order):
    text = FORMATS[order].format(d=day.day, m=day.month, y=day.year)
    assert parse_date(text, order, this_year=2026) == day
    assert parse_date(day.isoformat(), order, this_year=2026) == day  # ISO whatever the order


@pytest.mark.parametrize("text, order, expected", [
    ("17/05/80", "DMY", date(1980, 5, 17)),
    ("05/17/80", "MDY", date(1980, 5, 17)),
    ("17.05.2024", "DMY", date(2024, 5, 17)),
    ("01-02-03", "DMY", date(2003, 2, 1)),
    ("1/2/30", "DMY", date(1930, 2, 1)),  # 2030 is in the future for a birth date
    ("1980-05-17 00:00:00", "MDY", date(1980, 5, 17)),  # as Excel writes a date cell
])
def test_spreadsheet_dates(text, order, expected):
    assert parse_date(text, order, this_year=2026) == expected


@pytest.mark.parametrize("text", ["31/02/1980", "17/13/1980", "yesterday", "1980", ""])
def test_not_dates(text):
    with pytest.raises(InvalidValue):
        parse_date(text, "DMY", this_year=2026)


@pytest.mark.parametrize("locale, order", [("pt_PT", "DMY"), ("fr_FR", "DMY"), ("en_GB", "DMY"), ("en_US", "MDY"),
                                           ("en_CA", "MDY"), ("de_DE", "DMY")])
def test_the_clinic_locale_gives_the_date_order(locale, order):
    assert locale_date_order(locale) == order


@given(st.text(max_size=30))
def test_a_neutralised_cell_never_starts_a_formula_and_keeps_its_text(text):
    safe = neutralise(text)
    assert safe in (text, "'" + text)
    if safe.startswith(FORMULA_START):
        assert safe == text and safe[0] in "+-" and safe[1:2].isdigit()


@pytest.mark.parametrize("value, expected", [
    ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
    ("@SUM(A1)", "'@SUM(A1)"), ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"), ("-2+3", "'-2+3"),
    ("+14165550123", "+14165550123"), ("-12.5", "-12.5"), ("Silva", "Silva"), (None, ""),
])
def test_formula_cells(value, expected):
    assert neutralise(value) == expected


def test_headers_in_english_portuguese_and_french_are_recognised():
    assert guess_mapping(["Prénom", "NOM", "Data de Nascimento", "E-mail", "Telemóvel", "Código Postal", "Other"]) == [
        "first_name", "last_name", "date_of_birth", "email", "phone", "postal_code", None]
