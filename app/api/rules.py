"""The shared input rules (app/setup/validation.py) as marshmallow validators.

A ``Rule`` wraps one ``check_*`` function. Used as a validator it raises marshmallow's
``ValidationError`` with the rule's own message, so the API says exactly what the admin
forms say. Rules that clean a value (a phone number to E.164, an email address to its
normalised form, a colour to lower case) also run before loading (``pre_load``), so
what is saved is the cleaned value; when cleaning fails the value is left alone and the
validator reports the problem together with every other field's.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import current_app
from flask_appbuilder.api.convert import Model2SchemaConverter
from marshmallow import ValidationError, fields, pre_load, validate
from marshmallow_sqlalchemy import SQLAlchemyAutoSchema
from marshmallow_sqlalchemy.fields import Related, RelatedList
from sqlalchemy import Numeric

from app.errors import Problem
from app.setup.validation import (
    InvalidValue,
    check_colour,
    check_email,
    check_non_negative_int,
    check_non_negative_money,
    check_phone,
    check_positive_int,
    check_slug,
    check_timezone,
)
from app.timeutil import UTCDateTime


class Rule:
    """One shared check, usable as a marshmallow validator and as a pre-load cleaner."""

    def __init__(self, check: Callable[..., Any], *, normalises: bool = False,
                 context: Callable[[dict, Any], dict] | None = None, **kwargs: Any):
        self.check = check
        self.normalises = normalises
        self.kwargs = kwargs
        # (body, row being changed or None) -> more keyword arguments for cleaning, e.g. a
        # phone's region from the client's home location.
        self.context = context

    def __call__(self, value: Any) -> None:
        if value is None:
            return
        try:
            self.check(value, **self.kwargs)
        except InvalidValue as exc:
            raise ValidationError(str(exc)) from exc
        except (TypeError, ValueError) as exc:  # e.g. int() of something odd
            raise ValidationError("This value has the wrong type.") from exc

    def clean(self, raw: Any, body: dict | None = None, row: Any = None) -> Any:
        """The cleaned value, or ``raw`` unchanged when it does not pass (the validator
        will then say why)."""
        if not self.normalises or not isinstance(raw, str):
            return raw
        extra = self.context(body or {}, row) if self.context is not None else {}
        try:
            return self.check(raw, **self.kwargs, **extra)
        except InvalidValue:
            return raw

    def __repr__(self) -> str:  # shown in the _info endpoint's "validate" list
        return f"<Rule {self.check.__name__}>"


def in_range(low: Decimal | int, high: Decimal | int, label: str) -> validate.Range:
    # Whole bounds as ints: the OpenAPI document writes them as JSON numbers (a Decimal
    # would come out as a string, which is not a valid bound).
    low, high = (int(b) if b == int(b) else b for b in (low, high))
    return validate.Range(min=low, max=high, error=f"{label} must be between {low} and {high}.")


def aware(value: datetime | None) -> None:
    """An instant must say which one it is: a time without a UTC offset is refused."""
    if value is not None and value.tzinfo is None:
        raise ValidationError(
            "Give the time with its UTC offset, e.g. 2026-03-09T14:00:00-05:00 or 2026-03-09T19:00:00Z."
        )


# What a database integer column holds (PostgreSQL would answer with an error).
fits_integer = validate.Range(min=-(2**31), max=2**31 - 1, error="This number is too large.")


def fits_numeric(precision: int | None, scale: int | None) -> validate.Range:
    # An int, not a Decimal: the OpenAPI document writes the bounds as JSON numbers.
    limit = 10 ** ((precision or 12) - (scale or 0))
    return validate.Range(min=-limit, max=limit, min_inclusive=False, max_inclusive=False,
                          error="This number is too large.")


TIMEZONE = Rule(check_timezone)
EMAIL = Rule(check_email, normalises=True)
PHONE = Rule(check_phone, normalises=True)
SLUG = Rule(check_slug)
COLOUR = Rule(check_colour, normalises=True)


def money(label: str) -> Rule:
    return Rule(check_non_negative_money, label=label)


def positive_int(label: str) -> Rule:
    return Rule(check_positive_int, label=label)


def non_negative_int(label: str) -> Rule:
    return Rule(check_non_negative_int, label=label)


class RuleConverter(Model2SchemaConverter):
    """FAB's model → schema converter, plus Plinth's rules:

    * a ``pre_load`` hook that cleans the values of normalising rules;
    * Decimal fields keep every digit they are given (FAB would round to the column's
      scale silently, hiding "at most two decimals" from the money rule);
    * instants (UTCDateTime columns) must carry a UTC offset, instead of failing at
      the database with a 500.
    """

    rules: Mapping[str, Any] = {}

    def _column2field(self, datamodel, column, nested=True, parent_schema_name=None):
        field = super()._column2field(datamodel, column, nested, parent_schema_name)
        _describe_related_ids(field)
        sqla_column = datamodel.list_columns.get(column.name)
        if sqla_column is not None and (sqla_column.default is not None or sqla_column.server_default is not None):
            field.required = False  # FAB requires every non-null enum, even one with a default
        if isinstance(field, fields.Decimal):
            field.places = None
            if sqla_column is not None and isinstance(sqla_column.type, Numeric):
                field.validators.append(fits_numeric(sqla_column.type.precision, sqla_column.type.scale))
            _describe_decimal(field)
        elif isinstance(field, fields.Integer):
            field.validators.append(fits_integer)
        if sqla_column is not None and isinstance(sqla_column.type, UTCDateTime):
            field.validators.append(aware)
        return field

    def _meta_schema_factory(self, columns, model, class_mixin, parent_schema_name=None):
        # FAB's factory, with foreign-key columns allowed (FAB's schemas drop them, so a
        # "client_id" column could not be listed) and the cleaning hook.
        _model, _columns, _parent_schema_name = model, columns, parent_schema_name
        cleaners = {
            name: rule for name, rule in self.rules.items() if isinstance(rule, Rule) and rule.normalises
        } if model is self.datamodel.obj else {}

        # Named like FAB's own class so the OpenAPI resolver names it the same way.
        class MetaSchema(SQLAlchemyAutoSchema, class_mixin):  # type: ignore[misc, valid-type]
            class Meta:
                model = _model
                if _columns:
                    fields = _columns
                load_instance = True
                include_fk = True
                sqla_session = current_app.appbuilder.session
                parent_schema_name = _parent_schema_name

            @pre_load
            def _clean_with_shared_rules(self, data, **kwargs):
                if not cleaners or not isinstance(data, dict):
                    return data
                data = dict(data)
                for name, rule in cleaners.items():
                    if name in data:
                        data[name] = rule.clean(data[name], data, self.instance)
                return data

        return MetaSchema


DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"


def _describe_decimal(field) -> None:
    """Money and quantities travel as decimal strings ("95.00"), never floats: say so
    in the OpenAPI document. Its range checks stay, hidden from apispec (which would
    write a string's bounds where JSON Schema wants numbers)."""
    field.metadata.update(type="string", format="decimal", pattern=DECIMAL_PATTERN)
    field.validators = [_unlisted(v) if isinstance(v, validate.Range) else v for v in field.validators]


def _unlisted(validator: validate.Range) -> Callable[[Any], Any]:
    def check(value):
        return validator(value)
    return check


def _describe_related_ids(field) -> None:
    """A relation is written as the related row's id (a list of ids for many): say so
    in the OpenAPI document, which otherwise leaves the field untyped."""
    if isinstance(field, RelatedList):
        field.metadata.update(type="array", items={"type": "integer", "minimum": 1})
        if isinstance(field.inner, Related):
            field.inner.metadata.update(type="integer", minimum=1)
    elif isinstance(field, Related):
        field.metadata.update(type="integer", minimum=1)


def problems_from_messages(messages: Any, prefix: str = "") -> list[Problem]:
    """marshmallow's error messages as Plinth problems, one per message, naming the
    field (nested fields as ``breaks.0.end_time``)."""
    problems = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            field = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                field = prefix
            problems.extend(problems_from_messages(value, field))
    elif isinstance(messages, list):
        for value in messages:
            problems.extend(problems_from_messages(value, prefix))
    else:
        problems.append(Problem(_plain(str(messages)), prefix or None))
    return problems


def _plain(message: str) -> str:
    if message == "Unknown field.":
        return "This field is not accepted here."
    return message


def summary(problems: list[Problem]) -> str:
    """The headline of a refusal: which fields to correct."""
    names = sorted({p.field for p in problems if p.field})
    if names:
        return "Please correct: " + ", ".join(names) + "."
    return problems[0].message if problems else "The request was refused."
