"""Money under concurrency: real threads, each with its own connection and transaction
(PostgreSQL row locks; SQLite's single writer). Nobody sees a 500, nothing is paid or
credited twice."""
from __future__ import annotations

from collections import Counter
from decimal import Decimal

from app.billing import balances, invoicing, payments
from app.extensions import db as ext_db
from app.models import AppointmentStatus, Client, Invoice, Location, PaymentMethod
from app.scheduling import lifecycle
from tests.billing.conftest import NOW, TODAY
from tests.scheduling.test_concurrency import _race

THREADS = 6
# One race helper for every concurrency test: its success label is "booked".
race = _race


def issued(scene, db):
    lifecycle.change_status(scene.appointment, AppointmentStatus.arrived, actor=None, now=NOW)
    invoice = invoicing.issue(case=scene.case, charge_ids=[c.id for c in invoicing.uninvoiced(scene.case)],
                              actor=None, today=TODAY)
    db.session.commit()
    return invoice.id, invoice.total, scene.case.client_id, scene.people.location.id


def test_many_people_paying_the_same_invoice_in_full_at_once_pay_it_once(app, scene, db):
    invoice_id, total, client_id, location_id = issued(scene, db)

    def pay():
        session = ext_db.session
        payments.record(location=session.get(Location, location_id), method=PaymentMethod.card, amount=total,
                        received_on=TODAY, actor=None, client=session.get(Client, client_id),
                        allocations=[(session.get(Invoice, invoice_id), total)])

    outcomes = race(app, [pay] * THREADS)
    assert outcomes == Counter({"booked": 1, "conflict": THREADS - 1}), outcomes
    assert balances.of_invoices([invoice_id])[invoice_id] == Decimal("0.00")


def test_many_people_crediting_the_same_invoice_at_once_credit_it_once(app, scene, db):
    invoice_id, total, _, _ = issued(scene, db)

    def credit():
        invoicing.credit_note(invoice=ext_db.session.get(Invoice, invoice_id), actor=None, reason="Duplicate",
                              today=TODAY)

    outcomes = race(app, [credit] * THREADS)
    assert outcomes == Counter({"booked": 1, "conflict": THREADS - 1}), outcomes
    assert balances.of_invoices([invoice_id])[invoice_id] == Decimal("0.00")


def test_a_charge_edited_while_it_is_being_invoiced_never_differs_from_its_invoice_line(app, scene, db):
    from app.billing import charges as billing_charges
    from app.models import Case, Charge, InvoiceLine

    lifecycle.change_status(scene.appointment, AppointmentStatus.arrived, actor=None, now=NOW)
    charge_id = invoicing.uninvoiced(scene.case)[0].id
    case_id = scene.case.id
    db.session.commit()

    def issue():
        invoicing.issue(case=ext_db.session.get(Case, case_id), charge_ids=[charge_id], actor=None, today=TODAY)

    def edit():
        billing_charges.update(charge=ext_db.session.get(Charge, charge_id), changes={"unit_price": "1.00"}, actor=None)

    outcomes = race(app, [issue, edit])
    assert outcomes["booked"] >= 1 and not [k for k in outcomes if k.startswith("error")], outcomes
    charge = ext_db.session.get(Charge, charge_id)
    line = ext_db.session.query(InvoiceLine).filter_by(charge_id=charge_id).one()
    assert line.unit_price == charge.unit_price


def test_many_first_uses_of_the_settings_rows_at_once_all_succeed(app, db):
    from app.messaging.settings import notification_settings
    from app.models import clinic_settings, online_booking_settings

    def first_use():
        clinic_settings()
        notification_settings()
        online_booking_settings()

    outcomes = race(app, [first_use] * THREADS)
    assert outcomes == Counter({"booked": THREADS}), outcomes
