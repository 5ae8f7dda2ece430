"""Billing endpoints for invoices: issuing, reading, the PDF, the audit trail, email and
credit notes (part of ``BillingApi``, app/api/billing.py)."""
from __future__ import annotations

from flask import Response, request
from flask_appbuilder.api import expose
from flask_appbuilder.security.decorators import protect
from sqlalchemy import select

from app.api.billing_io import CreditInput, EmailInput, InvoiceInput, billing_today, invoice_json
from app.api.billing_scope import case_to_bill, invoice_to_change, invoice_to_read, location_to_bill
from app.api.edge import acting_user, answers_domain_errors, json_body
from app.billing import balances, emailing, invoicing, pdf
from app.errors import NotFound, Problem
from app.extensions import db
from app.models import AuditEvent, Invoice, InvoiceKind, PaymentAllocation
from app.record_reads import log_read
from app.security import in_scope, location_scope
from app.uow import unit_of_work


class InvoiceEndpoints:
    """/cases/<id>/invoices and /invoices/<id>/…"""

    @expose("/cases/<int:case_id>/invoices", methods=["POST"])
    @protect()
    @answers_domain_errors
    def issue_invoice(self, case_id: int):
        """Invoice chosen uninvoiced charges of a case.
        ---
        post:
          summary: Issue an invoice (numbered per location, immutable)
          parameters: [{in: path, name: case_id, required: true, schema: {type: integer}}]
          responses: {201: {description: The invoice}, 409: {description: Refused}}
        """
        data = json_body(InvoiceInput())
        with unit_of_work():
            case = case_to_bill(case_id)
            location = location_to_bill(data["location_id"]) if data["location_id"] else None
            invoice = invoicing.issue(case=case, charge_ids=data["charge_ids"], actor=acting_user(),
                                      today=None, location=location, bill_client=data["bill_client"])
            if not in_scope(location_scope(acting_user()), invoice.location_id):
                raise NotFound("These charges belong to a location you do not bill for.",
                               [Problem("Another location's charges.", field="charge_ids")])
            body = invoice_json(invoice)
        return self.response(201, **body)

    @expose("/invoices/<int:invoice_id>", methods=["GET"])
    @protect()
    @answers_domain_errors
    def get_invoice(self, invoice_id: int):
        """One invoice or credit note.
        ---
        get:
          summary: One invoice with its lines and balance
          parameters: [{in: path, name: invoice_id, required: true, schema: {type: integer}}]
          responses: {200: {description: The invoice}}
        """
        invoice = invoice_to_read(invoice_id)
        log_read(invoice)
        return self.response(200, **invoice_json(invoice))

    @expose("/invoices/<int:invoice_id>/pdf", methods=["GET"])
    @protect()
    @answers_domain_errors
    def invoice_pdf(self, invoice_id: int):
        """The invoice as PDF.
        ---
        get:
          summary: The printable PDF
          parameters: [{in: path, name: invoice_id, required: true, schema: {type: integer}}]
          responses: {200: {description: application/pdf}}
        """
        invoice = invoice_to_read(invoice_id)
        log_read(invoice, subject="invoice_pdf")
        settled = balances.settlement(invoice) if invoice.kind == InvoiceKind.invoice else None
        data = pdf.invoice_pdf(invoice, settled=settled)
        disposition = "attachment" if request.args.get("download") else "inline"
        return Response(data, mimetype="application/pdf",
                        headers={"Content-Disposition": f'{disposition}; filename="{pdf.filename(invoice)}"'})

    @expose("/invoices/<int:invoice_id>/audit", methods=["GET"])
    @protect()
    @answers_domain_errors
    def invoice_trail(self, invoice_id: int):
        """The invoice's audit trail (issue, credit notes, payments allocated).
        ---
        get:
          summary: Audit trail of an invoice
          parameters: [{in: path, name: invoice_id, required: true, schema: {type: integer}}]
          responses: {200: {description: Events}}
        """
        invoice = invoice_to_read(invoice_id)
        notes = db.session.scalars(select(Invoice.id).where(Invoice.credits_invoice_id == invoice.id)).all()
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.entity_type == "Invoice", AuditEvent.entity_id.in_([invoice.id, *notes]))
            .order_by(AuditEvent.at, AuditEvent.id)).all()
        allocation_ids = select(PaymentAllocation.id).where(PaymentAllocation.invoice_id == invoice.id)
        mine = db.session.scalars(select(AuditEvent).where(
            AuditEvent.entity_type == "PaymentAllocation", AuditEvent.entity_id.in_(allocation_ids))).all()
        rows = sorted([*events, *mine], key=lambda e: (e.at, e.id))
        return self.response(200, events=[{"at": e.at.isoformat(), "action": e.action, "entity": e.entity_type,
                                           "actor_id": e.actor_id, "after": e.after} for e in rows])

    @expose("/invoices/<int:invoice_id>/email", methods=["POST"])
    @protect()
    @answers_domain_errors
    def email(self, invoice_id: int):
        """Email the invoice (PDF attached) to the insurer it bills, the client, or ``to``.
        ---
        post:
          summary: Queue the invoice email in the outbox
          parameters: [{in: path, name: invoice_id, required: true, schema: {type: integer}}]
          responses: {202: {description: Queued}, 422: {description: No address}}
        """
        data = json_body(EmailInput())
        with unit_of_work():
            message = emailing.email_invoice(invoice=invoice_to_change(invoice_id), actor=acting_user(),
                                             to=data["to"])
            body = {"message_id": message.id if message else None, "to": message.to_address if message else None}
        return self.response(202, **body)

    @expose("/invoices/<int:invoice_id>/credit_note", methods=["POST"])
    @protect()
    @answers_domain_errors
    def credit(self, invoice_id: int):
        """Issue a credit note for some or all lines.
        ---
        post:
          summary: Credit note referencing the invoice; credited charges return to the case
          parameters: [{in: path, name: invoice_id, required: true, schema: {type: integer}}]
          responses: {201: {description: The credit note}, 409: {description: Already credited}}
        """
        data = json_body(CreditInput())
        with unit_of_work():
            invoice = invoice_to_change(invoice_id)
            note = invoicing.credit_note(invoice=invoice, actor=acting_user(), reason=data["reason"],
                                         today=billing_today(invoice.location), line_ids=data["line_ids"])
            body = invoice_json(note)
        return self.response(201, **body)
