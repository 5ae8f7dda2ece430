"""Corrections to the OpenAPI document FAB generates, in one place, so API clients can
be generated from it and it matches what the API answers.

FAB's hand-written specs of its generic operations type ids as strings (list ``ids``,
the ``id`` of a created row), describe ``/_info``'s add and edit columns as an object
(they are a list), and its 400 answer's ``message`` as a string (FAB's own endpoints,
e.g. the login, answer field errors as an object). The generated document is fixed up
as it is served (``/api/v1/_openapi``); everything it describes is untouched.

The service endpoints (booking, billing, the grid's writes) read their JSON body with
``_body(SomeInput())``; their docstrings only say "an object". ``request_bodies()``
finds each endpoint's input schema in its source and the document describes the body
that schema accepts, so the document follows the code instead of a copy of it.
"""
from __future__ import annotations

import inspect
import json
import re
from decimal import Decimal
from functools import cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, current_app, request
from flask_appbuilder.api import BaseApi
from marshmallow import Schema

_BODY_SCHEMA = re.compile(r"\bjson_body\((\w+)\(\)\)")  # app/api/edge.py
_PATH_PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")

_JSON_BODY = ("content", "application/json", "schema", "properties")


def _dig(spec: Any, *keys: str) -> dict | None:
    for key in keys:
        if not isinstance(spec, dict):
            return None
        spec = spec.get(key)
    return spec if isinstance(spec, dict) else None


def _input_schema(func) -> type[Schema] | None:
    func = inspect.unwrap(func)  # past @protect() and friends, to the endpoint itself
    try:
        match = _BODY_SCHEMA.search(inspect.getsource(func))
    except (OSError, TypeError):
        return None
    found = func.__globals__.get(match.group(1)) if match else None
    return found if isinstance(found, type) and issubclass(found, Schema) else None


@cache
def _json_schema(schema_class: type[Schema]) -> dict[str, Any]:
    plugin = MarshmallowPlugin(schema_name_resolver=lambda schema: None)  # nested schemas inline
    APISpec(title="bodies", version="1", openapi_version="3.0.2", plugins=[plugin])
    return _plain_numbers(plugin.converter.schema2jsonschema(schema_class))


def _plain_numbers(value: Any) -> Any:
    """Decimal bounds (a money field's range) as JSON numbers."""
    if isinstance(value, Decimal):
        return int(value) if value == int(value) else float(value)
    if isinstance(value, dict):
        return {k: _plain_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_numbers(v) for v in value]
    return value


def request_bodies(apis) -> dict[tuple[str, str], dict[str, Any]]:
    """(OpenAPI path, method) → the JSON schema of the body its endpoint loads."""
    bodies = {}
    for api in apis:
        if not isinstance(api, BaseApi):
            continue
        for name in dir(type(api)):
            func = getattr(type(api), name, None)
            for url, methods in getattr(func, "_urls", ()):
                schema_class = _input_schema(func)
                if schema_class is None:
                    continue
                path = _PATH_PARAM.sub(r"{\1}", f"{api.route_base}{url}")
                for method in methods:
                    bodies[(path, method.lower())] = _json_schema(schema_class)
    return bodies


def correct(document: dict[str, Any], bodies: dict[tuple[str, str], dict[str, Any]] | None = None) -> dict[str, Any]:
    """The document with FAB's generic specs made accurate (in place, and returned)."""
    for path, item in (document.get("paths") or {}).items():
        for method, operation in item.items():
            body = (bodies or {}).get((path, method))
            if body is not None and isinstance(operation, dict):
                operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
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
        document = correct(response.get_json(), request_bodies(current_app.appbuilder.baseviews))
        response.set_data(json.dumps(document))
    return response


def init_app(app: Flask) -> None:
    app.after_request(_serve_corrected)
