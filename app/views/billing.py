"""Billing screens: invoices (read-only documents with their PDF), payments, receivables
by age, and the billing setup (fee policies, packages, clinic settings).

Writes that carry business rules (issuing, crediting, paying, voiding) go through the
billing API from the calendar's appointment panel; these screens read, print and set up.
"""
from __future__ import annotations

from decimal import Decimal

from flask import redirect, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.models.sqla.interface import SQLAInterface
from markupsafe import Markup
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from app.billing import balances
from app.i18n import formatting
from app.models import (
    Charge,
    ClientPackage,
    ClinicSettings,
    FeeMode,
    FeePolicy,
    Invoice,
    InvoiceLine,
    PackageType,
    Payment,
    read_clinic_settings,
)
from app.security import (
    BILLING,
    BILLING_SETUP,
    READ_WRITE_METHODS,
    current_user,
    invoice_scope,
)
from app.setup.validation import (
    check_colour,
    check_email,
    check_non_negative_int,
    check_non_negative_money,
    check_phone,
    check_slot_step,
)
from app.timeutil import local_today
from app.views.base import PlinthModelView, ReadOnlyModelView, SettingsRowInterface
from app.views.forms import Rule
from app.views.one_location import AtTheOnlyLocation


def _money(value) -> str:
    return "" if value is None else formatting.amount(value)


def _pdf_link(invoice_id) -> Markup:
    return Markup('<a href="/api/v1/invoices/{0}/pdf" target="_blank" rel="noopener">PDF</a>').format(invoice_id)


class InvoiceLineView(ReadOnlyModelView):
    datamodel = SQLAInterface(InvoiceLine)
    class_permission_name = BILLING
    base_order = ("position", "asc")
    list_columns = ["service_date", "code", "description", "provider", "quantity", "unit_price", "tax_rate", "total"]
    formatters_columns = {"unit_price": _money, "total": _money}


class InvoiceView(ReadOnlyModelView):
    datamodel = SQLAInterface(Invoice)
    class_permission_name = BILLING
    base_order = ("id", "desc")
    # Read through ix_invoice_location_id_id when the reader works at one location (one_location.py).
    base_filters = [["location_id", AtTheOnlyLocation, None]]
    related_views = [InvoiceLineView]
    list_columns = ["number", "kind", "issued_on", "client", "payer", "total", "open_balance", "id"]
    search_columns = ["number", "kind", "issued_on", "client", "payer", "location"]
    show_columns = ["number", "kind", "issued_on", "location", "client", "case", "payer", "credits_invoice",
                    "subtotal", "tax_total", "total", "open_balance", "currency", "reason", "issued_by", "issued_at",
                    "id"]
    # No add/edit routes; FAB still builds the forms, which cannot hold a computed column.
    add_columns = edit_columns = ["number"]
    label_columns = {"open_balance": "Balance", "payer": "Billed to insurer", "id": "Document",
                     "credits_invoice": "Credits invoice", "tax_total": "Tax"}
    formatters_columns = {"total": _money, "subtotal": _money, "tax_total": _money, "open_balance": _money,
                          "id": _pdf_link}


class ChargeView(ReadOnlyModelView):
    datamodel = SQLAInterface(Charge)
    class_permission_name = BILLING
    base_filters = [["voided_at", FilterEqual, None]]
    base_order = ("created_at", "desc")
    list_columns = ["created_at", "case", "description", "kind", "quantity", "unit_price", "tax_rate", "provider",
                    "invoice"]
    # Not "invoice": its search field would list every invoice ever issued (a whole-history read).
    search_columns = ["case", "kind", "provider", "created_at"]
    label_columns = {"invoice": "Invoiced on", "provider": "Billing provider"}
    formatters_columns = {"unit_price": _money}


class PaymentView(ReadOnlyModelView):
    datamodel = SQLAInterface(Payment)
    class_permission_name = BILLING
    base_order = ("received_on", "desc")
    # Read through ix_payment_location_received_on_id when the reader works at one location (one_location.py).
    base_filters = [["location_id", AtTheOnlyLocation, None]]
    list_columns = ["received_on", "client", "payer", "method", "amount", "reference", "voided_at"]
    search_columns = ["received_on", "client", "payer", "method", "reference"]
    show_columns = ["received_on", "client", "payer", "location", "method", "amount", "reference", "created_at",
                    "voided_at", "void_reason", "allocations"]
    label_columns = {"voided_at": "Voided", "payer": "From insurer"}
    formatters_columns = {"amount": _money}


