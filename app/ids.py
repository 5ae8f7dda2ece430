"""Record ids in URLs: what a valid one looks like, and the one check every route gets.

Plinth's ids are 32-bit integer columns. A URL id outside that range (or not a number
at all, in FAB's string ``<pk>`` routes) names no record, so it is a 404, decided here
before any query: PostgreSQL would refuse such a value with an error (a 500), SQLite's
driver with an OverflowError.
"""
from __future__ import annotations

import re
from typing import Any

from flask import Flask, abort, jsonify, request

MAX_ID = 2**31 - 1
_INTEGER = re.compile(r"[+-]?[0-9]+")


def parse_id(value: Any) -> int | None:
    """The id ``value`` stands for, or None when no row can have it."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value)
        if not (text.isascii() and text.isdigit()):
            return None
        number = int(text)
    return number if 0 <= number <= MAX_ID else None


def numbers_fit(value: Any) -> bool:
    """Whether every integer in a decoded JSON or rison value fits a 32-bit column, so
    an id (or count) in a request body is a 4xx before it reaches the database."""
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -MAX_ID <= value <= MAX_ID
    if isinstance(value, float):
        return abs(value) <= MAX_ID
    if isinstance(value, dict):
        return all(numbers_fit(v) for v in value.values())
    if isinstance(value, list):
        return all(numbers_fit(v) for v in value)
    return True


def is_id_parameter(name: str) -> bool:
    return name == "pk" or name == "id" or name.endswith("_id")


def refuse_impossible_ids():
    """An impossible id in the path names nothing (404); a whole number too large for
    any column in an id query argument (``?calendar_id=``) is a 400."""
    api = request.path.startswith("/api/")
    for name, value in (request.view_args or {}).items():
        if is_id_parameter(name) and parse_id(value) is None:
            if api:
                return jsonify(message="Not found"), 404
            abort(404)
    for name, value in request.args.items(multi=True):
        if is_id_parameter(name) and _INTEGER.fullmatch(value.strip()) and parse_id(value.strip()) is None:
            message = f"{name} is not a record id."
            if api:
                return jsonify(message=message), 400
            abort(400, description=message)
    return None


def init_app(app: Flask) -> None:
    app.before_request(refuse_impossible_ids)
