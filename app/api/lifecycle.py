"""Appointment status changes and the appointment panel's billing state.

Under the Appointments permission: whoever may change an appointment may mark it
arrived or a no-show (with the session's own charges); changing the charges themselves
needs Billing write, and the money around the visit (balances, invoices) Billing read.
"""
from __future__ import annotations

from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import protect
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.api.billing_io import (
    StatusInput,
    billing_today,
    charge_json,
    invoice_json,
    may,
    parsed_charges,
    text_or_none,
)
from app.api.edge import acting_user, answers_domain_errors, changeable, json_body, visible_appointment
from app.api.scheduling_io import appointment_json, fee_decision
from app.billing import balances, fees, invoicing, packages
from app.billing import charges as billing_charges
from app.errors import Forbidden, Problem
from app.extensions import db
from app.i18n.formatting import location_currency
from app.models import (
    Appointment,
    AppointmentStatus,
    BillingItem,
    Charge,
    Invoice,
    PaymentMethod,
)
from app.scheduling import booking, lifecycle
from app.security import (
    APPOINTMENTS,
    BILLING,
    READ,
    WRITE,
)
from app.timeutil import utcnow
from app.uow import unit_of_work


def appointment_billing(appointment: Appointment) -> dict:
    """Everything the appointment panel needs to arrive, bill and collect. Who may not
    bill (a provider) sees the visit's status options and charges, not the money around it."""
    case = appointment.case
    today = billing_today(appointment.location)
    charges = list(db.session.scalars(select(Charge).where(Charge.appointment_id == appointment.id,
                                                           Charge.voided_at.is_(None))
                                      .options(selectinload(Charge.provider), selectinload(Charge.invoice))
                                      .order_by(Charge.id)))
    late = fees.cancel_would_be_late(appointment, utcnow())
    auth = packages.authorisation_status(case, today=today, currency=location_currency(appointment.location))
    body = {
        "appointment": appointment_json(appointment),
        "allowed": [s.value for s in lifecycle.allowed(appointment)],
        "proposals": {
            "arrived": [c.as_dict() for c in billing_charges.default_charges(appointment)]
            if AppointmentStatus.arrived in lifecycle.ALLOWED[appointment.status] else [],
            "no_show_fee": text_or_none(fees.proposed(appointment, fees.NO_SHOW)),
            "late_cancel": late,
            "late_cancel_fee": text_or_none(fees.proposed(appointment, fees.LATE_CANCEL)) if late else None,
        },
        "charges": [charge_json(c) for c in charges],
        "authorisation": auth.as_dict() if auth else None,
        "may_bill": may(WRITE, BILLING),
        "location_id": appointment.location_id, "client_id": case.client_id, "case_id": case.id,
        "currency": location_currency(appointment.location),  # the panel formats money in it (Intl)
        "payer": case.payer.name if case.payer else None,
        "payer_id": case.payer_id if case.payer and not packages.self_paid(case) else None,
    }
    if not may(READ, BILLING):
        return body
    invoice_ids = sorted({c.invoice_id for c in charges if c.invoice_id})
    open_balances = balances.of_invoices(invoice_ids)
    invoices = db.session.scalars(select(Invoice).where(Invoice.id.in_(invoice_ids))
                                  .options(selectinload(Invoice.lines)).order_by(Invoice.id)).all()
    return body | {
        # Each with who it is billed to (invoicing.payer_for): fees and packages never go
        # to the insurer, so the panel offers them on the client's own invoice.
        "uninvoiced_on_case": [charge_json(c) | {"bill_to_payer": invoicing.payer_for(case, c.kind) is not None}
                               for c in invoicing.uninvoiced(case)],
        "client_name": case.client.full_name,
        "invoices": [invoice_json(i, open_balances[i.id]) for i in invoices],
        "client_balance": balances.of_client(case.client_id).as_dict(),
        "case_balance": balances.of_case(case.id).as_dict(),
        "packages": [p.as_dict() for p in packages.client_packages(case.client_id, today=today)],
        "billing_items": [{"id": i.id, "name": i.name, "code": i.code, "unit_price": str(i.unit_price)}
                          for i in db.session.scalars(select(BillingItem).where(BillingItem.active.is_(True))
                                                      .order_by(BillingItem.name))],
        "payment_methods": [m.value for m in PaymentMethod],
    }


class AppointmentStatusApi(BaseApi):
    """Status changes and the appointment's billing, under the Appointments permission:
    whoever may change an appointment may mark it arrived or a no-show."""

    resource_name = "appointment_status"
    route_base = "/api/v1"
    class_permission_name = APPOINTMENTS
    method_permission_name = {"billing": "read", "change_status": "write"}
    allow_browser_login = True
    openapi_spec_tag = "Lifecycle"

    @expose("/appointments/<int:appointment_id>/billing", methods=["GET"])
    @protect()
    @answers_domain_errors
    def billing(self, appointment_id: int):
        """The appointment's status options, proposed charges and fees, charges, invoices, balances.
        ---
        get:
          summary: What the panel shows to arrive, bill and collect
          parameters: [{in: path, name: appointment_id, required: true, schema: {type: integer}}]
          responses: {200: {description: Billing state}, 404: {description: Not found}}
        """
        return self.response(200, **appointment_billing(visible_appointment(appointment_id)))

    @expose("/appointments/<int:appointment_id>/status", methods=["POST"])
    @protect()
    @answers_domain_errors
    def change_status(self, appointment_id: int):
        """Change the status, with its charges (Arrived), fee (No Show, late Canceled) or voiding.
        ---
        post:
          summary: 'Booked/Confirmed/Arrived/No Show/Canceled; 409 says why a change is refused'
          parameters: [{in: path, name: appointment_id, required: true, schema: {type: integer}}]
          requestBody: {content: {application/json: {schema: {type: object}}}}
          responses: {200: {description: Billing state after the change}, 409: {description: Refused}}
        """
        data = json_body(StatusInput())
        with unit_of_work():
            appointment = changeable(visible_appointment(appointment_id))
            new = AppointmentStatus(data["status"])
            if data["charges"] is not None and not may(WRITE, BILLING):
                raise Forbidden("Only staff who bill may change the charges; arrive with the session's own charges.",
                                [Problem("Billing permission needed.", field="charges")])
            if new == AppointmentStatus.canceled:
                booking.cancel(appointment=appointment, actor=acting_user(), reason=data["note"],
                               expected_version=data["version"], fee=fee_decision(data["fee"]))
            else:
                booking.ensure_current(appointment, data["version"])
                lifecycle.change_status(appointment, new, actor=acting_user(), note=data["note"],
                                        charges=parsed_charges(data["charges"]), fee=fee_decision(data["fee"]),
                                        void_charges=data["void_charges"])
            db.session.flush()
            body = appointment_billing(appointment)
        return self.response(200, **body)



LIFECYCLE_APIS = (AppointmentStatusApi,)
