"""What the billing API reads and answers: input schemas and JSON shapes, shared by the
lifecycle endpoints (app/api/lifecycle.py) and the billing endpoints (app/api/billing.py)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from marshmallow import Schema, fields, validate

from app import security
from app.api.edge import acting_user
from app.api.scheduling_io import FeeInput
from app.billing import charges as billing_charges
from app.billing import invoicing, payments
from app.billing.pricing import line_amounts
from app.models import (
    AppointmentStatus,
    Charge,
    Invoice,
    Location,
    Payment,
    PaymentMethod,
)
from app.timeutil import local_today


# --- input -------------------------------------------------------------------------------------
class ChargeData(Schema):
    billing_item_id = fields.Int(load_default=None, allow_none=True)
    description = fields.Str(load_default=None, validate=validate.Length(max=Charge.__table__.c.description.type.length))
    quantity = fields.Decimal(load_default=None)
    unit_price = fields.Decimal(load_default=None)
    tax_rate = fields.Decimal(load_default=None)
    provider_id = fields.Int(load_default=None, allow_none=True)
    client_package_id = fields.Int(load_default=None, allow_none=True)


class StatusInput(Schema):
    status = fields.Str(required=True, validate=validate.OneOf([s.value for s in AppointmentStatus]))
    version = fields.Int(load_default=None)
    note = fields.Str(load_default=None, validate=validate.Length(max=500))
    charges = fields.List(fields.Nested(ChargeData), load_default=None)
    fee = fields.Nested(FeeInput, load_default=None)
    void_charges = fields.Bool(load_default=False)


class AddChargesInput(Schema):
    appointment_id = fields.Int(load_default=None)
    charges = fields.List(fields.Nested(ChargeData), required=True, validate=validate.Length(min=1, max=50))


class InvoiceInput(Schema):
    charge_ids = fields.List(fields.Int(), required=True)
    bill_client = fields.Bool(load_default=False)
    location_id = fields.Int(load_default=None)


class CreditInput(Schema):
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=500))
    line_ids = fields.List(fields.Int(), load_default=None)


class AllocationInput(Schema):
    invoice_id = fields.Int(required=True)
    amount = fields.Decimal(load_default=None, places=2)


class PaymentInput(Schema):
    client_id = fields.Int(load_default=None)
    payer_id = fields.Int(load_default=None)
    location_id = fields.Int(required=True)
    method = fields.Str(required=True, validate=validate.OneOf([m.value for m in PaymentMethod]))
    amount = fields.Str(required=True)
    reference = fields.Str(load_default=None, validate=validate.Length(max=Payment.__table__.c.reference.type.length))
    received_on = fields.Date(load_default=None)
    allocations = fields.List(fields.Nested(AllocationInput), load_default=None)


class EmailInput(Schema):
    to = fields.Str(load_default=None, validate=validate.Length(max=254))


class ApplyInput(Schema):
    invoice_id = fields.Int(required=True)
    amount = fields.Decimal(load_default=None, places=2)


class VoidInput(Schema):
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=500))


class PackageInput(Schema):
    package_type_id = fields.Int(required=True)
    provider_id = fields.Int(load_default=None)


# --- output ------------------------------------------------------------------------------------
def charge_json(charge: Charge) -> dict:
    amounts = line_amounts(charge.quantity, charge.unit_price, charge.tax_rate)
    return {"id": charge.id, "case_id": charge.case_id, "appointment_id": charge.appointment_id,
            "billing_item_id": charge.billing_item_id, "kind": charge.kind.value, "description": charge.description,
            "quantity": str(charge.quantity), "unit_price": str(charge.unit_price), "tax_rate": str(charge.tax_rate),
            "total": str(amounts.total), "provider_id": charge.provider_id,
            "provider": charge.provider.display_name if charge.provider else None,
            "invoice_id": charge.invoice_id, "invoice_number": charge.invoice.number if charge.invoice else None,
            "is_default": charge.is_default, "client_package_id": charge.client_package_id}


def invoice_json(invoice: Invoice, balance: Decimal | None = None) -> dict:
    balance = invoicing.invoice_balance(invoice) if balance is None else balance
    return {"id": invoice.id, "number": invoice.number, "kind": invoice.kind.value, "issued_on": invoice.issued_on.isoformat(),
            "case_id": invoice.case_id, "client_id": invoice.client_id, "bill_to": invoice.snapshot["bill_to"]["name"],
            "subtotal": str(invoice.subtotal), "tax_total": str(invoice.tax_total), "total": str(invoice.total),
            "balance": str(balance), "currency": invoice.currency,
            "credits_invoice_id": invoice.credits_invoice_id, "pdf_url": f"/api/v1/invoices/{invoice.id}/pdf",
            "lines": [{"id": line.id, "description": line.description, "quantity": str(line.quantity),
                       "unit_price": str(line.unit_price), "tax_rate": str(line.tax_rate), "total": str(line.total),
                       "charge_id": line.charge_id} for line in invoice.lines]}


def payment_json(payment: Payment) -> dict:
    return {"id": payment.id, "client_id": payment.client_id, "payer_id": payment.payer_id,
            "method": payment.method.value, "amount": str(payment.amount), "reference": payment.reference,
            "received_on": payment.received_on.isoformat(), "unallocated": str(payments.unallocated(payment)),
            "void": payment.is_void, "void_reason": payment.void_reason,
            "allocations": [{"invoice_id": a.invoice_id, "invoice_number": a.invoice.number, "amount": str(a.amount)}
                            for a in payment.allocations]}


def billing_today(location: Location | None) -> date:
    """Today at the place billed: an invoice's, a payment's or the client's home location."""
    return local_today(location)


def text_or_none(value) -> str | None:
    return None if value is None else str(value)


def parsed_charges(items: list[dict] | None) -> list | None:
    if items is None:
        return None
    return [billing_charges.parse_input({k: v for k, v in item.items() if v is not None}, index=i)
            for i, item in enumerate(items)]


def may(action: str, resource: str) -> bool:
    """Whether the acting user holds ``action`` on ``resource``."""
    return security.may(acting_user(), action, resource)


