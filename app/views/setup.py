"""Setup screens for managers: locations, disciplines, team, session types, payers."""
from __future__ import annotations

from flask import flash, g, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from flask_appbuilder.fields import QuerySelectField
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget, BS3TextFieldWidget, Select2Widget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import select
from flask_appbuilder.fields import QuerySelectMultipleField
from flask_appbuilder.fieldwidgets import Select2ManyWidget
from wtforms import PasswordField, SelectField, StringField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.i18n import LANGUAGES, formatting
from app.models import BillingItem, Discipline, Location, Payer, SessionType, SessionTypeBillingItem, TeamMember
from app.security import BILLING_ITEMS, DISCIPLINES, LOCATIONS, PAYERS, SESSION_TYPES, STAFF_ROLES, TEAM
from app.setup import team
from app.setup.validation import (
    check_colour,
    check_email,
    check_non_negative_money,
    check_percent,
    check_positive_decimal,
    check_phone,
    check_positive_int,
    check_timezone,
)
from app.views.base import PlinthModelView
from app.views.forms import AtLeastOneChecked, EndsAfter, FromFields, Rule


def _first_location_region(locations) -> str:
    """A team member's phone is read in the country of the first location they work at."""
    return Location.phone_region_of(locations[0] if locations else None)


class LocationView(PlinthModelView):
    datamodel = SQLAInterface(Location)
    class_permission_name = LOCATIONS
    list_columns = ["name", "timezone", "city", "phone", "invoice_prefix", "active"]
    search_columns = ["name", "city", "timezone", "active"]
    columns = [
        "name", "timezone", "address_line1", "address_line2", "city", "region", "postal_code",
        "country", "phone", "email", "tax_id", "invoice_prefix", "grid_start", "grid_end",
        "active", "notes", "accepted_payers", "out_of_network_message",
    ]
    add_columns = edit_columns = show_columns = columns
    # A location's number reads nationally in its own country ("21 300 0100" for Lisboa).
    row_formatters_columns = {"phone": lambda location: formatting.phone(location.phone, location)}
    label_columns = {
        "timezone": "Time zone", "address_line1": "Address", "address_line2": "Address (line 2)",
        "tax_id": "Tax / business number", "grid_start": "Calendar shows from",
        "grid_end": "Calendar shows until", "accepted_payers": "Insurers accepted",
        "out_of_network_message": "Message for other insurers",
    }
    description_columns = {
        "timezone": "IANA name, e.g. America/Toronto. Every time at this location is shown in it.",
        "invoice_prefix": "Invoices from this location are numbered with this prefix, e.g. TOR-",
        "grid_start": "Leave empty to follow the earliest shift of the day.",
        "country": "Two-letter code, e.g. CA or PT.",
        "accepted_payers": "The insurers and third parties this location bills; online booking offers only these "
                           "(none chosen: all of them).",
        "out_of_network_message": "Shown online under “Who pays”, e.g. “We don't bill other insurers directly: "
                                  "pay at the visit and claim with your receipt.”",
    }
    validators_columns = {
        "timezone": [DataRequired(), Rule(check_timezone)],
        "email": [Rule(check_email)],
        "phone": [FromFields(check_phone, Location.region_for, "country", "timezone")],
        "invoice_prefix": [DataRequired(), Length(max=12)],
        "country": [Optional(), Length(min=2, max=2)],
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "grid_start": TimeField("Calendar shows from", validators=[Optional()]),
        "grid_end": TimeField(
            "Calendar shows until", validators=[Optional(), EndsAfter("grid_start", "The calendar day")]
        ),
    }


class DisciplineView(PlinthModelView):
    datamodel = SQLAInterface(Discipline)
    class_permission_name = DISCIPLINES
    list_columns = add_columns = edit_columns = ["name", "colour"]
    validators_columns = {"colour": [Rule(check_colour)]}


def _locations():
    return db.session.scalars(select(Location).order_by(Location.name))


def _language_field() -> SelectField:
    """A team member's screen language; blank: their first location's (app/i18n/staff.py)."""
    choices = [SelectChoice("", _l("Their location's language")),
               *(SelectChoice(code, name) for code, name in LANGUAGES.items())]
    return SelectField(_l("Language"), choices=choices, filters=[lambda value: value or None],
                       validators=[Optional()], render_kw={"class": "form-control"},
                       description=_l("The language of Plinth's screens for them; they can also change it from "
                                      "the flag menu."))


