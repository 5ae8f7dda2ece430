"""The billing API: status changes with their charges and fees, charges, invoices and
their PDFs, credit notes, payments, balances and receivables.

Thin like the scheduling API: parse (marshmallow → 422), check permission and row scope
(404 for rows outside it), call one service in one unit of work, answer JSON. The grid's
appointment panel drives the whole "Arrive, Bill, Collect" flow through these endpoints.
"""
from __future__ import annotations

from flask import Response, request
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import protect
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.api.billing_io import (
    AddChargesInput,
    ApplyInput,
    CreditInput,
    EmailInput,
    InvoiceInput,
    PackageInput,
    PaymentInput,
    VoidInput,
    billing_today,
    charge_json,
    invoice_json,
    parsed_charges,
    payment_json,
)
from app.api.edge import (
    ScopedGetter,
    acting_user,
    answers_domain_errors,
    get_or_404,
    json_body,
    json_object,
    visible_appointment,
)
from app.billing import balances, emailing, invoicing, packages, payments, pdf
from app.billing import charges as billing_charges
from app.errors import NotFound, Problem, ValidationFailed
from app.record_reads import log_read
from app.extensions import db
from app.models import (
    AuditEvent,
    Case,
    Charge,
    Client,
    ClientPackage,
    Invoice,
    InvoiceKind,
    Location,
    PackageType,
    Payer,
    Payment,
    PaymentAllocation,
    TeamMember,
)
from app.security import (
    BILLING,
    case_scope,
    client_scope,
    in_scope,
    invoice_scope,
    location_scope,
    payment_scope,
)
from app.uow import unit_of_work


# --- scope ------------------------------------------------------------------------------------
case_to_bill = ScopedGetter(Case, lambda user: case_scope(user, writable=True), "case")
invoice_to_read = ScopedGetter(Invoice, invoice_scope, "invoice")
invoice_to_change = ScopedGetter(Invoice, lambda user: invoice_scope(user, writable=True), "invoice")
payment_to_handle = ScopedGetter(Payment, payment_scope, "payment", names_field=False)
location_to_bill = ScopedGetter(Location, location_scope, "location", where=" you work at")
"""A location whose money the user handles (their own desk's, or any for managers)."""
charge_to_change = ScopedGetter(Charge, lambda user: case_scope(user, writable=True), "charge", names_field=False,
                                scoped_by=lambda charge: charge.case_id,
                                usable=lambda charge: charge.voided_at is None)
client_to_read = ScopedGetter(Client, client_scope, "client", names_field=False)
paying_client = ScopedGetter(Client, client_scope, "client")
package_to_change = ScopedGetter(ClientPackage, lambda user: client_scope(user, writable=True), "package",
                                 names_field=False, scoped_by=lambda package: package.client_id)


