"""Half-open interval arithmetic on sorted lists, in one pass each (pure, no I/O).

An interval is a pair ``(start, end)`` with ``start < end``; it holds the instants
``start <= t < end``. Any ordered type works (datetimes in the engine, integers in the
property tests). Functions take and return *normalised* lists — sorted, non-empty,
non-overlapping and non-touching — except ``normalise`` which makes one.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")
Interval = tuple[T, T]


def normalise(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort, drop empty intervals and merge overlapping or touching ones."""
    # The engine merges every occupancy of a month here: plain locals, no list per interval.
    result: list[Interval] = []
    start = end = None
    for s, e in sorted(intervals):
        if not s < e:
            continue
        if end is not None and s <= end:
            if e > end:
                end = e
        else:
            if end is not None:
                result.append((start, end))
            start, end = s, e
    if end is not None:
        result.append((start, end))
    return result


def subtract(base: list[Interval], cut: list[Interval]) -> list[Interval]:
    """``base`` minus ``cut`` (both normalised)."""
    result: list[Interval] = []
    j = 0
    for start, end in base:
        while j < len(cut) and cut[j][1] <= start:
            j += 1
        k = j
        cursor = start
        while k < len(cut) and cut[k][0] < end:
            if cut[k][0] > cursor:
                result.append((cursor, cut[k][0]))
            cursor = max(cursor, cut[k][1])
            k += 1
        if cursor < end:
            result.append((cursor, end))
    return result


def intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """The instants in both ``a`` and ``b`` (both normalised)."""
    result: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            result.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return result


def union(*lists: list[Interval]) -> list[Interval]:
    return normalise(i for lst in lists for i in lst)


def grow(intervals: list[Interval], before, after) -> list[Interval]:
    """Widen each interval by ``before`` at its start and ``after`` at its end."""
    return normalise((s - before, e + after) for s, e in intervals)


def starts_fitting(free: list[Interval], length) -> list[Interval]:
    """The intervals of start instants ``t`` for which ``[t, t + length)`` lies inside
    one interval of ``free``. Returned closed at the end (``t == end`` fits), as pairs
    ``(first, last)`` with ``first <= last``."""
    return [(s, e - length) for s, e in free if e - s >= length]


def covers(free: list[Interval], start, end) -> bool:
    """Whether ``[start, end)`` lies inside one interval of ``free`` (binary search)."""
    lo, hi = 0, len(free)
    while lo < hi:
        mid = (lo + hi) // 2
        if free[mid][1] < end:
            lo = mid + 1
        else:
            hi = mid
    return lo < len(free) and free[lo][0] <= start and end <= free[lo][1]


def overlapping(intervals: list[Interval], start, end) -> list[Interval]:
    """The intervals of a sorted list that share an instant with ``[start, end)``."""
    return [(s, e) for s, e in intervals if s < end and start < e]
