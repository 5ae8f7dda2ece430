"""The billing API: status changes with their charges and fees, charges, invoices and
their PDFs, credit notes, payments, balances and receivables.

Thin like the scheduling API: parse (marshmallow → 422), check permission and row scope
(404 for rows outside it), call one service in one unit of work, answer JSON. The grid's
appointment panel drives the whole "Arrive, Bill, Collect" flow through these endpoints.

One resource whose endpoints live by responsibility: billing_charges.py (a case's and a
client's billing, charges, packages), billing_invoices.py (invoices, PDF, trail, email,
credit notes), billing_payments.py (payments, receivables); the scoped getters they share
are billing_scope.py, the schemas and JSON billing_io.py, the rest app/api/edge.py.
"""
from __future__ import annotations

from flask_appbuilder.api import BaseApi

from app.api.billing_charges import ChargeEndpoints
from app.api.billing_invoices import InvoiceEndpoints
from app.api.billing_payments import PaymentEndpoints
from app.security import BILLING


class BillingApi(ChargeEndpoints, InvoiceEndpoints, PaymentEndpoints, BaseApi):
    resource_name = "billing"
    route_base = "/api/v1"
    class_permission_name = BILLING
    method_permission_name = {
        "case_billing": "read", "add_charges": "write", "change_charge": "write", "remove_charge": "write",
        "issue_invoice": "write", "get_invoice": "read", "invoice_pdf": "read", "credit": "write",
        "record_payment": "write", "apply_credit": "write", "void_payment": "write", "get_payment": "read",
        "client_billing": "read", "receivables": "read", "sell_package": "write", "invoice_trail": "read",
        "withdraw_package": "write",
        "email": "write",
    }
    allow_browser_login = True
    openapi_spec_tag = "Billing"


BILLING_APIS = (BillingApi,)