class ReceivablesView(BaseView):
    """Accounts receivable: open invoices by whom they bill, in age buckets."""

    route_base = "/billing/receivables"
    class_permission_name = BILLING
    method_permission_name = {"index": "read"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        # Each invoice ages on its location's calendar; the heading names the latest today.
        today = max(balances.location_todays().values(), default=local_today(None))
        aged = balances.receivables(invoice_scope=invoice_scope(current_user()))
        labels = [label for *_, label in balances.AGE_BUCKETS]
        totals = {label: sum((d.buckets[label] for d in aged), Decimal("0")) for label in labels}
        return self.render_template("billing/receivables.html", debtors=aged, labels=labels, totals=totals,
                                    grand=sum(totals.values(), Decimal("0")), today=today, money=_money)


def _fee_mode_field(label: str) -> SelectField:
    """FAB's enum select has no blank choice; "no fee" is a real answer here."""
    choices = [SelectChoice("", "No fee"), SelectChoice("fixed", "Fixed amount"),
               SelectChoice("percent", "Percent of the session price")]
    return SelectField(label, choices=choices,
                       coerce=lambda value: FeeMode(value) if value else None, validators=[Optional()])


class FeePolicyView(PlinthModelView):
    datamodel = SQLAInterface(FeePolicy)
    class_permission_name = BILLING_SETUP
    list_columns = ["location", "session_type", "no_show_mode", "no_show_amount", "late_cancel_mode",
                    "late_cancel_amount", "late_cancel_hours"]
    add_columns = edit_columns = show_columns = list_columns
    label_columns = {"session_type": "Session type (empty: every session)", "no_show_mode": "No-show fee is",
                     "no_show_amount": "No-show amount / %", "late_cancel_mode": "Late-cancel fee is",
                     "late_cancel_amount": "Late-cancel amount / %", "late_cancel_hours": "Late if canceled within (hours)"}
    add_form_extra_fields = edit_form_extra_fields = {
        "no_show_mode": _fee_mode_field("No-show fee is"), "late_cancel_mode": _fee_mode_field("Late-cancel fee is")}
    validators_columns = {
        "no_show_amount": [Rule(check_non_negative_money, "The no-show amount")],
        "late_cancel_amount": [Rule(check_non_negative_money, "The late-cancel amount")],
        "late_cancel_hours": [Rule(lambda v: check_non_negative_int(v, "Hours"))],
    }
    description_columns = {
        "no_show_mode": "fixed: the amount; percent: that percentage of the session's price. Empty: no fee.",
        "late_cancel_hours": "A cancel this close to the start is late and offers the late-cancel fee.",
    }


class PackageTypeView(PlinthModelView):
    datamodel = SQLAInterface(PackageType)
    class_permission_name = BILLING_SETUP
    list_columns = ["name", "sessions", "price", "tax_rate", "valid_days", "active"]
    add_columns = edit_columns = show_columns = ["name", "sessions", "price", "tax_rate", "valid_days",
                                                 "session_types", "active"]
    label_columns = {"sessions": "Visits", "valid_days": "Valid for (days)", "session_types": "Covers"}
    description_columns = {"valid_days": "Empty: never expires.",
                           "session_types": "Visits of these session types are drawn from the package."}


class ClientPackageView(ReadOnlyModelView):
    datamodel = SQLAInterface(ClientPackage)
    class_permission_name = BILLING
    list_columns = ["client", "package_type", "sessions_total", "purchased_on", "expires_on"]
    label_columns = {"sessions_total": "Visits"}


class ClinicSettingsView(PlinthModelView):
    """The clinic's single settings row (no add, no delete)."""

    datamodel = SettingsRowInterface(ClinicSettings, unsaved_row=read_clinic_settings)
    class_permission_name = BILLING_SETUP
    include_route_methods = {"list", "show", "edit", "settings"}
    default_view = "settings"
    list_columns = ["clinic_name", "currency", "notify_by_default", "no_show_block_after"]
    edit_columns = show_columns = ["clinic_name", "legal_name", "logo", "brand_colour", "phone", "email", "website",
                                   "currency", "notify_by_default", "no_show_block_after", "slot_step_minutes",
                                   "travel_minutes"]
    label_columns = {"notify_by_default": "“Send notification” ticked when booking",
                     "no_show_block_after": "Block online booking after this many no-shows",
                     "logo": "Logo (path under static/ or data: URI)",
                     "slot_step_minutes": "Calendar time step (minutes)",
                     "travel_minutes": "Travel time between locations (minutes)"}
    description_columns = {"no_show_block_after": "Empty: never block. A manager can lift a block on the client.",
                           "currency": "ISO code, e.g. CAD, EUR.",
                           "slot_step_minutes": "The grid's rows, the times offered online and the alternatives for "
                                                "a repeat. Empty: the installation's PLINTH_SLOT_STEP_MINUTES.",
                           "travel_minutes": "A team member who works at several locations is one person: "
                                             "after (and before) an appointment at one location they are kept "
                                             "free this long at the others. 0 to 240."}
    validators_columns = {"email": [Rule(check_email)], "phone": [Rule(check_phone)],
                          "brand_colour": [Rule(check_colour)], "slot_step_minutes": [Optional(), Rule(check_slot_step)],
                          "travel_minutes": [Optional(), NumberRange(min=0, max=240)]}

    @expose("/settings/")
    @has_access
    def settings(self):
        return redirect(url_for(f"{self.endpoint}.edit", pk=1))  # the defaults until the first save


ClinicSettingsView.method_permission_name = {**READ_WRITE_METHODS, "settings": "write"}

BILLING_MENU = [
    (InvoiceView, "Invoices", "Billing", "fa-file-invoice-dollar"),
    (PaymentView, "Payments", "Billing", "fa-money-bill"),
    (ChargeView, "Charges", "Billing", "fa-receipt"),
    (ReceivablesView, "Receivables", "Billing", "fa-hourglass-half"),
    (ClientPackageView, "Client packages", "Billing", "fa-box-open"),
    (FeePolicyView, "Fee policies", "Billing", "fa-gavel"),
    (PackageTypeView, "Package types", "Billing", "fa-boxes"),
    (ClinicSettingsView, "Clinic settings", "Setup", "fa-sliders-h"),
]
