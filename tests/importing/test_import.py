"""CSV import of clients: one file with every problem → the exact report; the import
writes all or nothing, or only the valid rows; running the same file again changes nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.importing import service
from app.models import AuditEvent, Client, ClientImport
from app.uow import unit_of_work
from tests import factories

LONG = "X" * 5000
# Latin-1 (as older Windows software saves it), semicolon-separated, Portuguese headers.
LINES = [
    "Nome;Apelido;Data de nascimento;Email;Telemóvel;NIF;Notas",
    "João;Conceição;17/05/1980;joao@example.pt;912 345 678;123 456 789;Alergia ao látex",  # 2 new
    ";;;;;;",  # 3 empty: left out
    "Hélène;Côté;31/02/1975;helene@example.fr;912345679;;",  # 4 bad date
    "Ana;Silva;01/01/1990;ana@example.pt;12;;",  # 5 bad phone
    "Rui;Costa;05/06/1985;JOAO@example.pt;;;",  # 6 same email as line 2
    "Maria;Santos;;;+351 913 000 000;;",  # 7 already a client (phone)
    f"{LONG};Longo;;;;;",  # 8 5,000-character cell
    '"=HYPERLINK(""http://evil.example"",""click"")";Pinto;;pinto@example.pt;;;',  # 9 formula: kept as text
    "Pedro;;;pedro@example.pt;;;",  # 10 no last name
    "Inês;Ferreira;1988-03-04;ines@example.pt;;pt 987 654 321;",  # 11 ISO date
    "Carla;Dias;;;;555.666.777;",  # 12 already a client (tax id)
    "",
]
FILE = "\r\n".join(LINES).encode("latin-1")

EXPECTED = [
    (2, "create", []),
    (4, "error", ["Date of birth: “31/02/1975” is not a real date (read as day 31, month 02, year 1975)."]),
    (5, "error", ["Phone: “12” is not a valid phone number (include the country code if it is not local)."]),
    (6, "duplicate in file", ["Same email as line 2; only the first is imported."]),
    (7, "skip", ["Already a client (#{maria}, same phone)."]),
    (8, "error", ["First name is 5000 characters long; at most 80 fit."]),
    (9, "create", ["First name starts with “=”; it is kept as text and exported with a leading apostrophe."]),
    (10, "error", ["Last name is missing."]),
    (11, "create", []),
    (12, "skip", ["Already a client (#{carla}, same tax id)."]),
]


@pytest.fixture()
def clinic(db, people):
    people.other_location.country = "PT"
    maria = factories.make_client(first_name="Maria", last_name="Santos", email=None, phone="+351913000000")
    carla = factories.make_client(first_name="Carla", last_name="Dias", email=None, tax_id="555666777")
    db.session.commit()
    return {"location": people.other_location, "maria": maria.id, "carla": carla.id}


def options(clinic, **kw):
    table = service.table_of(FILE)
    raw = service.default_options(table)
    raw.update(date_order="DMY", location_id=clinic["location"].id, **kw)
    return raw


def upload(data=FILE):
    with unit_of_work():
        return service.upload("clientes.csv", data, user_id=None).id


def report_of(outcomes, clinic):
    return [(o.line, o.action, o.reasons) for o in outcomes], [
        (line, action, [r.format(**clinic) for r in reasons]) for line, action, reasons in EXPECTED]


def test_the_file_is_read_as_latin1_semicolons_and_the_columns_are_guessed(app_ctx):
    table = service.table_of(FILE)
    assert (table.encoding, table.delimiter_name) == ("cp1252", "semicolon")
    assert table.header[4] == "Telemóvel"
    assert service.default_options(table)["mapping"] == [
        "first_name", "last_name", "date_of_birth", "email", "phone", "tax_id", "alerts"]
    assert [row.line for row in table.rows] == [2, 4, 5, 6, 7, 8, 9, 10, 11, 12]


def test_the_dry_run_reports_every_row_with_its_reasons_and_writes_nothing(db, clinic):
    import_id = upload()
    before = db.session.scalar(select(func.count(Client.id)))
    with unit_of_work():
        outcomes = service.dry_run(service.get(import_id), options(clinic))
    got, expected = report_of(outcomes, clinic)
    assert got == expected
    assert db.session.scalar(select(func.count(Client.id))) == before


def test_all_or_nothing_with_errors_imports_nothing(db, clinic):
    import_id = upload()
    with unit_of_work():
        result = service.execute(service.get(import_id), options(clinic))
    assert not result.written
    assert db.session.scalar(select(func.count(Client.id))) == 2
    assert service.get(import_id).status == "refused"


def test_valid_rows_only_imports_the_valid_rows_audited_and_a_rerun_changes_nothing(db, clinic):
    import_id = upload()
    with unit_of_work():
        result = service.execute(service.get(import_id), options(clinic, valid_rows_only=True))
    assert result.written and result.counts["create"] == 3
    joao = db.session.scalar(select(Client).where(Client.email == "joao@example.pt"))
    assert (joao.first_name, joao.last_name, joao.phone, joao.tax_id, str(joao.date_of_birth), joao.alerts) == (
        "João", "Conceição", "+351912345678", "123456789", "1980-05-17", "Alergia ao látex")
    assert joao.home_location_id == clinic["location"].id
    formula = db.session.scalar(select(Client).where(Client.email == "pinto@example.pt"))
    assert formula.first_name == '=HYPERLINK("http://evil.example","click")'
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "imported", AuditEvent.entity_type == "Client")) == 3
    record = service.get(import_id)
    assert record.status == "imported" and record.content is None and len(record.report) == 10

    snapshot = sorted(db.session.execute(select(Client.id, Client.first_name, Client.phone, Client.tax_id)).all())
    for on_duplicate, action in (("skip", "skip"), ("update", "unchanged")):
        again = upload()
        with unit_of_work():
            rerun = service.execute(service.get(again), options(clinic, valid_rows_only=True, on_duplicate=on_duplicate))
        assert rerun.counts["create"] == rerun.counts["update"] == 0
        assert [r["action"] for r in service.get(again).report if r["line"] in (2, 9, 11)] == [action] * 3
        assert sorted(db.session.execute(select(Client.id, Client.first_name, Client.phone, Client.tax_id)).all()) == snapshot


def test_update_changes_only_what_the_file_adds_and_per_row_choices_win(db, clinic):
    data = "first name,last name,phone,email\nMaria,Santos,+351 913 000 000,maria@example.pt\nCarla,Dias,,\n".encode()
    import_id = upload(data)
    raw = service.default_options(service.table_of(data))
    raw.update(location_id=clinic["location"].id, on_duplicate="update", overrides={"3": "skip"})
    factories.make_client(first_name="Carla", last_name="Dias", email=None, phone=None)  # no key: a new Carla
    with unit_of_work():
        service.execute(service.get(import_id), raw)
    maria = db.session.get(Client, clinic["maria"])
    assert maria.email == "maria@example.pt"
    change = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "updated_by_import"))
    assert (change.entity_id, change.before, change.after) == (clinic["maria"], {"email": None}, {"email": "maria@example.pt"})


@pytest.mark.parametrize("data, encoding, delimiter", [
    ("\ufefffirst name,last name\nJoão,Conceição\n".encode("utf-8"), "utf-8-sig", "comma"),
    ("first name;last name\nHélène;Côté\n".encode("utf-8"), "utf-8", "semicolon"),
    ("first name\tlast name\nFrançois\tLefèvre\n".encode("cp1252"), "cp1252", "tab"),
    ("first name,last name\n\n\nZoë,Œuvre\n".encode("cp1252"), "cp1252", "comma"),
])
def test_encodings_and_delimiters_are_detected(app_ctx, data, encoding, delimiter):
    table = service.table_of(data)
    assert (table.encoding, table.delimiter_name) == (encoding, delimiter)
    assert table.header == ["first name", "last name"]
    assert len(table.rows) == 1 and table.rows[0].cells[0] in ("João", "Hélène", "François", "Zoë")


@pytest.mark.parametrize("data, message", [
    (b"", "The file is empty."),
    (b"first name,last name\n", "no clients"),
    (b"\x00\x01PK\x03\x04", "not a CSV"),
])
def test_unreadable_files_are_refused_with_a_reason(db, data, message):
    from app.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match=message):
        upload(data)
    assert db.session.scalar(select(func.count(ClientImport.id))) == 0
