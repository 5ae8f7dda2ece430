"""The managers' import screens and the exports, as a manager uses them; others are refused."""
from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from sqlalchemy import func, select

from app.models import AccessEvent, AuditEvent, Client, DataExport
from app.uow import unit_of_work
from tests import factories
from tests.billing.conftest import scene  # noqa: F401  (a client with a case, a visit and charges)
from tests.billing.test_pdf import issue
from tests.views.helpers import login

CSV = ("first name;last name;phone;email\n"
       "Zoë;Lefèvre;416 555 0123;zoe@example.com\n"
       "Bad;Phone;12;bad@example.com\n"
       "\n"
       "=cmd|' /C calc'!A0;Formula;;formula@example.com\n").encode("cp1252")


@pytest.fixture()
def manager(client, people, db):
    people.location.country = "CA"
    db.session.commit()
    login(client, "manager")
    return client


def upload(manager, people, data=CSV):
    response = manager.post("/clients/import/upload", data={
        "file": (io.BytesIO(data), "clients.csv"), "location_id": str(people.location.id)},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response.headers["Location"].rstrip("/").rsplit("/", 1)[1]


def test_a_manager_maps_dry_runs_imports_and_downloads_the_report(manager, people, db):
    import_id = upload(manager, people)
    page = manager.get(f"/clients/import/{import_id}/").get_data(as_text=True)
    assert "cp1252" in page and "semicolon" in page and "Lefèvre" in page
    form = {"map_0": "first_name", "map_1": "last_name", "map_2": "phone", "map_3": "email", "date_order": "DMY",
            "on_duplicate": "skip", "location_id": str(people.location.id)}
    dry = manager.post(f"/clients/import/{import_id}/dry-run", data=form)
    text = dry.get_data(as_text=True)
    assert dry.status_code == 200 and "Nothing has been written yet" in text and "is not a valid phone number" in text
    assert db.session.scalar(select(func.count(Client.id))) == 0

    refused = manager.post(f"/clients/import/{import_id}/run", data={})
    assert "Nothing was imported" in manager.get(refused.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(func.count(Client.id))) == 0

    done = manager.post(f"/clients/import/{import_id}/run", data={"valid_rows_only": "on"})
    assert "Imported 2 new" in manager.get(done.headers["Location"]).get_data(as_text=True)
    zoe = db.session.scalar(select(Client).where(Client.email == "zoe@example.com"))
    assert (zoe.first_name, zoe.phone, zoe.home_location_id) == ("Zoë", "+14165550123", people.location.id)

    report = manager.get(f"/clients/import/{import_id}/report.csv")
    rows = list(csv.reader(io.StringIO(report.get_data().decode("utf-8-sig"))))
    assert [r[:3] for r in rows] == [["line", "outcome", "name"], ["2", "create", "Zoë Lefèvre"],
                                     ["3", "error", "Bad Phone"], ["5", "create", "'=cmd|' /C calc'!A0 Formula"]]


def test_the_client_list_export_neutralises_formulas_and_is_recorded(manager, people, db):
    factories.make_client(first_name='=HYPERLINK("http://evil.example","x")', last_name="@SUM(A1)",
                          phone="+14165550123", email="h@example.com")
    db.session.commit()
    response = manager.post("/clients/import/export/clients.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert (rows[0]["first_name"], rows[0]["last_name"], rows[0]["phone"]) == (
        '\'=HYPERLINK("http://evil.example","x")', "'@SUM(A1)", "+14165550123")
    export = db.session.scalar(select(DataExport))
    assert (export.kind, export.row_count, export.actor_id) == ("clients_csv", 1, people.manager.id)
    assert db.session.scalar(select(AccessEvent.subject_type).where(AccessEvent.subject_id == export.id)) == "export"
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.entity_type == "DataExport")) == "created"


def test_the_client_list_export_is_a_post_with_the_pages_token(manager, db, app, monkeypatch):
    assert manager.get("/clients/import/export/clients.csv").status_code == 405
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert manager.post("/clients/import/export/clients.csv").status_code == 400
    page = manager.get("/clients/import/").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert 'action="/clients/import/export/clients.csv"' in page
    assert manager.post("/clients/import/export/clients.csv", data={"csrf_token": token}).status_code == 200
    assert db.session.scalar(select(func.count(DataExport.id))) == 1


def test_a_clients_complete_data_is_a_zip_of_json_and_invoice_pdfs(manager, scene, db):  # noqa: F811
    with unit_of_work():
        invoice = issue(scene)
    client_id = scene.case.client_id
    assert manager.get(f"/clients/import/export/client/{client_id}.zip").status_code == 405
    response = manager.post(f"/clients/import/export/client/{client_id}.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = set(archive.namelist())
    assert {"README.txt", "client.json", "cases.json", "visits.json", "invoices.json", "payments.json",
            "messages.json", "forms.json", f"invoices/invoice-{invoice.number}.pdf"} <= names
    assert json.loads(archive.read("client.json"))[0]["last_name"] == "Silva"
    assert len(json.loads(archive.read("cases.json"))) == 2 and len(json.loads(archive.read("visits.json"))) == 1
    assert archive.read(f"invoices/invoice-{invoice.number}.pdf").startswith(b"%PDF")
    logged = db.session.scalars(select(AccessEvent).where(AccessEvent.client_id == client_id)).all()
    assert [(e.subject_type, e.action) for e in logged] == [("export", "client_zip")]
    assert f'action="/clients/import/export/client/{client_id}.zip"' in manager.get(
        f"/clinical/clients/{client_id}").get_data(as_text=True)  # the client file's Export data button


@pytest.mark.parametrize("username", ["frontdesk", "provider"])
def test_only_managers_import_and_export(client, people, db, username):
    db.session.commit()
    login(client, username)
    assert client.get("/clients/import/").status_code in (302, 403)
    assert client.post("/clients/import/export/clients.csv").status_code in (302, 403)
    assert db.session.scalar(select(func.count(DataExport.id))) == 0
