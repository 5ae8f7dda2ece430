"""The public site's forms. Every POST goes through a FlaskForm, so every one carries
and checks a CSRF token; every form that takes free text has the honeypot field."""
from __future__ import annotations


from flask_babel import lazy_gettext as _l
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

from app.plausible_dates import check_birth_date
from app.setup.validation import InvalidValue, check_email, check_phone
from app.timeutil import local_today

WEEKDAYS = [SelectChoice(str(n), name) for n, name in enumerate(
    (_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun")))]


class Honeypot(FlaskForm):
    # Hidden from people by CSS (and from assistive tech by aria-hidden); bots fill it.
    website = StringField(_l("Leave this empty"), validators=[Optional()])

    def is_bot(self) -> bool:
        return bool((self.website.data or "").strip())


def _email(form, field):
    try:
        field.data = check_email(field.data)
    except InvalidValue as exc:
        raise ValidationError(_l("Please enter a valid email address.")) from exc
    if not field.data:
        raise ValidationError(_l("Please enter your email address."))


def _phone(form, field):
    try:
        # The view sets the booking location's region (Location.phone_region).
        field.data = check_phone(field.data, getattr(form, "phone_region", None))
    except InvalidValue as exc:
        raise ValidationError(_l("Please enter a valid phone number (with the country code if it is not local).")) from exc


def _birth_date(form, field):
    # The view sets today at the booking's location; the server's own date is no clinic's.
    today = getattr(form, "today", None) or local_today(None)
    try:
        check_birth_date(field.data, today)
    except InvalidValue as exc:
        raise ValidationError(_l("Please check your date of birth.")) from exc


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
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254), _email])


class CodeForm(FlaskForm):
    code = StringField(_l("Code from your email"), validators=[DataRequired(), Length(min=6, max=12)])


class WhoPays(Honeypot):
    """What new and returning patients alike answer: who pays (0: themselves), the policy
    number an insurer needs, and notes."""

    payer_id = SelectField(_l("Who pays"), coerce=int, default=0)
    policy_number = StringField(_l("Policy / member number"), validators=[Length(max=60)])
    notes = TextAreaField(_l("Anything we should know? (optional)"), validators=[Optional(), Length(max=1000)])

    def validate_policy_number(self, field):
        if self.payer_id.data and not (field.data or "").strip():
            raise ValidationError(_l("Please give the policy or member number for your insurer."))


class DetailsForm(WhoPays):
    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=80)])
    last_name = StringField(_l("Last name"), validators=[DataRequired(), Length(max=80)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254), _email])
    phone = TelField(_l("Mobile phone"), validators=[DataRequired(), Length(max=30), _phone])
    # Consent to texts, recorded as given online (app.messaging.consent); never pre-ticked.
    texts = BooleanField(_l("Text me confirmations and reminders at this number (reply STOP to stop)"))
    date_of_birth = DateField(_l("Date of birth"), validators=[DataRequired(), _birth_date])


class WaitlistForm(DetailsForm):
    weekdays = SelectMultipleField(_l("Days that suit"), choices=WEEKDAYS, option_widget=CheckboxInput(),
                                   widget=ListWidget(prefix_label=False), validators=[Optional()])
    earliest = TimeField(_l("From"), validators=[Optional()])
    latest = TimeField(_l("Until"), validators=[Optional()])
    until = DateField(_l("Stop waiting after"), validators=[Optional()])
    agree = BooleanField(_l("Email me when a time frees up"), validators=[DataRequired(_l("Please tick to join the waitlist."))])

    def validate_latest(self, field):
        if field.data and self.earliest.data and field.data < self.earliest.data:
            raise ValidationError(_l("“Until” must be after “From”."))


class EmbedSettingsForm(FlaskForm):
    embed_origins = TextAreaField(_l("Websites allowed to embed the booking page"), validators=[Optional(), Length(max=4000)])


class ReturningDetailsForm(WhoPays):
    """A verified returning patient: their record is used as it is (changes go through
    the front desk); they add notes, and an insurer only when a new case is opened."""
