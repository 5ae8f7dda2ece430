"""The weekly repeat of shifts and the planner (``shifts.repeat_days``, a dateutil rrule)."""
from datetime import date, timedelta

import pytest
from hypothesis import given, strategies as st

from app.scheduling.shifts import repeat_days


@pytest.mark.parametrize("first_day, weekdays, weeks, expected", [
    # Wednesday 4 March 2026: the first week runs Wed–Tue, so Monday comes after Wednesday.
    (date(2026, 3, 4), [0, 2], 1, [date(2026, 3, 4), date(2026, 3, 9)]),
    (date(2026, 3, 2), [4], 3, [date(2026, 3, 6), date(2026, 3, 13), date(2026, 3, 20)]),
    # Across the spring-forward weekend: dates, not instants, so nothing shifts.
    (date(2026, 3, 7), [6], 2, [date(2026, 3, 8), date(2026, 3, 15)]),
    (date(2026, 3, 2), [], 4, []),
    (date(2026, 3, 2), [1], 0, []),
    (date(2026, 3, 2), [7, 1], 1, [date(2026, 3, 3)]),  # an impossible weekday is ignored
])
def test_repeat_days(first_day, weekdays, weeks, expected):
    assert repeat_days(first_day, weekdays, weeks) == expected


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
       st.sets(st.integers(0, 6), min_size=1), st.integers(1, 60))
def test_repeat_days_are_the_chosen_weekdays_of_the_weeks(first_day, weekdays, weeks):
    every_day = (first_day + timedelta(days=n) for n in range(7 * weeks))
    assert repeat_days(first_day, weekdays, weeks) == [d for d in every_day if d.weekday() in weekdays]
