"""A Lisboa team member's staff pages in a real browser: the note editor (its autosave
state drawn by note.js), the shift planner (its table drawn by planner.js) and the client
import screens are in Portuguese (``<html lang="pt-PT">``) without choosing a language:
their location's language is theirs."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from app.models import AppointmentStatus
from app.security import MANAGER
from app.timeutil import utcnow
from tests import factories
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser
SHOTS = Path("/work/shots/i18nstaff")
CSV = "Nome;Apelido;Telemóvel\r\nAna;Silva;912345678\r\nRui;Costa;12\r\n".encode("utf-8")


@pytest.fixture()
def lisboa(db, people):
    people.other_location.language, people.other_location.country = "pt_PT", "PT"
    factories.make_team_member(MANAGER, username="gestora", locations=[people.other_location])
    client = factories.make_client(first_name="Inês", last_name="Gonçalves")
    case = factories.make_case(client=client, discipline=people.discipline, provider=people.outsider)
    visit = factories.make_appointment(people.outsider.calendars[0], utcnow() + timedelta(hours=1), case=case,
                                       status=AppointmentStatus.arrived)
    db.session.commit()
    visit_id = visit.id
    db.session.close()  # no transaction open while the server thread works (SQLite)
    return visit_id


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_lisboa_provider_writes_a_note_and_plans_shifts_in_portuguese(page, live_server, lisboa):
    log_in(page, live_server, "outsider", factories.PASSWORD)
    page.goto(f"{live_server}/clinical/visits/{lisboa}/note")
    assert page.get_attribute("html", "lang") == "pt-PT"
    assert page.locator("#sign-note").inner_text() == "Assinar nota"
    assert page.locator(".previous-notes h4").inner_text() == "Notas anteriores deste processo"
    assert page.locator("#save-state").inner_text() == "Rascunho"
    page.locator("#note-form textarea").first.fill("Dor ao subir escadas")
    page.wait_for_function("document.getElementById('save-state').textContent === 'Guardado'")
    shoot(page, "note-editor")

    page.goto(f"{live_server}/planner/")
    assert page.get_attribute("html", "lang") == "pt-PT"
    assert page.locator("h2").first.inner_text() == "Planeador de turnos"
    assert page.locator("#planner-today").inner_text() == "Esta semana"
    page.wait_for_selector("#planner-head th:nth-child(2)")
    head = page.locator("#planner-head th").all_inner_texts()
    assert head[0] == "Agenda" and head[1].startswith("seg"), head  # Monday in Portuguese
    assert "Terapeuta" in page.locator("#planner-body .kind").all_inner_texts()
    shoot(page, "planner")


def test_a_lisboa_manager_imports_clients_in_portuguese(page, live_server, lisboa, tmp_path):
    log_in(page, live_server, "gestora", factories.PASSWORD)
    page.goto(f"{live_server}/clients/import/")
    assert page.get_attribute("html", "lang") == "pt-PT"
    assert page.locator("h1").inner_text() == "Importar clientes"
    assert page.locator("label[for=file]").inner_text() == "Ficheiro CSV"
    shoot(page, "import")
    upload = tmp_path / "clientes.csv"
    upload.write_bytes(CSV)
    page.set_input_files("#file", str(upload))
    page.select_option("#location_id", label="Lisbon")  # phones without +351 are Portuguese
    page.click("button[type=submit].btn-primary")
    page.wait_for_load_state()
    assert page.locator("label[for=date_order]").inner_text() == "As datas estão escritas"
    shoot(page, "import-mapping")
    page.click("text=Simulação: verificar cada linha")
    page.wait_for_load_state()
    assert "Ainda nada foi gravado" in page.locator("p.lead").inner_text()
    rows = page.locator("table tbody tr").all_inner_texts()
    assert "criar" in rows[0] and "erro" in rows[1] and "não é um número de telefone válido" in rows[1], rows
    shoot(page, "import-dry-run")