class TeamMemberView(PlinthModelView):
    datamodel = SQLAInterface(TeamMember)
    class_permission_name = TEAM
    list_columns = ["display_name", "user.username", "is_provider", "locations", "disciplines", "active"]
    search_columns = ["display_name", "is_provider", "locations", "disciplines", "active"]
    show_columns = [
        "display_name", "user", "is_provider", "title", "registration_number", "phone", "language", "locations",
        "disciplines", "calendars", "notify_new_booking", "notify_rescheduled", "notify_canceled",
        "notify_no_show", "active",
    ]
    edit_columns = [
        "display_name", "is_provider", "title", "registration_number", "phone", "language", "locations",
        "disciplines", "notify_new_booking", "notify_rescheduled", "notify_canceled",
        "notify_no_show", "active",
    ]
    add_columns = ["display_name", "username", "email", "password", "role"] + edit_columns[1:] + [
        "extra_location"
    ]
    label_columns = {
        "user.username": "Login", "is_provider": "Provider", "registration_number": "Registration no.",
        "extra_location": "Also a calendar at",
        "notify_new_booking": "Notify me of new bookings",
        "notify_rescheduled": "Notify me of reschedules",
        "notify_canceled": "Notify me of cancellations",
        "notify_no_show": "Notify me of no-shows",
    }
    description_columns = {
        "is_provider": "Providers get their own calendar at their first location.",
        "extra_location": "Optional: a second provider calendar at another location.",
    }
    validators_columns = {
        "phone": [FromFields(check_phone, _first_location_region, "locations")],
        "locations": [],
    }
    formatters_columns = {"language": lambda code: LANGUAGES.get(code, "") if code else _l("Their location's language")}
    # Shown in the country it is read in: the first location they work at.
    row_formatters_columns = {"phone": lambda member: formatting.phone(member.phone,
                                                                       _first_location_region(member.locations))}
    edit_form_extra_fields = {"language": _language_field()}
    add_form_extra_fields = {
        "language": _language_field(),
        "username": StringField("Login name", validators=[DataRequired(), Length(min=3, max=64), Rule(team.check_new_username)], widget=BS3TextFieldWidget()),
        "email": StringField("Email", validators=[DataRequired(), Rule(check_email), Rule(team.check_new_email)], widget=BS3TextFieldWidget()),
        "password": PasswordField("Password", validators=[DataRequired(), Length(min=10)], widget=BS3PasswordFieldWidget()),
        "role": SelectField("Role", choices=list(STAFF_ROLES), default="Provider", widget=Select2Widget(),
                            validators=[team.only_admins_make_admins]),
        "extra_location": QuerySelectField(
            "Also a calendar at", query_func=_locations, get_pk_func=lambda location: location.id,
            allow_blank=True, widget=Select2Widget(),
        ),
    }

    # The add form has no `user` field: the service creates the login from the extra
    # fields and gives a provider their calendars; FAB's single commit then saves it all.
    def process_form(self, form, is_created: bool) -> None:
        g.plinth_form = form  # view instances are shared between requests; g is not

    def pre_add(self, item: TeamMember) -> None:
        form = g.plinth_form
        team.add_team_member(
            item, username=form.username.data, email=form.email.data, password=form.password.data,
            role_name=form.role.data, extra_location=form.extra_location.data,
        )

    def pre_update(self, item: TeamMember) -> None:
        team.provision_provider_calendars(item)

    # Saved, but a provider nobody can book is said so, with the way out (issue 14).
    def post_add(self, item: TeamMember) -> None:
        _warn_if_unbookable(item)

    def post_update(self, item: TeamMember) -> None:
        _warn_if_unbookable(item)


def _warn_if_unbookable(member: TeamMember) -> None:
    problem = team.missing_calendar(member)
    if problem is None:
        elsewhere = team.locations_without_calendar(member)
        if not elsewhere:
            return
        why = _("%(name)s has no calendar at %(locations)s, so they cannot be booked there. ",
                name=member.display_name, locations=", ".join(location.name for location in elsewhere))
    elif problem == "no location":
        why = _("%(name)s is a provider without a location, so they have no calendar and cannot be booked. "
                "Edit them and choose their location (a calendar is then made there), or ", name=member.display_name)
    else:
        why = _("%(name)s is a provider without an active calendar, so they cannot be booked. ", name=member.display_name)
    # The link ends the "..., or" sentence above; after the other two it starts a sentence of its own.
    text = _("make a calendar for them") if problem == "no location" else _("Make a calendar for them")
    link = Markup('<a href="{}" class="alert-link">{}</a>').format(url_for("CalendarView.add"), text)
    flash(Markup("<strong>{}</strong> {}{}.").format(_("Not bookable yet."), why, link), "warning")


