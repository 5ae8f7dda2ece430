"""Client records: clients and their cases, scoped to what the user may see."""
from __future__ import annotations

from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.models.sqla.interface import SQLAInterface
from markupsafe import Markup

from app.i18n import formatting
from app.models import Case, Client, Location
from app.security import CASES, CLIENTS
from app.setup.validation import check_email, check_non_negative_int, check_non_negative_money, check_phone
from app.views.base import PlinthModelView
from app.views.billing import InvoiceView
from app.plausible_dates import check_birth_date
from app.timeutil import local_today
from app.views.forms import AtHome, NotBefore, Rule
from app.views import text_consent

# Client records are kept (their visits, charges and invoices point at them): no delete.
KEPT_RECORD_ROUTES = {"download", "delete", "muldelete"}


class CaseView(PlinthModelView):
    datamodel = SQLAInterface(Case)
    exclude_route_methods = KEPT_RECORD_ROUTES
    related_views = [InvoiceView]  # the case's invoices, each with its PDF
    class_permission_name = CASES
    base_order = ("opened_on", "desc")
    list_columns = ["client", "title", "discipline", "payer", "provider", "opened_on", "closed_on"]
    search_columns = ["client", "title", "discipline", "payer", "provider", "claim_number", "opened_on", "closed_on"]
    add_columns = edit_columns = [
        "client", "title", "discipline", "payer", "provider", "claim_number", "referral_source",
        "prescriber", "opened_on", "closed_on", "authorised_visits", "authorised_amount",
        "authorisation_expires_on", "notes",
    ]
    show_columns = add_columns
    label_columns = {
        "claim_number": "Claim / policy no.", "referral_source": "Referred by",
        "provider": "Treating provider", "authorised_visits": "Authorised visits",
        "authorised_amount": "Authorised amount", "authorisation_expires_on": "Authorisation expires",
    }
    validators_columns = {
        "closed_on": [NotBefore("opened_on", "A case cannot close before it opens.")],
        "authorised_visits": [Rule(lambda v: None if v in (None, "") else check_non_negative_int(v, "Authorised visits"))],
        "authorised_amount": [Rule(check_non_negative_money, "The authorised amount")],
    }
    # Rows, pickers and filters are scoped by the base view; the provider is a provider.
    add_form_query_rel_fields = edit_form_query_rel_fields = {"provider": [["is_provider", FilterEqual, True]]}


class ClientView(text_consent.TextConsentMixin, PlinthModelView):
    datamodel = SQLAInterface(Client)
    exclude_route_methods = KEPT_RECORD_ROUTES
    class_permission_name = CLIENTS
    base_order = ("last_name", "asc")
    related_views = [CaseView, InvoiceView]
    list_columns = ["last_name", "first_name", "date_of_birth", "phone", "email", "home_location", "online_booking_blocked",
                    "id"]
    search_columns = ["last_name", "first_name", "email", "phone", "date_of_birth", "home_location", "online_booking_blocked"]
    add_columns = edit_columns = [
        "first_name", "last_name", "preferred_name", "date_of_birth", "email", "phone",
        "address_line1", "address_line2", "city", "region", "postal_code", "country", "tax_id",
        "home_location", "alerts", "online_booking_blocked", *text_consent.COLUMNS,
    ]
    show_columns = add_columns[:-len(text_consent.COLUMNS)] + text_consent.SHOW_COLUMNS + ["created_at"]
    add_form_extra_fields = edit_form_extra_fields = text_consent.TextConsentMixin._text_form_fields(None)
    label_columns = {
        **text_consent.LABELS,
        "address_line1": "Address", "address_line2": "Address (line 2)", "tax_id": "Tax id",
        "online_booking_blocked": "Blocked from online booking", "home_location": "Usual location",
        "id": "File",
    }
    # The client file (app/views/client_file.py) is where staff go for a person.
    formatters_columns = {
        **text_consent.FORMATTERS,
        "id": lambda client_id: Markup('<a href="/clinical/clients/{0}">Client file</a>').format(client_id),
    }
    # A number reads nationally in the client's usual location's country, else the clinic's
    # (the client file's rule); the location comes with the page's rows (row_loads.PROPERTY_LOADS).
    row_formatters_columns = {"phone": lambda row: formatting.phone(row.phone, row.home_location)}
    description_columns = {
        "alerts": "Shown whenever the client is booked or opened (allergies, mobility, payment issues).",
        "phone": "Any format; saved as an international number, e.g. +14165550123.",
    }
    # A local number is read in the client's usual location's country, a date of birth
    # against today there (the rules the booking site and the REST API apply).
    validators_columns = {"email": [Rule(check_email)], "phone": [AtHome(check_phone, Location.phone_region_of)],
                          "date_of_birth": [AtHome(check_birth_date, local_today)]}
