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


class FromFields:
    """Wrap ``check(value, arg)`` as a field validator whose ``arg`` depends on other fields
    of the same form: ``arg_of(*their data)``, e.g. a location's phone region from the
    country and time zone typed beside it (``Location.region_for``)."""

    def __init__(self, check: Callable, arg_of: Callable, *fields: str):
        self.check = check
        self.arg_of = arg_of
        self.fields = fields

    def __call__(self, form, field) -> None:
        values = [getattr(form, name).data if getattr(form, name, None) is not None else None
                  for name in self.fields]
        Rule(self.check, self.arg_of(*values))(form, field)


class AtHome(FromFields):
    """``FromFields`` on the record's location as chosen in the same form
    (``home_location``): ``arg_of(location or None)``, e.g. the phone region
    (``Location.phone_region_of``) or today there (``local_today``)."""

    def __init__(self, check: Callable, arg_of: Callable, location_field: str = "home_location"):
        super().__init__(check, arg_of, location_field)


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
