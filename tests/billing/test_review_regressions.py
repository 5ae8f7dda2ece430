"""Regressions for what the billing review found: each test is a scenario that went wrong."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.billing import balances, invoicing, packages, payments
from app.billing import charges as billing_charges
from app.errors import Conflict, ValidationFailed
from app.models import AppointmentStatus, Charge, ChargeKind, PackageType, PaymentMethod
from app.scheduling import lifecycle
from app.security import FRONT_DESK
from tests import factories
from tests.billing.conftest import NOW, TODAY
from tests.sql import counting

S = AppointmentStatus


def live_charges(db):
    return db.session.scalars(select(Charge).where(Charge.voided_at.is_(None)).order_by(Charge.id)).all()


def billed(scene, appointment=None, location=None):
    appointment = appointment or scene.appointment
    lifecycle.change_status(appointment, S.arrived, actor=None, now=NOW)
    return invoicing.issue(case=appointment.case, charge_ids=[c.id for c in billing_charges.uninvoiced(appointment)],
                           actor=None, today=TODAY, location=location)


def test_one_invoice_listed_twice_in_a_payment_is_refused(scene, db):
    invoice = billed(scene)
    with pytest.raises(ValidationFailed, match="only once"):
        payments.record(location=scene.people.location, method=PaymentMethod.card, amount="300", received_on=TODAY,
                        actor=None, client=scene.case.client, allocations=[(invoice, None), (invoice, None)])


def test_a_payment_settles_only_its_own_locations_invoices(scene, db):
    here = billed(scene)
    lisbon_calendar = scene.people.outsider_calendar
    there_visit = factories.make_appointment(lisbon_calendar, scene.appointment.starts_at, session_type=scene.session,
                                             case=scene.case)
    there = billed(scene, there_visit)
    assert there.location_id == scene.people.other_location.id
    payments.record(location=scene.people.location, method=PaymentMethod.insurer, amount="1000", received_on=TODAY,
                    actor=None, payer=scene.insurer)
    assert invoicing.invoice_balance(here) == Decimal("0.00")
    assert invoicing.invoice_balance(there) == there.total
    with pytest.raises(ValidationFailed) as refused:
        payments.record(location=scene.people.location, method=PaymentMethod.insurer, amount="10", received_on=TODAY,
                        actor=None, payer=scene.insurer, allocations=[(there, None)])
    assert "record the payment there" in refused.value.problems[0].message


def test_front_desk_cannot_pay_see_or_void_another_locations_money(scene, db, as_user):
    billed(scene)
    payment = payments.record(location=scene.people.location, method=PaymentMethod.card, amount="20",
                              received_on=TODAY, actor=None, client=scene.case.client)
    factories.make_team_member(FRONT_DESK, username="lisbondesk", locations=[scene.people.other_location])
    api = as_user("lisbondesk")
    assert api.get(f"/api/v1/payments/{payment.id}").status_code == 404
    assert api.post(f"/api/v1/payments/{payment.id}/void", json={"reason": "x"}).status_code == 404
    local = as_user("frontdesk")
    other = local.post("/api/v1/payments", json={"client_id": scene.case.client_id, "method": "cash", "amount": "5",
                                                 "location_id": scene.people.other_location.id})
    assert other.status_code == 404


def test_arriving_again_after_an_undo_that_kept_the_charges_does_not_charge_twice(scene, db):
    lifecycle.change_status(scene.appointment, S.arrived, actor=None, now=NOW)
    lifecycle.change_status(scene.appointment, S.confirmed, actor=None, void_charges=False, now=NOW)
    lifecycle.change_status(scene.appointment, S.arrived, actor=None, now=NOW)
    assert len(live_charges(db)) == 2


def test_undoing_a_package_visit_gives_the_visit_back_even_when_charges_are_kept(scene, db):
    kind = factories._add(PackageType(name="3-pack", sessions=3, price=Decimal("255"), session_types=[scene.session]))
    package = packages.sell(case=scene.own_case, package_type=kind, actor=None, today=TODAY)
    visit = scene.book(14, case=scene.own_case)
    lifecycle.change_status(visit, S.arrived, actor=None, now=NOW)
    assert packages.visits_used(package) == 1
    lifecycle.change_status(visit, S.confirmed, actor=None, void_charges=False, now=NOW)
    assert packages.visits_used(package) == 0
    lifecycle.change_status(visit, S.arrived, actor=None, now=NOW)  # no 500 on the unique package use
    assert packages.visits_used(package) == 1


def test_a_package_never_covers_a_visit_billed_to_an_insurer(scene, db):
    kind = factories._add(PackageType(name="3-pack", sessions=3, price=Decimal("255"), session_types=[scene.session]))
    packages.sell(case=scene.own_case, package_type=kind, actor=None, today=TODAY)
    lifecycle.change_status(scene.appointment, S.arrived, actor=None, now=NOW)  # scene.case bills Sun Life
    assert Decimal("95.00") in {c.unit_price for c in billing_charges.uninvoiced(scene.appointment)}


def test_an_unused_package_sold_by_mistake_is_withdrawn_with_its_sale(scene, db):
    kind = factories._add(PackageType(name="3-pack", sessions=3, price=Decimal("255"), session_types=[scene.session]))
    package = packages.sell(case=scene.own_case, package_type=kind, actor=None, today=TODAY)
    packages.withdraw(package=package, actor=None)
    assert [c for c in live_charges(db) if c.kind == ChargeKind.package] == []
    assert packages.client_packages(scene.own_case.client_id, today=TODAY) == []


@pytest.mark.parametrize("then", [S.canceled, S.rebooked])
def test_a_no_show_later_canceled_or_rebooked_keeps_its_fee(scene, db, then):
    lifecycle.change_status(scene.appointment, S.no_show, actor=None, now=NOW)
    lifecycle.change_status(scene.appointment, then, actor=None, now=NOW)
    assert [c.kind for c in live_charges(db)] == [ChargeKind.fee]


@pytest.mark.parametrize("url,body,field", [
    ("/api/v1/payments", {"method": "cash", "amount": "NaN"}, "amount"),
    ("/api/v1/payments", {"method": "cash", "amount": "1e30"}, "amount"),
])
def test_non_numbers_and_huge_amounts_are_a_422_not_a_500(scene, db, as_user, url, body, field):
    api = as_user("frontdesk")
    response = api.post(url, json={**body, "client_id": scene.case.client_id, "location_id": scene.people.location.id})
    assert response.status_code == 422 and field in {p["field"] for p in response.json["problems"]}


@pytest.mark.parametrize("changes,field", [({"unit_price": "NaN"}, "unit_price"), ({"unit_price": "1e12"}, "unit_price"),
                                           ({"quantity": "0.001"}, "quantity"), ({"tax_rate": "Infinity"}, "tax_rate")])
def test_a_charge_edit_with_a_bad_number_is_a_422(scene, db, as_user, changes, field):
    lifecycle.change_status(scene.appointment, S.arrived, actor=None, now=NOW)
    charge = billing_charges.uninvoiced(scene.appointment)[0]
    response = as_user("frontdesk").request("PATCH", f"/api/v1/charges/{charge.id}", json=changes)
    assert response.status_code == 422 and field in {p["field"] for p in response.json["problems"]}


def test_a_provider_arrives_with_the_sessions_charges_but_cannot_set_their_own(scene, db, as_user):
    api = as_user("provider")
    url = f"/api/v1/appointments/{scene.appointment.id}"
    refused = api.post(url + "/status", json={"status": "arrived", "charges": [{"description": "Anything",
                                                                                "unit_price": "5000"}]})
    assert refused.status_code == 403
    panel = api.get(url + "/billing").json
    assert panel["may_bill"] is False and "client_balance" not in panel and "invoices" not in panel
    arrived = api.post(url + "/status", json={"status": "arrived"})
    assert arrived.status_code == 200 and len(arrived.json["charges"]) == 2


def test_the_panel_reads_a_constant_number_of_statements(scene, db, as_user):
    """One of everything, then several of everything: the same number of statements."""
    api = as_user("frontdesk")
    url = f"/api/v1/appointments/{scene.appointment.id}/billing"
    kind = factories._add(PackageType(name="3-pack", sessions=3, price=Decimal("255"), session_types=[scene.session]))

    def add_one_of_everything(hour):
        lifecycle.change_status(scene.book(hour), S.arrived, actor=None, now=NOW)  # uninvoiced on the case
        packages.sell(case=scene.own_case, package_type=kind, actor=None, today=TODAY)
        extra = billing_charges.add(case=scene.case, appointment=scene.appointment, actor=None,
                                    inputs=[billing_charges.parse_input({"billing_item_id": scene.tape.id})])
        invoicing.issue(case=scene.case, charge_ids=[c.id for c in extra], actor=None, today=TODAY)

    billed(scene)
    add_one_of_everything(13)
    api.get(url)  # warm: the first request of a login loads its roles once
    with counting() as small:
        assert api.get(url).status_code == 200
    for hour in (14, 15, 16):
        add_one_of_everything(hour)
    with counting() as large:
        assert api.get(url).status_code == 200
    assert len(large) == len(small), (len(small), len(large))


def test_receivables_and_balances_agree(scene, db):
    invoice = billed(scene)
    payments.record(location=scene.people.location, method=PaymentMethod.card, amount="17.52", received_on=TODAY,
                    actor=None, client=scene.case.client)
    aged = balances.receivables(as_of=TODAY)
    assert sum(d.total for d in aged) == balances.of_client(scene.case.client_id).invoiced_open == invoice.total - \
        Decimal("17.52")


def test_paying_twice_with_credit_after_a_void_is_refused(scene, db):
    invoice = billed(scene)
    payment = payments.record(location=scene.people.location, method=PaymentMethod.card, amount="500",
                              received_on=TODAY, actor=None, client=scene.case.client, allocations=[])
    payments.void(payment=payment, reason="reversed", actor=None)
    with pytest.raises(Conflict):
        payments.apply_credit(payment=payment, invoice=invoice, actor=None)
