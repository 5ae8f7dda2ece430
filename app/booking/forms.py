"""The public site's forms. Every POST goes through a FlaskForm, so every one carries
and checks a CSRF token; every form that takes free text has the honeypot field."""
from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.models.clinic import DEFAULT_PHONE_REGION
from app.setup.validation import InvalidValue, check_email, check_phone
from app.timeutil import local_today

WEEKDAYS = [SelectChoice(str(n), name) for n, name in enumerate(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"))]


class Honeypot(FlaskForm):
    # Hidden from people by CSS (and from assistive tech by aria-hidden); bots fill it.
    website = StringField("Leave this empty", validators=[Optional()])

    def is_bot(self) -> bool:
        return bool((self.website.data or "").strip())


def _email(form, field):
    try:
        field.data = check_email(field.data)
    except InvalidValue as exc:
        raise ValidationError("Please enter a valid email address.") from exc
    if not field.data:
        raise ValidationError("Please enter your email address.")


def _phone(form, field):
    try:
        # The view sets the booking location's region (Location.phone_region).
        field.data = check_phone(field.data, getattr(form, "phone_region", DEFAULT_PHONE_REGION))
    except InvalidValue as exc:
        raise ValidationError(str(exc)) from exc


def _birth_date(form, field):
    # The view sets today at the booking's location; the server's own date is no clinic's.
    today = getattr(form, "today", None) or local_today("UTC")
    if field.data and not date(1900, 1, 1) <= field.data <= today:
        raise ValidationError("Please check your date of birth.")


class ActionForm(FlaskForm):
    """A bare POST (a button): only the CSRF token."""


class ConfirmForm(FlaskForm):
    """The review page's button: a one-time nonce (a second press is recognised) and a
    digest of what the page showed (a change in another tab is caught)."""

    nonce = HiddenField(validators=[DataRequired(), Length(min=20, max=64)])
    digest = HiddenField(validators=[DataRequired(), Length(max=64)])


class PickForm(FlaskForm):
    value = HiddenField(validators=[DataRequired()])


class EmailForm(Honeypot):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), _email])


class CodeForm(FlaskForm):
    code = StringField("Code from your email", validators=[DataRequired(), Length(min=6, max=12)])


class DetailsForm(Honeypot):
    first_name = StringField("First name", validators=[DataRequired(), Length(max=80)])
    last_name = StringField("Last name", validators=[DataRequired(), Length(max=80)])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), _email])
    phone = TelField("Mobile phone", validators=[DataRequired(), Length(max=30), _phone])
    # Consent to texts, recorded as given online (app.messaging.consent); never pre-ticked.
    texts = BooleanField("Text me confirmations and reminders at this number (reply STOP to stop)")
    date_of_birth = DateField("Date of birth", validators=[DataRequired(), _birth_date])
    payer_id = SelectField("Who pays", coerce=int, default=0)
    policy_number = StringField("Policy / member number", validators=[Length(max=60)])
    notes = TextAreaField("Anything we should know? (optional)", validators=[Optional(), Length(max=1000)])

    def validate_policy_number(self, field):
        if self.payer_id.data and not (field.data or "").strip():
            raise ValidationError("Please give the policy or member number for your insurer.")


class WaitlistForm(DetailsForm):
    weekdays = SelectMultipleField("Days that suit", choices=WEEKDAYS, option_widget=CheckboxInput(),
                                   widget=ListWidget(prefix_label=False), validators=[Optional()])
    earliest = TimeField("From", validators=[Optional()])
    latest = TimeField("Until", validators=[Optional()])
    until = DateField("Stop waiting after", validators=[Optional()])
    agree = BooleanField("Email me when a time frees up", validators=[DataRequired("Please tick to join the waitlist.")])

    def validate_latest(self, field):
        if field.data and self.earliest.data and field.data < self.earliest.data:
            raise ValidationError("“Until” must be after “From”.")


class EmbedSettingsForm(FlaskForm):
    embed_origins = TextAreaField("Websites allowed to embed the booking page", validators=[Optional(), Length(max=4000)])


class ReturningDetailsForm(Honeypot):
    """A verified returning patient: their record is used as it is (changes go through
    the front desk); they add notes, and an insurer only when a new case is opened."""

    payer_id = SelectField("Who pays", coerce=int, default=0)
    policy_number = StringField("Policy / member number", validators=[Length(max=60)])
    notes = TextAreaField("Anything we should know? (optional)", validators=[Optional(), Length(max=1000)])

    def validate_policy_number(self, field):
        if self.payer_id.data and not (field.data or "").strip():
            raise ValidationError("Please give the policy or member number for your insurer.")
