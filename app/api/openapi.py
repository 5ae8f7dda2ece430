"""Corrections to the OpenAPI document FAB generates, in one place, so API clients can
be generated from it and it matches what the API answers.

FAB's hand-written specs of its generic operations type ids as strings (list ``ids``,
the ``id`` of a created row), describe ``/_info``'s add and edit columns as an object
(they are a list), and its 400 answer's ``message`` as a string (FAB's own endpoints,
e.g. the login, answer field errors as an object). The generated document is fixed up
as it is served (``/api/v1/_openapi``); everything it describes is untouched.
"""
from __future__ import annotations

import json
from typing import Any

from flask import Flask, request

_JSON_BODY = ("content", "application/json", "schema", "properties")


def _dig(spec: Any, *keys: str) -> dict | None:
    for key in keys:
        if not isinstance(spec, dict):
            return None
        spec = spec.get(key)
    return spec if isinstance(spec, dict) else None


def correct(document: dict[str, Any]) -> dict[str, Any]:
    """The document with FAB's generic specs made accurate (in place, and returned)."""
    for item in (document.get("paths") or {}).values():
        for operation in item.values():
            for status, response in (_dig(operation, "responses") or {}).items():
                properties = _dig(response, *_JSON_BODY)
                if not properties:
                    continue
                if isinstance(properties.get("ids"), dict):
                    properties["ids"]["items"] = {"type": "integer"}
                if str(status) == "201" and isinstance(properties.get("id"), dict):
                    properties["id"] = {"type": "integer"}
                for name in ("add_columns", "edit_columns"):
                    if isinstance(properties.get(name), dict):
                        properties[name] = {"type": "array", "items": {"type": "object"}}
    for response in (_dig(document, "components", "responses") or {}).values():
        properties = _dig(response, *_JSON_BODY)
        if properties and "message" in properties:
            properties["message"] = {"oneOf": [{"type": "string"}, {"type": "object"}]}
    return document


def _serve_corrected(response):
    if request.endpoint == "OpenApi.get" and response.status_code == 200 and response.is_json:
        response.set_data(json.dumps(correct(response.get_json())))
    return response


def init_app(app: Flask) -> None:
    app.after_request(_serve_corrected)