class BillingApi(BaseApi):
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

    @expose("/cases/<int:case_id>/billing", methods=["GET"])
    @protect()
    @answers_domain_errors
    def case_billing(self, case_id: int):
        """A case's uninvoiced charges, invoices, balance, authorisation.
        ---
        get:
          summary: The case's billing
          parameters: [{in: path, name: case_id, required: true, schema: {type: integer}}]
          responses: {200: {description: Billing of the case}}
        """
        case = case_to_bill(case_id)
        invoices = db.session.scalars(select(Invoice).where(Invoice.case_id == case.id)
                                      .options(selectinload(Invoice.lines)).order_by(Invoice.id)).all()
        open_balances = balances.of_invoices([i.id for i in invoices])
        auth = packages.authorisation_status(case, today=billing_today())
        return self.response(200, case_id=case.id, uninvoiced=[charge_json(c) for c in invoicing.uninvoiced(case)],
                             invoices=[invoice_json(i, open_balances[i.id]) for i in invoices],
                             balance=balances.of_case(case.id).as_dict(),
                             authorisation=auth.as_dict() if auth else None)

    @expose("/clients/<int:client_id>/billing", methods=["GET"])
    @protect()
    @answers_domain_errors
    def client_billing(self, client_id: int):
        """A client's invoices, payments and balance.
        ---
        get:
          summary: The client's billing
          parameters: [{in: path, name: client_id, required: true, schema: {type: integer}}]
          responses: {200: {description: Billing of the client}}
        """
        client = client_to_read(client_id)
        invoices = db.session.scalars(select(Invoice).where(Invoice.client_id == client.id)
                                      .options(selectinload(Invoice.lines)).order_by(Invoice.id)).all()
        open_balances = balances.of_invoices([i.id for i in invoices])
        paid = db.session.scalars(select(Payment).where(Payment.client_id == client.id)
                                  .options(selectinload(Payment.allocations).selectinload(PaymentAllocation.invoice))
                                  .order_by(Payment.id)).all()
        return self.response(200, client_id=client.id, balance=balances.of_client(client.id).as_dict(),
                             invoices=[invoice_json(i, open_balances[i.id]) for i in invoices],
                             payments=[payment_json(p) for p in paid],
                             packages=[p.as_dict() for p in packages.client_packages(client.id, today=billing_today())])

    @expose("/cases/<int:case_id>/charges", methods=["POST"])
    @protect()
    @answers_domain_errors
    def add_charges(self, case_id: int):
        """Add charges (services or products) to a case, optionally for one visit.
        ---
        post:
          summary: Add charges
          parameters: [{in: path, name: case_id, required: true, schema: {type: integer}}]
          responses: {201: {description: The charges}, 422: {description: Invalid}}
        """
        data = json_body(AddChargesInput())
        with unit_of_work():
            case = case_to_bill(case_id)
            appointment = None
            if data["appointment_id"] is not None:
                appointment = visible_appointment(data["appointment_id"])
                if appointment.case_id != case.id:
                    raise ValidationFailed("That visit belongs to another case.", [Problem("Wrong case.", field="appointment_id")])
            added = billing_charges.add(case=case, inputs=parsed_charges(data["charges"]), actor=acting_user(),
                                        appointment=appointment)
            body = {"charges": [charge_json(c) for c in added]}
        return self.response(201, **body)

    @expose("/charges/<int:charge_id>", methods=["PATCH"])
    @protect()
    @answers_domain_errors
    def change_charge(self, charge_id: int):
        """Change an uninvoiced charge.
        ---
        patch:
          summary: Quantity, price, description, tax rate or billing provider of an uninvoiced charge
          parameters: [{in: path, name: charge_id, required: true, schema: {type: integer}}]
          responses: {200: {description: The charge}, 409: {description: Invoiced}}
        """
        changes = json_object()
        with unit_of_work():
            charge = billing_charges.update(charge=charge_to_change(charge_id), changes=changes, actor=acting_user())
            body = charge_json(charge)
        return self.response(200, **body)

    @expose("/charges/<int:charge_id>", methods=["DELETE"])
    @protect()
    @answers_domain_errors
    def remove_charge(self, charge_id: int):
        """Remove an uninvoiced charge.
        ---
        delete:
          summary: Remove an uninvoiced charge
          parameters: [{in: path, name: charge_id, required: true, schema: {type: integer}}]
          responses: {200: {description: Removed}, 409: {description: Invoiced}}
        """
        with unit_of_work():
            billing_charges.remove(charge=charge_to_change(charge_id), actor=acting_user())
        return self.response(200, message="Removed.")

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
        aged = balances.receivables(as_of=billing_today(), invoice_scope=invoice_scope(acting_user()))
        return self.response(200, debtors=[{"bill_to": d.bill_to, "kind": d.kind, "total": str(d.total),
                                            "buckets": {k: str(v) for k, v in d.buckets.items()},
                                            "invoices": d.invoices} for d in aged])

    @expose("/cases/<int:case_id>/packages", methods=["POST"])
    @protect()
    @answers_domain_errors
    def sell_package(self, case_id: int):
        """Sell a prepaid package (its price lands as a charge on the case).
        ---
        post:
          summary: Sell a package
          parameters: [{in: path, name: case_id, required: true, schema: {type: integer}}]
          responses: {201: {description: The package}}
        """
        data = json_body(PackageInput())
        with unit_of_work():
            case = case_to_bill(case_id)
            kind = get_or_404(PackageType, data["package_type_id"], "package_type")
            provider = get_or_404(TeamMember, data["provider_id"], "provider") if data["provider_id"] else None
            package = packages.sell(case=case, package_type=kind, actor=acting_user(),
                                    provider_id=provider.id if provider else None,
                                    today=billing_today(case.client.home_location))
            body = {"id": package.id, **packages.package_status(package, today=billing_today()).as_dict()}
        return self.response(201, **body)


    @expose("/packages/<int:package_id>", methods=["DELETE"])
    @protect()
    @answers_domain_errors
    def withdraw_package(self, package_id: int):
        """Withdraw a package sold by mistake (unused, its sale not invoiced).
        ---
        delete:
          summary: Withdraw an unused package; its sale charge is voided
          parameters: [{in: path, name: package_id, required: true, schema: {type: integer}}]
          responses: {200: {description: Withdrawn}, 409: {description: Used or invoiced}}
        """
        with unit_of_work():
            package = package_to_change(package_id)
            packages.withdraw(package=package, actor=acting_user())
        return self.response(200, message="Withdrawn.")



BILLING_APIS = (BillingApi,)