class BillingItemView(PlinthModelView):
    datamodel = SQLAInterface(BillingItem)
    class_permission_name = BILLING_ITEMS
    list_columns = ["code", "name", "unit_price", "tax_rate", "is_product", "active"]
    search_columns = ["code", "name", "is_product", "active"]
    add_columns = edit_columns = list_columns
    label_columns = {"tax_rate": "Tax rate (%)", "is_product": "Product"}
    validators_columns = {
        "unit_price": [Rule(check_non_negative_money, "The unit price")],
        "tax_rate": [Rule(check_percent, "The tax rate")],
    }


class SessionTypeBillingItemView(PlinthModelView):
    datamodel = SQLAInterface(SessionTypeBillingItem)
    class_permission_name = SESSION_TYPES
    list_columns = ["session_type", "billing_item", "quantity"]
    add_columns = edit_columns = list_columns
    validators_columns = {"quantity": [Rule(check_positive_decimal, "The quantity")]}


def _billing_items():
    # Inactive ones too: a session type may still charge one it had (the edit form must validate).
    return db.session.scalars(select(BillingItem).order_by(BillingItem.active.desc(), BillingItem.name))


def _set_billing_items(session_type: SessionType, chosen: list[BillingItem]) -> None:
    wanted = {item.id for item in chosen}
    for line in list(session_type.billing_lines):
        if line.billing_item.id not in wanted:
            session_type.billing_lines.remove(line)
    have = {line.billing_item.id for line in session_type.billing_lines}
    for item in chosen:
        if item.id not in have:
            session_type.billing_lines.append(SessionTypeBillingItem(billing_item=item, quantity=1))


class SessionTypeView(PlinthModelView):
    datamodel = SQLAInterface(SessionType)
    class_permission_name = SESSION_TYPES
    related_views = [SessionTypeBillingItemView]
    list_columns = ["name", "category", "discipline", "duration_minutes", "price", "online_bookable", "active"]
    search_columns = ["name", "category", "discipline", "online_bookable", "active"]
    add_columns = edit_columns = [
        "name", "category", "description", "discipline", "duration_minutes", "price", "colour",
        "online_bookable", "for_new_clients", "for_returning_clients", "needs_room",
        "needs_equipment", "resources", "billing_items", "active",
    ]
    show_columns = [c for c in add_columns if c != "billing_items"] + ["billing_lines"]
    label_columns = {
        "duration_minutes": "Duration (minutes)", "price": "Default price",
        "for_new_clients": "New clients may book", "for_returning_clients": "Returning clients may book",
        "resources": "Suitable rooms / equipment", "billing_lines": "Charges on arrival",
    }
    description_columns = {
        "resources": "Leave empty for any room / equipment of the location.",
        "online_bookable": "Patients can book this on the public booking site.",
        "billing_items": "Fees and products charged when the client arrives (one of each; change a quantity "
                         "under Charges on arrival).",
    }
    # The charges on arrival chosen on this form, stored as today (SessionTypeBillingItem rows):
    # a new one with quantity 1, one left out removed, the others kept with their quantity.
    add_form_extra_fields = edit_form_extra_fields = {
        "billing_items": QuerySelectMultipleField(
            "Charges on arrival", query_func=_billing_items, get_pk_func=lambda item: item.id,
            get_label=lambda item: item.name if item.active else f"{item.name} (inactive)",
            widget=Select2ManyWidget(),
        ),
    }

    def prefill_form(self, form, pk) -> None:
        item = self.datamodel.get(pk, self._base_filters)
        if item is not None:
            form.billing_items.data = [line.billing_item for line in item.billing_lines]

    def process_form(self, form, is_created: bool) -> None:
        g.plinth_form = form

    def pre_add(self, item: SessionType) -> None:
        _set_billing_items(item, g.plinth_form.billing_items.data or [])

    def pre_update(self, item: SessionType) -> None:
        _set_billing_items(item, g.plinth_form.billing_items.data or [])
    validators_columns = {
        "duration_minutes": [Rule(check_positive_int, "The duration")],
        "price": [Rule(check_non_negative_money, "The price")],
        "colour": [Rule(check_colour)],
        "for_returning_clients": [
            AtLeastOneChecked("for_new_clients", "Either new or returning clients (or both) must be able to book it.")
        ],
    }


class PayerView(PlinthModelView):
    datamodel = SQLAInterface(Payer)
    class_permission_name = PAYERS
    list_columns = ["name", "kind", "contact_name", "phone", "email", "active"]
    search_columns = ["name", "kind", "active"]
    add_columns = edit_columns = ["name", "kind", "contact_name", "email", "phone", "address", "tax_id", "active"]
    validators_columns = {"email": [Rule(check_email)], "phone": [Rule(check_phone)]}
    formatters_columns = {"phone": formatting.phone}
