"""Every staff read of a patient record writes exactly one access row: who, what, whose."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import delete, select

from app.billing import invoicing
from app.models import AccessEvent, Charge
from tests import factories
from tests.views.helpers import login

# (how the record is opened, url template, subject logged)
READS = [
    ("web", "/clientview/show/{client}", "client"),
    ("web", "/caseview/show/{case}", "case"),
    ("web", "/appointmentview/show/{appointment}", "appointment"),
    ("web", "/invoiceview/show/{invoice}", "invoice"),
    ("web", "/calendar/feed/appointment/{appointment}", "appointment"),
    ("api", "/api/v1/client/{client}", "client"),
    ("api", "/api/v1/case/{case}", "case"),
    ("api", "/api/v1/appointment/{appointment}", "appointment"),
    ("api", "/api/v1/invoices/{invoice}", "invoice"),
    ("api", "/api/v1/invoices/{invoice}/pdf", "invoice_pdf"),
]


@pytest.fixture()
def records(scene, db):
    charge = factories._add(Charge(case=scene.case, description="Assessment", unit_price=Decimal("80.00")))
    invoice = invoicing.issue(case=scene.case, charge_ids=[charge.id], actor=scene.people.manager,
                              today=date(2026, 3, 9), location=scene.people.location)
    db.session.execute(delete(AccessEvent))
    db.session.commit()
    return {"client": scene.client.id, "case": scene.case.id, "appointment": scene.appointment.id,
            "invoice": invoice.id}


def _rows(db):
    db.session.expire_all()
    return db.session.execute(select(AccessEvent.subject_type, AccessEvent.subject_id, AccessEvent.client_id,
                                     AccessEvent.actor_id)).all()


def _open(how: str, username: str, client, as_user):
    """The API with a JWT, or the browser session of the staff screens."""
    if how == "api":
        return as_user(username)
    login(client, username)
    return client


@pytest.mark.parametrize("how, template, subject", READS, ids=[f"{h}:{t}" for h, t, _ in READS])
def test_each_read_of_a_record_writes_one_access_row(client, as_user, records, scene, db, how, template, subject):
    response = _open(how, "manager", client, as_user).get(template.format(**records))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    kind = subject.removesuffix("_pdf")
    assert _rows(db) == [(subject, records[kind], scene.client.id, scene.people.manager.id)]


@pytest.mark.parametrize("how, template, subject", READS, ids=[f"{h}:{t}" for h, t, _ in READS])
def test_a_record_outside_ones_scope_is_not_found_and_not_logged(client, as_user, records, scene, db,
                                                                 how, template, subject):
    response = _open(how, "outsider", client, as_user).get(template.format(**records))
    assert response.status_code in (302, 403, 404)
    assert _rows(db) == []


def test_lists_log_no_reads(client, records, db):
    login(client, "manager")
    for url in ("/clientview/list/", "/caseview/list/", "/appointmentview/list/", "/invoiceview/list/"):
        assert client.get(url).status_code == 200
    assert _rows(db) == []
