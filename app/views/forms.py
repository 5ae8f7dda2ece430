"""WTForms adapters for the shared input rules (app/setup/validation.py).

Validators may also clean the value (a phone number becomes E.164), so what is saved
is what the rule accepted.
"""
from __future__ import annotations

from collections.abc import Callable

from wtforms.validators import StopValidation, ValidationError

from app.setup.validation import InvalidValue


class Rule:
    """Wrap ``check(value) -> cleaned`` as a field validator."""

    def __init__(self, check: Callable, *args):
        self.check = check
        self.args = args

    def __call__(self, form, field) -> None:
        try:
            field.data = self.check(field.data, *self.args)
        except InvalidValue as exc:
            raise ValidationError(str(exc)) from exc
        except (TypeError, ValueError) as exc:
            raise ValidationError("This value is not valid.") from exc


class AtHome:
    """Wrap ``check(value, arg)`` as a field validator whose ``arg`` depends on the record's
    location as chosen in the same form (``home_location``): ``arg_of(location or None)``,
    e.g. the phone region (``Location.phone_region_of``) or today there (``local_today``)."""

    def __init__(self, check: Callable, arg_of: Callable, location_field: str = "home_location"):
        self.check = check
        self.arg_of = arg_of
        self.location_field = location_field

    def __call__(self, form, field) -> None:
        chosen = getattr(form, self.location_field, None)
        Rule(self.check, self.arg_of(chosen.data if chosen is not None else None))(form, field)


class EndsAfter:
    """The field (an end time) must be after the form's ``start_field``."""

    def __init__(self, start_field: str, what: str = "It"):
        self.start_field = start_field
        self.what = what

    def __call__(self, form, field) -> None:
        start = getattr(form, self.start_field).data
        if start is not None and field.data is not None and field.data <= start:
            raise StopValidation(f"{self.what} must end after it starts.")


class NotBefore:
    """The field (a date) must not be before the form's ``other_field``."""

    def __init__(self, other_field: str, message: str):
        self.other_field = other_field
        self.message = message

    def __call__(self, form, field) -> None:
        other = getattr(form, self.other_field).data
        if other is not None and field.data is not None and field.data < other:
            raise ValidationError(self.message)


class AtLeastOne:
    """A many-to-many field that must not be left empty."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field) -> None:
        if not field.data:
            raise ValidationError(self.message)


class AtLeastOneChecked:
    """This checkbox or ``other_field`` must be ticked."""

    def __init__(self, other_field: str, message: str):
        self.other_field = other_field
        self.message = message

    def __call__(self, form, field) -> None:
        if not field.data and not getattr(form, self.other_field).data:
            raise ValidationError(self.message)
