"""Arrive, Bill, Collect through the API, as the front desk does it from the grid."""
from __future__ import annotations

from decimal import Decimal

from app.models import AppointmentStatus


def test_front_desk_arrives_invoices_and_collects_until_the_visit_is_paid(scene, as_user):
    api = as_user("frontdesk")
    url = f"/api/v1/appointments/{scene.appointment.id}"
    panel = api.get(url + "/billing").json
    assert "arrived" in panel["allowed"] and panel["proposals"]["no_show_fee"] == "40.00"
    assert [p["description"] for p in panel["proposals"]["arrived"]] == ["Physiotherapy follow-up", "Kinesiology tape"]

    arrived = api.post(url + "/status", json={"status": "arrived", "version": panel["appointment"]["version"]})
    assert arrived.status_code == 200, arrived.json
    assert [c["total"] for c in arrived.json["charges"]] == ["107.35", "10.17"]
    assert arrived.json["appointment"]["status"] == "arrived"

    charge_ids = [c["id"] for c in arrived.json["uninvoiced_on_case"]]
    invoice = api.post(f"/api/v1/cases/{scene.case.id}/invoices", json={"charge_ids": charge_ids})
    assert invoice.status_code == 201, invoice.json
    assert (invoice.json["number"], invoice.json["total"], invoice.json["bill_to"]) == ("DT-000001", "117.52", "Sun Life")

    pdf = api.get(invoice.json["pdf_url"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")

    client_id = scene.case.client_id
    partial = api.post("/api/v1/payments", json={"client_id": client_id, "location_id": scene.people.location.id,
                                                 "method": "card", "amount": "50.00",
                                                 "allocations": [{"invoice_id": invoice.json["id"]}]})
    assert partial.status_code == 201, partial.json
    assert api.get(url + "/billing").json["appointment"]["status"] == "arrived"
    final = api.post("/api/v1/payments", json={"client_id": client_id, "location_id": scene.people.location.id,
                                               "method": "cash", "amount": "67.52"})
    assert final.status_code == 201
    after = api.get(url + "/billing").json
    assert after["appointment"]["status"] == "paid"
    assert after["invoices"][0]["balance"] == "0.00" and after["client_balance"]["due"] == "0.00"

    trail = api.get(f"/api/v1/invoices/{invoice.json['id']}/audit").json["events"]
    assert [e["action"] for e in trail][:2] == ["created", "issued"] and len(trail) >= 4


def test_a_no_show_with_a_changed_fee_and_a_refused_transition(scene, as_user):
    api = as_user("frontdesk")
    url = f"/api/v1/appointments/{scene.appointment.id}"
    marked = api.post(url + "/status", json={"status": "no_show", "fee": {"amount": "25.00"}})
    assert marked.status_code == 200
    assert [(c["kind"], c["unit_price"]) for c in marked.json["charges"]] == [("fee", "25.00")]
    refused = api.post(url + "/status", json={"status": "paid"})
    assert refused.status_code == 409 and "Paid" in refused.json["message"]


def test_a_late_cancel_from_the_panel_with_the_fee_waived(scene, as_user):
    from datetime import timedelta

    from app.timeutil import utcnow

    scene.appointment.starts_at = utcnow() + timedelta(hours=3)
    scene.appointment.ends_at = scene.appointment.starts_at + timedelta(minutes=30)
    for occupancy in scene.appointment.occupancies:
        occupancy.starts_at, occupancy.ends_at = scene.appointment.starts_at, scene.appointment.ends_at
    api = as_user("frontdesk")
    url = f"/api/v1/appointments/{scene.appointment.id}"
    panel = api.get(url + "/billing").json
    assert panel["proposals"]["late_cancel"] is True and panel["proposals"]["late_cancel_fee"] == "47.50"
    canceled = api.post(url + "/status", json={"status": "canceled", "fee": {"waive": True}, "note": "Flu"})
    assert canceled.status_code == 200
    assert canceled.json["appointment"]["status"] == "canceled" and canceled.json["charges"] == []


def test_a_stale_version_is_refused(scene, as_user):
    api = as_user("frontdesk")
    url = f"/api/v1/appointments/{scene.appointment.id}"
    assert api.post(url + "/status", json={"status": "confirmed", "version": 1}).status_code == 200
    stale = api.post(url + "/status", json={"status": "arrived", "version": 1})
    assert stale.status_code == 409


def test_bad_input_is_a_422_with_the_field(scene, as_user):
    api = as_user("frontdesk")
    bad = api.post(f"/api/v1/appointments/{scene.appointment.id}/status",
                   json={"status": "arrived", "charges": [{"description": "", "unit_price": "-1"}]})
    assert bad.status_code == 422
    assert {p["field"] for p in bad.json["problems"]} >= {"charges[0].unit_price"}
    payment = as_user("frontdesk").post("/api/v1/payments", json={"client_id": scene.case.client_id,
                                                                  "location_id": scene.people.location.id,
                                                                  "method": "cheque", "amount": "5"})
    assert payment.status_code == 422


def test_charges_are_editable_until_invoiced(scene, as_user, db):
    from app.scheduling import lifecycle
    from tests.billing.conftest import NOW

    lifecycle.change_status(scene.appointment, AppointmentStatus.arrived, actor=None, now=NOW)
    api = as_user("frontdesk")
    charges = api.get(f"/api/v1/cases/{scene.case.id}/billing").json["uninvoiced"]
    edited = api.request("PATCH", f"/api/v1/charges/{charges[0]['id']}", json={"unit_price": "80.00", "quantity": "2"})
    assert edited.status_code == 200 and edited.json["total"] == "180.80"
    removed = api.delete(f"/api/v1/charges/{charges[1]['id']}")
    assert removed.status_code == 200
    added = api.post(f"/api/v1/cases/{scene.case.id}/charges", json={"appointment_id": scene.appointment.id,
                                                                     "charges": [{"billing_item_id": scene.tape.id}]})
    assert added.status_code == 201 and added.json["charges"][0]["unit_price"] == "4.50"
    invoice = api.post(f"/api/v1/cases/{scene.case.id}/invoices",
                       json={"charge_ids": [charges[0]["id"], added.json["charges"][0]["id"]]}).json
    assert Decimal(invoice["total"]) == Decimal("180.80") + Decimal("5.09")
    frozen = api.request("PATCH", f"/api/v1/charges/{charges[0]['id']}", json={"unit_price": "1"})
    assert frozen.status_code == 409 and invoice["number"] in frozen.json["message"]
    credit = api.post(f"/api/v1/invoices/{invoice['id']}/credit_note", json={"reason": "Wrong quantity"})
    assert credit.status_code == 201 and credit.json["kind"] == "credit_note"


def test_other_locations_providers_and_providers_see_no_billing(scene, as_user, db):
    from app.scheduling import lifecycle
    from tests.billing.conftest import NOW

    lifecycle.change_status(scene.appointment, AppointmentStatus.arrived, actor=None, now=NOW)
    api = as_user("frontdesk")
    invoice = api.post(f"/api/v1/cases/{scene.case.id}/invoices",
                       json={"charge_ids": [c["id"] for c in api.get(f"/api/v1/cases/{scene.case.id}/billing")
                                            .json["uninvoiced"]]}).json
    outsider = as_user(scene.people.outsider.user.username)
    assert outsider.get(f"/api/v1/invoices/{invoice['id']}").status_code in (403, 404)
    assert outsider.get(f"/api/v1/appointments/{scene.appointment.id}/billing").status_code == 404
    assert outsider.get(f"/api/v1/invoices/{invoice['id']}/pdf").status_code in (403, 404)
    provider = as_user("provider")
    assert provider.get("/api/v1/receivables").status_code == 403
    assert provider.get(f"/api/v1/appointments/{scene.appointment.id}/billing").status_code == 200


def test_an_invoice_is_emailed_through_the_outbox_with_its_pdf(scene, as_user, db):
    from sqlalchemy import select

    from app.messaging import attachments
    from app.models import Message
    from app.scheduling import lifecycle
    from tests.billing.conftest import NOW

    scene.insurer.email = "claims@sunlife.example.com"
    lifecycle.change_status(scene.appointment, AppointmentStatus.arrived, actor=None, now=NOW)
    api = as_user("frontdesk")
    invoice = api.post(f"/api/v1/cases/{scene.case.id}/invoices",
                       json={"charge_ids": [c["id"] for c in api.get(f"/api/v1/cases/{scene.case.id}/billing")
                                            .json["uninvoiced"]]}).json
    sent = api.post(f"/api/v1/invoices/{invoice['id']}/email", json={})
    assert sent.status_code == 202 and sent.json["to"] == "claims@sunlife.example.com"
    again = api.post(f"/api/v1/invoices/{invoice['id']}/email", json={"to": "ana@example.com"})
    assert again.status_code == 202
    bad = api.post(f"/api/v1/invoices/{invoice['id']}/email", json={"to": "not an address"})
    assert bad.status_code == 422
    messages = db.session.scalars(select(Message).where(Message.kind == "invoice").order_by(Message.id)).all()
    assert [m.to_address for m in messages] == ["claims@sunlife.example.com", "ana@example.com"]
    (name, mimetype, data), = attachments.for_message(messages[0])
    assert name == f"{invoice['number']}.pdf" and mimetype == "application/pdf" and data.startswith(b"%PDF")


def test_a_paid_or_arrived_visit_soon_is_never_said_to_be_a_late_cancel(scene, as_user, db):
    """The panel of a paid visit said canceling now would charge the late fee."""
    from datetime import timedelta

    from app.timeutil import utcnow

    scene.appointment.starts_at = utcnow() + timedelta(hours=3)
    scene.appointment.ends_at = scene.appointment.starts_at + timedelta(minutes=30)
    for occupancy in scene.appointment.occupancies:
        occupancy.starts_at, occupancy.ends_at = scene.appointment.starts_at, scene.appointment.ends_at
    api = as_user("frontdesk")
    url = f"/api/v1/appointments/{scene.appointment.id}"
    for status in (AppointmentStatus.arrived, AppointmentStatus.paid):
        scene.appointment.status = status
        db.session.commit()
        panel = api.get(url + "/billing").json
        assert panel["proposals"]["late_cancel"] is False and panel["proposals"]["late_cancel_fee"] is None
        assert panel["currency"] == "CAD"
