"""The import reads dates in the chosen location's order (a Lisboa file is day/month/year
in an en_CA clinic), and the import page can follow real progress: rows checked, rows written."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app.importing import progress, service
from app.models import Client
from app.uow import unit_of_work
from tests.importing.test_screens import manager  # noqa: F401  (a signed-in manager)

CSV = "first name;last name;date of birth\nAna;Silva;05/06/1985\nRui;Costa;1990-01-02\n".encode()


@pytest.mark.parametrize("country, language, order", [
    ("PT", None, "DMY"), ("PT", "pt", "DMY"), ("CA", None, "MDY"), ("FR", "fr", "DMY"), ("GB", None, "DMY"),
])
def test_a_location_gives_its_locale_date_order(db, people, country, language, order):
    people.other_location.country, people.other_location.language = country, language
    assert service.location_date_order(people.other_location) == order
    assert service.default_options(service.table_of(CSV), people.other_location)["date_order"] == order


def test_without_a_country_the_time_zone_says_lisboa(db, people):
    people.other_location.country = None  # Europe/Lisbon
    assert service.location_date_order(people.other_location) == "DMY"
    assert service.location_date_order(None) == service.clinic_date_order() == "MDY"  # the en_CA clinic


def test_the_cli_reads_a_lisboa_file_day_first(app, db, people, tmp_path):
    path = tmp_path / "lisboa.csv"
    path.write_bytes(CSV)
    result = app.test_cli_runner().invoke(args=["import-clients", str(path), "--location", "Lisbon"])
    assert result.exit_code == 0, result.output
    ana = db.session.scalar(select(Client).where(Client.first_name == "Ana"))
    assert ana.date_of_birth.isoformat() == "1985-06-05"


def test_the_mapping_screen_presets_the_uploaded_locations_order(manager, people, db):  # noqa: F811
    response = manager.post("/clients/import/upload", data={
        "file": (io.BytesIO(CSV), "lisboa.csv"), "location_id": str(people.other_location.id)},
        content_type="multipart/form-data")
    page = manager.get(response.headers["Location"]).get_data(as_text=True)
    assert '<option value="DMY" selected' in page
    assert f'value="{people.other_location.id}" data-date-order="DMY"' in page
    assert f'value="{people.location.id}" data-date-order="MDY"' in page


def test_an_import_reports_rows_checked_then_written(manager, people, db):  # noqa: F811
    rows = "".join(f"P{n};Client{n};\n" for n in range(1200))
    data = ("first name;last name;date of birth\n" + rows).encode()
    with unit_of_work():
        record = service.upload("many.csv", data, user_id=None)
        raw = service.default_options(service.table_of(data), people.location)
    heard: list[tuple[str, int, int]] = []
    with unit_of_work():
        service.execute(record, raw, lambda d, t: heard.append(("writing", d, t)),
                        checking=lambda d, t: heard.append(("checking", d, t)))
    assert heard == [("checking", 500, 1200), ("checking", 1000, 1200), ("checking", 1200, 1200),
                     ("writing", 1000, 1200), ("writing", 1200, 1200)]


def test_the_progress_endpoint_follows_the_run(manager, people, db):  # noqa: F811
    response = manager.post("/clients/import/upload", data={
        "file": (io.BytesIO(CSV), "lisboa.csv"), "location_id": str(people.other_location.id)},
        content_type="multipart/form-data")
    import_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    url = f"/clients/import/{import_id}/progress.json"
    assert manager.get(url).get_json() == {"phase": None, "done": 0, "total": 0}
    progress.record(import_id, progress.WRITING, 1, 2)
    assert manager.get(url).get_json() == {"phase": "writing", "done": 1, "total": 2}
    manager.post(f"/clients/import/{import_id}/run", data={})
    assert manager.get(url).get_json()["phase"] == "done"
    assert manager.get("/clients/import/999999/progress.json").status_code in (302, 404)  # no such import
