"""`flask import-clients FILE`: the dry run writes nothing; the import writes and reports;
a second run of the same file changes nothing."""
from __future__ import annotations

import csv

from sqlalchemy import func, select

from app.models import Client, ClientImport

DATA = ("Name,Telefone,E-mail,Birthday\n"
        "Hélène Côté,(416) 555-0123,helene@example.com,1980-05-17\n"
        "Bad Phone,12,bad@example.com,\n"
        "Hélène Duplicate,416-555-0123,,\n").encode("cp1252")


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=["import-clients", *args], catch_exceptions=False)


def test_dry_run_then_import_then_rerun(app, db, people, tmp_path):
    people.location.country = "CA"
    db.session.commit()
    path, report = tmp_path / "clients.csv", tmp_path / "report.csv"
    path.write_bytes(DATA)

    dry = invoke(app, str(path), "--location", "Downtown", "--dry-run", "--report", str(report))
    assert dry.exit_code == 0, dry.output
    assert "3 rows, cp1252, comma-separated" in dry.output
    assert "Name → full_name" in dry.output and "Birthday → date_of_birth" in dry.output
    assert "line 3: error: Phone: “12” is not a valid phone number" in dry.output
    assert "line 4: duplicate in file: Same phone as line 2" in dry.output
    assert "Dry run: nothing was written." in dry.output
    assert db.session.scalar(select(func.count(Client.id))) == 0
    assert db.session.scalar(select(func.count(ClientImport.id))) == 0
    assert [row[:2] for row in csv.reader(report.read_text(encoding="utf-8").splitlines())] == [
        ["line", "outcome"], ["2", "create"], ["3", "error"], ["4", "duplicate in file"]]

    refused = app.test_cli_runner().invoke(args=["import-clients", str(path), "--location", "Downtown"])
    assert refused.exit_code == 1 and "Nothing was imported" in refused.output
    assert db.session.scalar(select(func.count(Client.id))) == 0

    done = invoke(app, str(path), "--location", "Downtown", "--valid-rows-only")
    assert done.exit_code == 0 and "Imported: 1 new, 0 updated" in done.output, done.output
    helene = db.session.scalar(select(Client))
    assert (helene.first_name, helene.last_name, helene.phone, helene.home_location_id) == (
        "Hélène", "Côté", "+14165550123", people.location.id)

    again = invoke(app, str(path), "--location", "Downtown", "--valid-rows-only", "--update-duplicates")
    assert "Imported: 0 new, 0 updated" in again.output and "1 unchanged" in again.output
    assert db.session.scalar(select(func.count(Client.id))) == 1


def test_a_mapping_names_a_header_of_the_file(app, db, tmp_path):
    path = tmp_path / "clients.csv"
    path.write_bytes(DATA)
    result = app.test_cli_runner().invoke(args=["import-clients", str(path), "--map", "Surname=last_name"])
    assert result.exit_code == 2 and "write HEADER=FIELD with a header of the file" in result.output
