"""Checks of FAB's list arguments before FAB reads them.

FAB parses ``page_<View>``, ``psize_<View>``, ``_oc_<View>``/``_od_<View>`` and
``_flt_<n>_<column>`` straight into ``int()`` calls and SQL, so a stray quote or a
``%`` becomes a 500 (or a database error on PostgreSQL). This module reads them the
way FAB does (the same patterns) and names the first one that FAB could not use.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from app.ids import MAX_ID, parse_id
from app.views.name_filters import NameContains

_PAGE = re.compile("page_(.*)")
_PSIZE = re.compile("psize_(.*)")
_ORDER = re.compile("_oc_(.*)")
_FILTER = re.compile(r"_flt_(\d)_(.*)")
MAX_PAGE = 100_000


def list_argument_problem(view, args) -> str | None:
    """Why FAB could not use one of ``args`` on ``view`` (or a related tab); None if fine."""
    views = {type(view).__name__: view}
    views.update({type(v).__name__: v for v in getattr(view, "_related_views", None) or []})
    for key in args:
        for pattern, low, high, what in ((_PAGE, 0, MAX_PAGE, "page number"),
                                         (_PSIZE, 1, getattr(view, "max_page_size", 500), "page size")):
            if pattern.findall(key) and not _whole_number(args.get(key), low, high):
                return f"The {what} “{args.get(key)}” is not a whole number from {low} to {high}."
        match = _ORDER.findall(key)
        if match:
            target = views.get(match[0])
            column = args.get(key)
            if target is not None and column not in (target.order_columns or []):
                return f"The list cannot be sorted by “{column}”."
            direction = args.get("_od_" + match[0])
            if direction is not None and direction not in ("asc", "desc"):
                return "The sort direction must be asc or desc."
        match = _FILTER.findall(key)
        if match:
            problem = _filter_problem(view, int(match[0][0]), match[0][1], args.getlist(key))
            if problem:
                return problem
    return None


def _whole_number(value, low: int, high: int) -> bool:
    return value is not None and value.isascii() and value.isdigit() and low <= int(value) <= high


def _filter_problem(view, index: int, column: str, values: list[str]) -> str | None:
    filters = view._filters.get_search_filters()
    if column not in filters:
        return None  # FAB ignores filters on columns the view does not search
    label = view.label_columns.get(column, column)
    if index >= len(filters[column]):
        return f"There is no filter number {index} for {label}."
    datamodel = view.datamodel
    by_name = isinstance(filters[column][index], NameContains)
    for value in values:
        if by_name:
            ok = "\x00" not in value  # a client's or case's name, typed (name_filters.py)
        elif datamodel.is_relation(column):
            ok = parse_id(value) is not None
        elif datamodel.is_integer(column):
            ok = _integer(value)
        elif datamodel.is_numeric(column) or datamodel.is_float(column):
            ok = _decimal(value)
        elif datamodel.is_datetime(column):
            ok = _parses(value, datetime.fromisoformat)
        elif datamodel.is_date(column):
            ok = _parses(value, date.fromisoformat)
        else:
            ok = "\x00" not in value  # PostgreSQL refuses NUL in text
        if not ok:
            return f"“{value}” is not a valid value to filter {label} by."
    return None


def _integer(value: str) -> bool:
    text = value.strip()
    body = text[1:] if text[:1] in "+-" else text
    return body.isdigit() and abs(int(text)) <= MAX_ID


def _decimal(value: str) -> bool:
    try:
        number = Decimal(value)
    except InvalidOperation:
        return False
    return number.is_finite() and abs(number) < Decimal(10) ** 12


def _parses(value: str, parse) -> bool:
    try:
        parse(value)
    except ValueError:
        return False
    return True
