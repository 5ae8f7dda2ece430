"""Billing endpoints for a case's and a client's billing, charges and prepaid packages
(part of ``BillingApi``, app/api/billing.py)."""
from __future__ import annotations

from flask_appbuilder.api import expose
from flask_appbuilder.security.decorators import protect
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.api.billing_io import (
    AddChargesInput,
    PackageInput,
    billing_today,
    charge_json,
    invoice_json,
    parsed_charges,
    payment_json,
)
from app.api.billing_scope import case_to_bill, charge_to_change, client_to_read, package_to_change
from app.api.edge import acting_user, answers_domain_errors, get_or_404, json_body, json_object, visible_appointment
from app.billing import balances, invoicing, packages
from app.billing import charges as billing_charges
from app.errors import Problem, ValidationFailed
from app.extensions import db
from app.models import Invoice, PackageType, Payment, PaymentAllocation, TeamMember
from app.uow import unit_of_work


def _invoices_json(where) -> list[dict]:
    """The invoices ``where`` picks (a case's, a client's) with their lines and open balances."""
    invoices = db.session.scalars(select(Invoice).where(where).options(selectinload(Invoice.lines))
                                  .order_by(Invoice.id)).all()
    open_balances = balances.of_invoices([i.id for i in invoices])
    return [invoice_json(i, open_balances[i.id]) for i in invoices]


class ChargeEndpoints:
    """/cases/<id>/billing, /clients/<id>/billing, charges and packages."""

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
        auth = packages.authorisation_status(case, today=billing_today(case.client.home_location))
        return self.response(200, case_id=case.id, uninvoiced=[charge_json(c) for c in invoicing.uninvoiced(case)],
                             invoices=_invoices_json(Invoice.case_id == case.id),
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
        paid = db.session.scalars(select(Payment).where(Payment.client_id == client.id)
                                  .options(selectinload(Payment.allocations).selectinload(PaymentAllocation.invoice))
                                  .order_by(Payment.id)).all()
        return self.response(200, client_id=client.id, balance=balances.of_client(client.id).as_dict(),
                             invoices=_invoices_json(Invoice.client_id == client.id),
                             payments=[payment_json(p) for p in paid],
                             packages=[p.as_dict() for p in packages.client_packages(
                                 client.id, today=billing_today(client.home_location))])

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
                                    today=(today := billing_today(case.client.home_location)))
            body = {"id": package.id, **packages.package_status(package, today=today).as_dict()}
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
