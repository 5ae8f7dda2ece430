"""Billing endpoints for payments (recording, applying credit, voiding) and receivables
(part of ``BillingApi``, app/api/billing.py)."""
from __future__ import annotations

from flask_appbuilder.api import expose
from flask_appbuilder.security.decorators import protect

from app.api.billing_io import ApplyInput, PaymentInput, VoidInput, billing_today, payment_json
from app.api.billing_scope import invoice_to_change, location_to_bill, payment_to_handle, paying_client
from app.api.edge import acting_user, answers_domain_errors, get_or_404, json_body
from app.billing import balances, payments
from app.models import Payer
from app.security import invoice_scope
from app.uow import unit_of_work


class PaymentEndpoints:
    """/payments, /payments/<id>/… and /receivables."""

    @expose("/payments", methods=["POST"])
    @protect()
    @answers_domain_errors
    def record_payment(self):
        """Record a payment and allocate it.
        ---
        post:
          summary: Cash, card, bank transfer or insurer payment; what is not allocated is credit
          responses: {201: {description: The payment}, 409: {description: More than owed}, 422: {description: Invalid}}
        """
        data = json_body(PaymentInput())
        with unit_of_work():
            client = payer = None
            if data["client_id"] is not None:
                client = paying_client(data["client_id"])
            if data["payer_id"] is not None:
                payer = get_or_404(Payer, data["payer_id"], "payer")
            location = location_to_bill(data["location_id"])
            allocations = None
            if data["allocations"] is not None:
                allocations = [(invoice_to_change(a["invoice_id"]), a["amount"]) for a in data["allocations"]]
            payment = payments.record(location=location, method=data["method"], amount=data["amount"],
                                      received_on=data["received_on"] or billing_today(location), actor=acting_user(),
                                      client=client, payer=payer, reference=data["reference"], allocations=allocations,
                                      invoice_scope=invoice_scope(acting_user(), writable=True))
            body = payment_json(payment)
        return self.response(201, **body)

    @expose("/payments/<int:payment_id>", methods=["GET"])
    @protect()
    @answers_domain_errors
    def get_payment(self, payment_id: int):
        """One payment with its allocations.
        ---
        get:
          summary: One payment
          parameters: [{in: path, name: payment_id, required: true, schema: {type: integer}}]
          responses: {200: {description: The payment}}
        """
        return self.response(200, **payment_json(payment_to_handle(payment_id)))

    @expose("/payments/<int:payment_id>/apply", methods=["POST"])
    @protect()
    @answers_domain_errors
    def apply_credit(self, payment_id: int):
        """Apply a payment's credit to an invoice.
        ---
        post:
          summary: Apply credit
          parameters: [{in: path, name: payment_id, required: true, schema: {type: integer}}]
          responses: {200: {description: The payment}}
        """
        data = json_body(ApplyInput())
        with unit_of_work():
            payment = payment_to_handle(payment_id)
            payments.apply_credit(payment=payment, invoice=invoice_to_change(data["invoice_id"]), amount=data["amount"],
                                  actor=acting_user())
            body = payment_json(payment)
        return self.response(200, **body)

    @expose("/payments/<int:payment_id>/void", methods=["POST"])
    @protect()
    @answers_domain_errors
    def void_payment(self, payment_id: int):
        """Void a payment (reopens what it settled).
        ---
        post:
          summary: Void with a reason
          parameters: [{in: path, name: payment_id, required: true, schema: {type: integer}}]
          responses: {200: {description: The payment}}
        """
        data = json_body(VoidInput())
        with unit_of_work():
            payment = payments.void(payment=payment_to_handle(payment_id), reason=data["reason"], actor=acting_user())
            body = payment_json(payment)
        return self.response(200, **body)

    @expose("/receivables", methods=["GET"])
    @protect()
    @answers_domain_errors
    def receivables(self):
        """Accounts receivable by age.
        ---
        get:
          summary: Open invoices grouped by whom they bill, in age buckets
          responses: {200: {description: Debtors}}
        """
        aged = balances.receivables(invoice_scope=invoice_scope(acting_user()))  # each at its location's today
        return self.response(200, debtors=[{"bill_to": d.bill_to, "kind": d.kind, "total": str(d.total),
                                            "buckets": {k: str(v) for k, v in d.buckets.items()},
                                            "invoices": d.invoices} for d in aged])
