"""The billing screens open, show the right rows to the right people, and set up fees."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from app.billing import invoicing, payments
from app.models import AppointmentStatus, FeePolicy, PaymentMethod, clinic_settings
from app.scheduling import lifecycle
from tests.billing.conftest import NOW, TODAY
from tests.views.helpers import login


def _invoiced(scene, db):
    lifecycle.change_status(scene.appointment, AppointmentStatus.arrived, actor=None, now=NOW)
    invoice = invoicing.issue(case=scene.case, charge_ids=[c.id for c in invoicing.uninvoiced(scene.case)],
                              actor=None, today=TODAY)
    payments.record(location=scene.people.location, method=PaymentMethod.card, amount="17.52", received_on=TODAY,
                    actor=None, client=scene.case.client)
    db.session.commit()
    return invoice


def test_a_manager_sees_invoices_with_balances_payments_and_receivables(client, scene, db):
    invoice = _invoiced(scene, db)
    login(client, "manager")
    listing = client.get("/invoiceview/list/").get_data(as_text=True)
    assert invoice.number in listing and "100.00" in listing and f"/api/v1/invoices/{invoice.id}/pdf" in listing
    shown = client.get(f"/invoiceview/show/{invoice.id}").get_data(as_text=True)
    assert "Sun Life" in shown and "Physiotherapy follow-up" in shown
    assert "17.52" in client.get("/paymentview/list/").get_data(as_text=True)
    aged = client.get("/billing/receivables/").get_data(as_text=True)
    assert "Sun Life" in aged and "100.00" in aged
    for url in ("/chargeview/list/", "/feepolicyview/list/", "/packagetypeview/list/", "/clientpackageview/list/"):
        assert client.get(url).status_code == 200, url


def test_front_desk_of_another_location_sees_none_of_the_invoices(client, scene, db):
    from app.security import FRONT_DESK
    from tests import factories

    invoice = _invoiced(scene, db)
    factories.make_team_member(FRONT_DESK, username="lisbondesk", locations=[scene.people.other_location])
    db.session.commit()
    login(client, "lisbondesk")
    assert invoice.number not in client.get("/invoiceview/list/").get_data(as_text=True)
    assert client.get(f"/invoiceview/show/{invoice.id}").status_code in (302, 404)


def test_a_provider_has_no_billing_screens(client, scene, db):
    _invoiced(scene, db)
    login(client, "provider")
    response = client.get("/invoiceview/list/")
    assert response.status_code in (302, 403)


def test_a_manager_sets_a_fee_policy_and_the_clinic_settings(client, scene, db):
    login(client, "manager")
    response = client.post("/feepolicyview/add", data={
        "location": scene.people.other_location.id, "no_show_mode": "fixed", "no_show_amount": "30.00",
        "late_cancel_mode": "", "late_cancel_amount": "", "late_cancel_hours": "12"}, follow_redirects=True)
    assert "No fee" in client.get("/feepolicyview/add").get_data(as_text=True)
    assert response.status_code == 200
    db.session.expire_all()
    policy = db.session.scalars(select(FeePolicy).where(FeePolicy.location_id == scene.people.other_location.id)).one()
    assert policy.no_show_amount == Decimal("30.00") and policy.late_cancel_hours == 12
    opened = client.get("/clinicsettingsview/settings/")
    assert opened.status_code == 302 and "/clinicsettingsview/edit/1" in opened.headers["Location"]
    saved = client.post("/clinicsettingsview/edit/1", data={
        "clinic_name": "Harbour Physio", "brand_colour": "#224466", "currency": "CAD", "notify_by_default": "y",
        "no_show_block_after": "2"}, follow_redirects=True)
    assert saved.status_code == 200
    db.session.expire_all()
    assert (clinic_settings().clinic_name, clinic_settings().no_show_block_after) == ("Harbour Physio", 2)


def test_the_client_and_case_screens_list_their_invoices_with_pdf_links(client, scene, db):
    invoice = _invoiced(scene, db)
    login(client, "frontdesk")
    for url in (f"/clientview/show/{scene.case.client_id}", f"/caseview/show/{scene.case.id}"):
        page = client.get(url).get_data(as_text=True)
        assert invoice.number in page and f"/api/v1/invoices/{invoice.id}/pdf" in page, url


def test_a_provider_opening_a_client_sees_no_invoices(client, scene, db):
    invoice = _invoiced(scene, db)
    login(client, "provider")
    page = client.get(f"/clientview/show/{scene.case.client_id}")
    assert page.status_code == 200 and invoice.number not in page.get_data(as_text=True)


def test_client_and_case_records_cannot_be_deleted_from_the_screens(client, scene, db):
    login(client, "frontdesk")
    listing = client.get("/clientview/list/").get_data(as_text=True)
    assert "/clientview/delete/" not in listing
    assert client.post(f"/clientview/delete/{scene.case.client_id}").status_code == 404
    assert client.post(f"/caseview/delete/{scene.case.id}").status_code == 404


def test_the_waitlist_screen_offers_only_the_users_clients_and_checks_the_days(client, scene, db):
    from app.security import FRONT_DESK
    from app.views.waitlist import check_weekdays
    from app.setup.validation import InvalidValue
    from tests import factories

    stranger = factories.make_client(first_name="Zed", last_name="Faraway", home_location=scene.people.other_location)
    factories.make_team_member(FRONT_DESK, username="lisbondesk2", locations=[scene.people.other_location])
    db.session.commit()
    login(client, "frontdesk")
    assert client.get("/waitlistview/add").status_code == 200
    # The client is picked by typing (app/views/pickers.py): the picker offers only the desk's clients.
    picked = lambda typed: [row["text"] for row in client.get(  # noqa: E731
        "/waitlistview/pick/client", query_string={"q": typed}).get_json()["results"]]
    assert any("Ana Silva" in name for name in picked("silva")) and picked("faraway") == [] and stranger.id
    assert check_weekdays("4, 2,0") == "024"
    for bad in ("89", "00", "mon"):
        try:
            check_weekdays(bad)
        except InvalidValue:
            continue
        raise AssertionError(bad)
