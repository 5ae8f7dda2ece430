"""Prepaid packages and insurer authorisations, drawn down by visits, with their alerts."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.billing import charges as billing_charges
from app.billing import invoicing, packages
from app.errors import Conflict
from app.models import AppointmentStatus, Charge, ChargeKind, PackageType, PackageUse
from app.scheduling import lifecycle
from tests import factories
from tests.billing.conftest import NOW, TODAY

S = AppointmentStatus


@pytest.fixture()
def ten_pack(scene, db):
    kind = factories._add(PackageType(name="Physio 3-pack", sessions=3, price=Decimal("255.00"), valid_days=180,
                                      session_types=[scene.session]))
    package = packages.sell(case=scene.own_case, package_type=kind, actor=scene.actor, today=TODAY)
    db.session.commit()
    return package


def test_selling_a_package_charges_its_price_on_the_case(scene, db, ten_pack):
    sale = db.session.scalars(select(Charge).where(Charge.kind == ChargeKind.package)).one()
    assert (sale.unit_price, sale.case_id, sale.client_package_id) == (Decimal("255.00"), scene.own_case.id, ten_pack.id)
    assert ten_pack.expires_on == TODAY + timedelta(days=180)


def test_visits_draw_the_package_down_at_zero_price_until_it_is_exhausted(scene, db, ten_pack):
    visits = [scene.book(h, case=scene.own_case) for h in (9, 11, 13, 15)]
    for number, visit in enumerate(visits, start=1):
        lifecycle.change_status(visit, S.arrived, actor=scene.actor, now=NOW)
        posted = billing_charges.uninvoiced(visit)
        if number <= 3:
            assert [(c.unit_price, c.client_package_id) for c in posted] == [(Decimal("0.00"), ten_pack.id)]
            assert f"visit {number} of 3" in posted[0].description
        else:  # exhausted: the session is charged again
            assert [c.unit_price for c in posted] == [Decimal("95.00"), Decimal("4.50")]
    status = packages.package_status(ten_pack, today=TODAY)
    assert (status.used, status.left) == (3, 0)
    assert any("all 3 used" in alert for alert in status.alerts)


def test_two_or_fewer_left_is_an_alert(scene, db, ten_pack):
    lifecycle.change_status(scene.book(9, case=scene.own_case), S.arrived, actor=scene.actor, now=NOW)
    assert packages.package_status(ten_pack, today=TODAY).alerts == ["Physio 3-pack: only 2 of 3 left."]


def test_undoing_an_arrival_gives_the_package_visit_back(scene, db, ten_pack):
    visit = scene.book(9, case=scene.own_case)
    lifecycle.change_status(visit, S.arrived, actor=scene.actor, now=NOW)
    lifecycle.change_status(visit, S.booked, actor=scene.actor, void_charges=True, now=NOW)
    assert packages.visits_used(ten_pack) == 0
    assert db.session.scalars(select(PackageUse)).all() == []


def test_an_expired_package_does_not_cover_a_visit(scene, db, ten_pack):
    ten_pack.expires_on = date(2026, 3, 1)
    visit = scene.book(9, case=scene.own_case)
    lifecycle.change_status(visit, S.arrived, actor=scene.actor, now=NOW)
    assert [c.unit_price for c in billing_charges.uninvoiced(visit)][0] == Decimal("95.00")


def test_a_proposal_for_a_package_visit_that_is_gone_meanwhile_is_refused(scene, db, ten_pack):
    first = scene.book(9, case=scene.own_case)
    proposal = billing_charges.default_charges(first)
    ten_pack.sessions_total = 1
    lifecycle.change_status(scene.book(11, case=scene.own_case), S.arrived, actor=scene.actor, now=NOW)
    with pytest.raises(Conflict, match="no visit left"):
        lifecycle.change_status(first, S.arrived, actor=scene.actor, charges=proposal, now=NOW)


def test_a_package_visit_invoices_at_zero_and_is_paid_at_once(scene, db, ten_pack):
    visit = scene.book(9, case=scene.own_case)
    lifecycle.change_status(visit, S.arrived, actor=scene.actor, now=NOW)
    invoice = invoicing.issue(case=scene.own_case, charge_ids=[c.id for c in billing_charges.uninvoiced(visit)],
                              actor=scene.actor, today=TODAY)
    assert invoice.total == Decimal("0.00") and visit.status == S.paid


@pytest.mark.parametrize("authorised,arrived,booked,alert", [
    (10, 2, 1, None),
    (5, 2, 1, "only 2 of 5 left"),
    (3, 2, 1, "all 3 used or booked"),
    (2, 2, 0, "all 2 used."),
])
def test_an_authorisation_is_drawn_down_by_visits_and_alerts_when_low(scene, db, authorised, arrived, booked, alert):
    scene.case.authorised_visits = authorised
    scene.appointment.status = S.canceled  # not counted
    for hour in range(arrived):
        lifecycle.change_status(scene.book(11 + hour), S.arrived, actor=scene.actor, now=NOW)
    for hour in range(booked):
        scene.book(15 + hour)
    status = packages.authorisation_status(scene.case, today=TODAY)
    assert (status.used, status.booked_ahead) == (arrived, booked)
    assert ([a for a in status.alerts if alert in a] if alert else status.alerts) != [] or alert is None
    if alert is None:
        assert status.alerts == []


def test_an_authorised_amount_is_drawn_down_by_charges_not_fees(scene, db):
    scene.case.authorised_amount = Decimal("200.00")
    lifecycle.change_status(scene.appointment, S.arrived, actor=scene.actor, now=NOW)
    lifecycle.change_status(scene.book(14), S.no_show, actor=scene.actor, now=NOW)
    assert packages.authorised_amount_used(scene.case) == Decimal("117.52")
    assert "$82.48 of the authorised $200.00 remains." in packages.authorisation_status(scene.case, today=TODAY).alerts


@pytest.mark.parametrize("authorised, currency, alert", [
    ("750.00", None, "$632.48 of the authorised $750.00 remains."),  # the clinic's currency
    ("750.00", "EUR", "€632.48 of the authorised €750.00 remains."),  # the visit's location's
    ("100.00", "EUR", "The authorised amount of €100.00 is used up."),
])
def test_the_authorised_amount_is_written_in_the_cases_currency(scene, db, authorised, currency, alert):
    scene.case.authorised_amount = Decimal(authorised)
    lifecycle.change_status(scene.appointment, S.arrived, actor=scene.actor, now=NOW)
    assert alert in packages.authorisation_status(scene.case, today=TODAY, currency=currency).alerts


@pytest.mark.parametrize("expires_in,alert", [(30, None), (10, "expires on"), (-1, "expired on")])
def test_an_authorisation_about_to_expire_says_so(scene, db, expires_in, alert):
    scene.case.authorisation_expires_on = TODAY + timedelta(days=expires_in)
    alerts = packages.authorisation_status(scene.case, today=TODAY).alerts
    assert any(alert in a for a in alerts) if alert else alerts == []


def test_the_booking_form_shows_what_remains_beside_each_case(scene, db, ten_pack):
    scene.case.authorised_visits = 10
    scene.book(13)  # booked ahead: counts
    notes = packages.remaining_notes([scene.case, scene.own_case], [scene.case.client_id])
    assert notes[scene.case.id] == "8 of 10 authorised visits left"  # the scene's visit and this one
    assert notes[scene.own_case.id] == "3 prepaid visit(s) left"


def test_the_client_search_in_the_grid_carries_the_notes(scene, db, ten_pack, client):
    from tests.views.helpers import login

    db.session.commit()
    login(client, "frontdesk")
    found = client.get("/calendar/feed/clients?q=Silva").json
    notes = {c["title"]: c["note"] for c in found[0]["cases"]}
    assert notes["Neck"] == "3 prepaid visit(s) left"
