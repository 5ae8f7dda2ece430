"""Interval arithmetic, checked against a brute-force minute-by-minute oracle."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.scheduling import intervals as iv

HORIZON = 200
raw = st.lists(st.tuples(st.integers(0, HORIZON), st.integers(0, HORIZON)).map(sorted).map(tuple), max_size=8)
normalised = raw.map(iv.normalise)


def minutes(intervals) -> set[int]:
    return {m for s, e in intervals for m in range(s, e)}


@given(raw)
def test_normalise_keeps_the_same_minutes_in_sorted_separate_intervals(intervals):
    result = iv.normalise(intervals)
    assert minutes(result) == minutes(intervals)
    assert all(s < e for s, e in result)
    assert all(a[1] < b[0] for a, b in zip(result, result[1:]))  # sorted, not even touching


@given(normalised, normalised)
def test_subtract_is_set_difference(a, b):
    assert minutes(iv.subtract(a, b)) == minutes(a) - minutes(b)
    assert iv.subtract(a, b) == iv.normalise(iv.subtract(a, b))


@given(normalised, normalised)
def test_intersect_is_set_intersection(a, b):
    assert minutes(iv.intersect(a, b)) == minutes(a) & minutes(b)


@given(normalised, normalised)
def test_union_is_set_union(a, b):
    assert minutes(iv.union(a, b)) == minutes(a) | minutes(b)


@given(normalised, st.integers(0, 10), st.integers(0, 10))
def test_grow_widens_each_interval(a, before, after):
    expected = {m for s, e in a for m in range(s - before, e + after)}
    assert minutes(iv.grow(a, before, after)) == expected


@settings(max_examples=300)
@given(normalised, st.integers(1, 40))
def test_starts_fitting_lists_exactly_the_starts_whose_whole_length_is_free(free, length):
    free_minutes = minutes(free)
    brute = {t for t in range(-5, HORIZON + 5) if all(m in free_minutes for m in range(t, t + length))}
    listed = {t for first, last in iv.starts_fitting(free, length) for t in range(first, last + 1)}
    assert listed == brute


@given(normalised, st.integers(0, HORIZON), st.integers(1, 40))
def test_covers_agrees_with_the_minutes(free, start, length):
    free_minutes = minutes(free)
    assert iv.covers(free, start, start + length) == all(m in free_minutes for m in range(start, start + length))


def test_touching_intervals_merge_but_a_gap_of_one_minute_does_not():
    assert iv.normalise([(0, 10), (10, 20)]) == [(0, 20)]
    assert iv.normalise([(0, 10), (11, 20)]) == [(0, 10), (11, 20)]
