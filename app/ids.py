"""Record ids in URLs: what a valid one looks like, and the one check every route gets.

Plinth's ids are 32-bit integer columns. A URL id outside that range (or not a number
at all, in FAB's string ``<pk>`` routes) names no record, so it is a 404, decided here
before any query: PostgreSQL would refuse such a value with an error (a 500), SQLite's
driver with an OverflowError.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, abort, jsonify, request

MAX_ID = 2**31 - 1


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


def is_id_parameter(name: str) -> bool:
    return name == "pk" or name == "id" or name.endswith("_id")


def refuse_impossible_ids():
    for name, value in (request.view_args or {}).items():
        if is_id_parameter(name) and parse_id(value) is None:
            if request.path.startswith("/api/"):
                return jsonify(message="Not found"), 404
            abort(404)
    return None


def init_app(app: Flask) -> None:
    app.before_request(refuse_impossible_ids)
