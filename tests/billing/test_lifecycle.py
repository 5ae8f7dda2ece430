"""The status machine: every allowed and refused transition, and what each one does."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.billing import charges as billing_charges
from app.billing import invoicing, payments
from app.billing.fees import FeeDecision
from app.errors import Conflict
from app.models import AppointmentStatus, AuditEvent, Charge, ChargeKind, PaymentMethod, clinic_settings
from app.scheduling import lifecycle
from app.timeutil import to_local
from tests.billing.conftest import NOW, TODAY

S = AppointmentStatus
EVERY = list(S)
MANUAL = [(old, new) for old in EVERY for new in EVERY if new in lifecycle.ALLOWED[old]]
REFUSED = [(old, new) for old in EVERY for new in EVERY if new not in lifecycle.ALLOWED[old] and old != new]


@pytest.mark.parametrize("old,new", MANUAL, ids=[f"{o.value}->{n.value}" for o, n in MANUAL])
def test_every_allowed_transition_changes_the_status_and_is_audited(scene, db, old, new):
    appointment = scene.appointment
    appointment.status = old
    db.session.commit()
    lifecycle.change_status(appointment, new, actor=scene.actor, now=NOW)
    db.session.commit()
    assert appointment.status == new
    trail = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "Appointment",
                                                        AuditEvent.action == "status")).all()
    assert [(e.before["status"], e.after["status"]) for e in trail] == [(old.value, new.value)]


@pytest.mark.parametrize("old,new", REFUSED, ids=[f"{o.value}->{n.value}" for o, n in REFUSED])
def test_every_other_transition_is_refused_with_a_reason_and_changes_nothing(scene, db, old, new):
    appointment = scene.appointment
    appointment.status = old
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        lifecycle.change_status(appointment, new, actor=scene.actor, now=NOW)
    assert refused.value.message
    db.session.rollback()
    assert appointment.status == old


@pytest.mark.parametrize("new,releases", [(S.canceled, True), (S.rebooked, True), (S.no_show, False),
                                          (S.arrived, False), (S.confirmed, False)])
def test_cancel_and_rebook_release_the_time_other_statuses_keep_it(scene, db, new, releases):
    lifecycle.change_status(scene.appointment, new, actor=scene.actor, now=NOW)
    db.session.commit()
    assert all(o.active is not releases for o in scene.appointment.occupancies)


def test_arriving_posts_the_sessions_default_charges_billed_to_the_calendars_provider(scene, db):
    lifecycle.change_status(scene.appointment, S.arrived, actor=scene.actor, now=NOW)
    db.session.commit()
    posted = db.session.scalars(select(Charge).order_by(Charge.id)).all()
    assert [(c.description, c.quantity, c.unit_price, c.tax_rate) for c in posted] == [
        ("Physiotherapy follow-up", Decimal("1.00"), Decimal("95.00"), Decimal("13.000")),
        ("Kinesiology tape", Decimal("2.00"), Decimal("4.50"), Decimal("13.000")),
    ]
    assert {c.provider_id for c in posted} == {scene.people.provider.id}
    assert {c.case_id for c in posted} == {scene.case.id}
    assert [c.kind for c in posted] == [ChargeKind.service, ChargeKind.product]


def test_arriving_with_confirmed_changes_posts_exactly_what_staff_confirmed(scene, db):
    confirmed = [billing_charges.parse_input({"billing_item_id": scene.treatment.id, "unit_price": "80.00"})]
    lifecycle.change_status(scene.appointment, S.arrived, actor=scene.actor, charges=confirmed, now=NOW)
    db.session.commit()
    assert [(c.description, c.unit_price) for c in db.session.scalars(select(Charge))] == [
        ("Physiotherapy follow-up", Decimal("80.00"))]


def test_arriving_with_no_charges_posts_none(scene, db):
    lifecycle.change_status(scene.appointment, S.arrived, actor=scene.actor, charges=[], now=NOW)
    db.session.commit()
    assert db.session.scalars(select(Charge).where(Charge.voided_at.is_(None))).all() == []


@pytest.mark.parametrize("void,left", [(True, 0), (False, 2)])
def test_undoing_an_arrival_voids_the_uninvoiced_default_charges_only_when_asked(scene, db, void, left):
    lifecycle.change_status(scene.appointment, S.arrived, actor=scene.actor, now=NOW)
    db.session.commit()
    lifecycle.change_status(scene.appointment, S.confirmed, actor=scene.actor, void_charges=void, now=NOW)
    db.session.commit()
    assert len(db.session.scalars(select(Charge).where(Charge.voided_at.is_(None))).all()) == left


def test_an_arrival_whose_charges_are_invoiced_cannot_be_undone(scene, db):
    lifecycle.change_status(scene.appointment, S.arrived, actor=scene.actor, now=NOW)
    ids = [c.id for c in db.session.scalars(select(Charge))]
    invoice = invoicing.issue(case=scene.case, charge_ids=ids, actor=scene.actor, today=TODAY)
    db.session.commit()
    with pytest.raises(Conflict, match=invoice.number):
        lifecycle.change_status(scene.appointment, S.confirmed, actor=scene.actor, void_charges=True, now=NOW)


def test_paid_is_reached_only_through_payments_and_undone_by_voiding_one(scene, db):
    lifecycle.change_status(scene.appointment, S.arrived, actor=scene.actor, now=NOW)
    with pytest.raises(Conflict, match="Paid"):
        lifecycle.change_status(scene.appointment, S.paid, actor=scene.actor, now=NOW)
    ids = [c.id for c in db.session.scalars(select(Charge))]
    invoice = invoicing.issue(case=scene.case, charge_ids=ids, actor=scene.actor, today=TODAY)
    first = payments.record(location=scene.people.location, method=PaymentMethod.card, amount="50.00",
                            received_on=TODAY, actor=scene.actor, client=scene.case.client)
    assert scene.appointment.status == S.arrived  # partly paid
    payments.record(location=scene.people.location, method=PaymentMethod.cash, amount=invoice.total - Decimal("50"),
                    received_on=TODAY, actor=scene.actor, client=scene.case.client)
    db.session.commit()
    assert scene.appointment.status == S.paid
    payments.void(payment=first, reason="Card charge reversed", actor=scene.actor)
    db.session.commit()
    assert scene.appointment.status == S.arrived
    assert invoicing.invoice_balance(invoice) == Decimal("50.00")


def test_a_no_show_gets_the_policy_fee_unless_changed_or_waived(scene, db):
    lifecycle.change_status(scene.appointment, S.no_show, actor=scene.actor, now=NOW)
    db.session.commit()
    fee = db.session.scalars(select(Charge)).one()
    assert (fee.kind, fee.unit_price) == (ChargeKind.fee, Decimal("40.00"))
    assert fee.description.startswith("No-show fee")


@pytest.mark.parametrize("language, starts", [(None, "No-show fee — "), ("pt_PT", "Taxa de falta — "),
                                              ("fr_CA", "Frais d'absence — ")])
def test_a_fee_line_is_written_in_the_clients_language_with_the_visits_local_time(scene, db, language, starts):
    scene.appointment.case.client.preferred_language = language
    lifecycle.change_status(scene.appointment, S.no_show, actor=scene.actor, now=NOW)
    db.session.commit()
    description = db.session.scalars(select(Charge.description)).one()
    local = to_local(scene.appointment.starts_at, scene.appointment.location.timezone)
    assert description.startswith(starts) and str(local.year) in description, description
    assert local.strftime("%b") not in description or language is None, description  # no English month


@pytest.mark.parametrize("decision,expected", [
    (FeeDecision(amount=Decimal("25")), [Decimal("25.00")]),
    (FeeDecision(waive=True), []),
    (None, [Decimal("40.00")]),
])
def test_staff_decide_the_no_show_fee(scene, db, decision, expected):
    lifecycle.change_status(scene.appointment, S.no_show, actor=scene.actor, fee=decision, now=NOW)
    db.session.commit()
    assert [c.unit_price for c in db.session.scalars(select(Charge).where(Charge.voided_at.is_(None)))] == expected


def test_rolling_back_a_no_show_removes_its_uninvoiced_fee(scene, db):
    lifecycle.change_status(scene.appointment, S.no_show, actor=scene.actor, now=NOW)
    lifecycle.change_status(scene.appointment, S.booked, actor=scene.actor, now=NOW)
    db.session.commit()
    assert db.session.scalars(select(Charge).where(Charge.voided_at.is_(None))).all() == []


def test_a_no_show_whose_fee_is_invoiced_stays_until_the_fee_is_credited(scene, db):
    lifecycle.change_status(scene.appointment, S.no_show, actor=scene.actor, now=NOW)
    fee = db.session.scalars(select(Charge)).one()
    invoice = invoicing.issue(case=scene.case, charge_ids=[fee.id], actor=scene.actor, today=TODAY)
    db.session.commit()
    with pytest.raises(Conflict, match="credit"):
        lifecycle.change_status(scene.appointment, S.booked, actor=scene.actor, now=NOW)
    db.session.rollback()
    invoicing.credit_note(invoice=invoice, actor=scene.actor, reason="Fee waived by manager", today=TODAY)
    lifecycle.change_status(scene.appointment, S.booked, actor=scene.actor, now=NOW)
    db.session.commit()
    assert scene.appointment.status == S.booked


@pytest.mark.parametrize("hours_before,late,fee", [
    (48, False, []), (24.5, False, []), (23.5, True, [Decimal("47.50")]), (1, True, [Decimal("47.50")]),
])
def test_a_cancel_inside_the_policy_window_is_late_and_offers_its_fee(scene, db, hours_before, late, fee):
    from datetime import timedelta

    now = scene.appointment.starts_at - timedelta(hours=hours_before)
    lifecycle.change_status(scene.appointment, S.canceled, actor=scene.actor, now=now)
    db.session.commit()
    assert scene.appointment.late_cancel is late
    assert [c.unit_price for c in db.session.scalars(select(Charge))] == fee


def test_a_session_types_own_policy_wins_over_the_locations(scene, db):
    from app.models import FeeMode, FeePolicy
    from tests import factories

    factories._add(FeePolicy(location=scene.people.location, session_type=scene.session, no_show_mode=FeeMode.percent,
                             no_show_amount=Decimal("100"), late_cancel_hours=2))
    db.session.commit()
    lifecycle.change_status(scene.appointment, S.no_show, actor=scene.actor, now=NOW)
    assert [c.unit_price for c in db.session.scalars(select(Charge))] == [Decimal("95.00")]


def test_the_third_no_show_blocks_online_booking(scene, db):
    clinic_settings().no_show_block_after = 3
    visits = [scene.appointment, scene.book(13), scene.book(15)]
    db.session.commit()
    for number, visit in enumerate(visits, start=1):
        lifecycle.change_status(visit, S.no_show, actor=scene.actor, fee=FeeDecision(waive=True), now=NOW)
        db.session.commit()
        assert scene.case.client.online_booking_blocked is (number == 3)
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "online_booking_blocked")).one()


def test_a_status_change_moves_the_version_on(scene, db):
    before = scene.appointment.version
    lifecycle.change_status(scene.appointment, S.confirmed, actor=scene.actor, now=NOW)
    db.session.commit()
    assert scene.appointment.version == before + 1


def test_a_late_visit_after_a_no_show_arrives_and_loses_the_fee(scene, db):
    lifecycle.change_status(scene.appointment, S.no_show, actor=scene.actor, now=NOW)
    lifecycle.change_status(scene.appointment, S.arrived, actor=scene.actor, now=NOW)
    db.session.commit()
    assert ChargeKind.fee not in {c.kind for c in db.session.scalars(select(Charge).where(Charge.voided_at.is_(None)))}




def test_a_charge_added_to_a_paid_visit_reopens_it_and_removing_it_settles_it_again(scene, db):
    from app.billing import invoicing, payments
    from app.models import PaymentMethod

    lifecycle.change_status(scene.appointment, S.arrived, actor=scene.actor, now=NOW)
    invoice = invoicing.issue(case=scene.case, charge_ids=[c.id for c in invoicing.uninvoiced(scene.case)],
                              actor=scene.actor, today=TODAY)
    payments.record(location=scene.people.location, method=PaymentMethod.card, amount=invoice.total,
                    received_on=TODAY, actor=scene.actor, client=scene.case.client)
    assert scene.appointment.status == S.paid
    extra = billing_charges.add(case=scene.case, appointment=scene.appointment, actor=scene.actor,
                                inputs=[billing_charges.parse_input({"billing_item_id": scene.tape.id})])[0]
    assert scene.appointment.status == S.arrived
    billing_charges.remove(charge=extra, actor=scene.actor)
    assert scene.appointment.status == S.paid


@pytest.mark.parametrize("new,hours_before_start,allowed", [
    (S.arrived, 30, False), (S.arrived, 1, True), (S.no_show, 1, False), (S.no_show, -0.25, True)])
def test_arrival_waits_for_the_visits_day_and_a_no_show_for_its_start(scene, db, new, hours_before_start, allowed):
    from datetime import timedelta

    now = scene.appointment.starts_at - timedelta(hours=hours_before_start)
    if allowed:
        lifecycle.change_status(scene.appointment, new, actor=scene.actor, now=now)
        assert scene.appointment.status == new
    else:
        with pytest.raises(Conflict, match="from that day|once it has started"):
            lifecycle.change_status(scene.appointment, new, actor=scene.actor, now=now)
