"""Fees never go to an insurer (issue 14, item 4): every way a fee comes to exist (a no-show
at the policy's amount or staff's, a late cancel from the panel, from a series, from the
client's own link) gives a charge the panel offers on the client's invoice and the
invoicing service bills to the client; an insurer never pays it."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from app.billing import invoicing, payments
from app.billing.fees import FeeDecision
from app.errors import Conflict, DomainError
from app.models import AppointmentStatus, Charge, ChargeKind, PaymentMethod, PayerKind
from app.scheduling import booking, lifecycle, series
from app.timeutil import utcnow
from tests import factories
from tests.billing.conftest import NOW, TODAY

S = AppointmentStatus


def _soon(scene):
    """The scene's visit moved to three hours from the real clock: a cancel now is late."""
    appointment = scene.appointment
    appointment.starts_at = utcnow() + timedelta(hours=3)
    appointment.ends_at = appointment.starts_at + timedelta(minutes=30)
    for occupancy in appointment.occupancies:
        occupancy.starts_at, occupancy.ends_at = appointment.starts_at, appointment.ends_at
    return appointment


def no_show_at_policy(scene):
    lifecycle.change_status(scene.appointment, S.no_show, actor=scene.actor, now=NOW)


def no_show_at_staffs_amount(scene):
    lifecycle.change_status(scene.appointment, S.no_show, actor=scene.actor, now=NOW,
                            fee=FeeDecision(amount=Decimal("25.00")))


def late_cancel_by_staff(scene):
    appointment = scene.appointment
    lifecycle.change_status(appointment, S.canceled, actor=scene.actor, now=appointment.starts_at - timedelta(hours=2))


def late_cancel_of_a_series_visit(scene):
    appointment = _soon(scene)
    appointment.series_id = "series-1"
    series.cancel(appointment=appointment, scope="this", actor=scene.actor)


def late_cancel_from_the_clients_link(scene):
    booking.cancel(appointment=_soon(scene), actor=None, reason="Cancelled online")


FEE_PATHS = [no_show_at_policy, no_show_at_staffs_amount, late_cancel_by_staff, late_cancel_of_a_series_visit,
             late_cancel_from_the_clients_link]


def _fee(scene, db, path) -> Charge:
    path(scene)
    db.session.commit()
    (fee,) = [c for c in invoicing.uninvoiced(scene.case) if c.kind == ChargeKind.fee]
    return fee


@pytest.mark.parametrize("path", FEE_PATHS, ids=lambda p: p.__name__)
def test_every_fee_is_invoiced_to_the_client_of_an_insured_case(scene, db, path):
    fee = _fee(scene, db, path)
    assert scene.case.payer == scene.insurer
    assert invoicing.payer_for(scene.case, fee.kind) is None
    invoice = invoicing.issue(case=scene.case, charge_ids=[fee.id], actor=scene.actor, today=TODAY)
    assert invoice.payer is None and invoice.snapshot["bill_to"] == {**invoice.snapshot["bill_to"], "kind": "client",
                                                                      "name": "Ana Silva"}
    db.session.commit()
    # An insurer's payment cannot be put on the client's fee.
    with pytest.raises(DomainError) as refused:
        payments.record(location=scene.people.location, method=PaymentMethod.insurer, amount=invoice.total,
                        received_on=TODAY, actor=scene.actor, client=None, payer=scene.insurer,
                        allocations=[(invoice, None)])
    assert any("not billed to Sun Life" in p.message for p in refused.value.problems)
    db.session.rollback()
    # Its credit note stays the client's too.
    note = invoicing.credit_note(invoice=invoice, actor=scene.actor, reason="Waived after all", today=TODAY)
    assert note.payer is None


@pytest.mark.parametrize("path", FEE_PATHS, ids=lambda p: p.__name__)
def test_a_fee_ticked_with_treatment_is_refused_not_billed_to_the_insurer(scene, db, path):
    fee = _fee(scene, db, path)
    visit = scene.book(14)
    lifecycle.change_status(visit, S.arrived, actor=scene.actor, now=NOW)
    treatment = [c.id for c in invoicing.uninvoiced(scene.case) if c.kind != ChargeKind.fee]
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        invoicing.issue(case=scene.case, charge_ids=[*treatment, fee.id], actor=scene.actor, today=TODAY)
    assert refused.value.problems[0].details["reason"] == "client_pays"
    assert fee.description in refused.value.message
    db.session.rollback()
    assert db.session.get(Charge, fee.id).invoice_id is None


@pytest.mark.parametrize("kind, payer_kind, bill_client, insurer_pays", [
    (ChargeKind.service, PayerKind.insurer, False, True),
    (ChargeKind.service, PayerKind.insurer, True, False),    # staff chose the client
    (ChargeKind.service, PayerKind.self_pay, False, False),
    (ChargeKind.service, None, False, False),
    (ChargeKind.fee, PayerKind.insurer, False, False),       # never the insurer's
    (ChargeKind.fee, PayerKind.insurer, True, False),
    (ChargeKind.fee, None, False, False),
    (ChargeKind.package, PayerKind.insurer, False, False),
])
def test_who_a_charge_is_billed_to(db, kind, payer_kind, bill_client, insurer_pays):
    payer = factories.make_payer(kind=payer_kind) if payer_kind else None
    case = factories.make_case(payer=payer)
    assert (invoicing.payer_for(case, kind, bill_client=bill_client) is not None) == insurer_pays


def test_the_panel_offers_the_fee_on_the_clients_invoice_and_treatment_on_the_insurers(scene, as_user, db):
    no_show_at_policy(scene)
    visit = scene.book(14)
    lifecycle.change_status(visit, S.arrived, actor=scene.actor, now=NOW)
    db.session.commit()
    panel = as_user("frontdesk").get(f"/api/v1/appointments/{scene.appointment.id}/billing").json
    marks = {c["kind"]: c["bill_to_payer"] for c in panel["uninvoiced_on_case"]}
    assert marks.pop("fee") is False
    assert marks and all(marks.values())  # the visit's treatment and products: the insurer's
    assert panel["client_name"] == "Ana Silva" and panel["payer"] == "Sun Life"
