"""The invoice PDF says what was issued: checked by extracting its text."""
from __future__ import annotations

import io
from decimal import Decimal

from pypdf import PdfReader

from app.billing import balances, charges, invoicing, pdf
from app.billing.balances import Settlement
from app.models import AppointmentStatus, clinic_settings
from app.scheduling import lifecycle
from tests.billing.conftest import NOW, TODAY


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def issue(scene):
    clinic_settings().clinic_name = "Harbour Physio"
    scene.people.location.tax_id = "RT-123456789"
    lifecycle.change_status(scene.appointment, AppointmentStatus.arrived, actor=scene.actor, now=NOW)
    return invoicing.issue(case=scene.case, charge_ids=[c.id for c in invoicing.uninvoiced(scene.case)],
                           actor=scene.actor, today=TODAY)


def test_the_pdf_carries_the_clinic_the_parties_the_lines_and_the_totals(scene, db):
    invoice = issue(scene)
    data = pdf.invoice_pdf(invoice, settled=Settlement(Decimal("50.00"), Decimal("0.00"), Decimal("67.52")))
    assert data.startswith(b"%PDF")
    text = text_of(data)
    for expected in ("Harbour Physio", "RT-123456789", "Invoice", "DT-000001", "March 16, 2026", "Sun Life",
                     "Ana Silva", "12 King St", "CL-778", "PT-4411", "Physiotherapy follow-up", "Kinesiology tape",
                     "PT-FU", "$104.00", "$13.52", "$117.52", "$67.52"):
        assert expected in text, expected


def test_the_pdf_of_a_credit_note_names_the_invoice_it_credits(scene, db):
    invoice = issue(scene)
    note = invoicing.credit_note(invoice=invoice, actor=scene.actor, reason="Billed to the wrong insurer", today=TODAY)
    text = text_of(pdf.invoice_pdf(note))
    assert "Credit note" in text and "DT-000002" in text and "Credits invoice DT-000001" in text
    assert "Billed to the wrong insurer" in text and "-$117.52" in text
    assert pdf.filename(note) == "credit-note-DT-000002.pdf"


def test_the_pdf_shows_what_was_issued_even_after_the_client_changes(scene, db):
    invoice = issue(scene)
    db.session.commit()
    scene.case.client.last_name = "Costa"
    db.session.commit()
    assert "Ana Silva" in text_of(pdf.invoice_pdf(invoice))


def test_a_remote_logo_is_never_fetched(scene, db):
    clinic_settings().logo = "https://example.com/logo.png"
    invoice = issue(scene)
    assert pdf._logo(invoice.snapshot["clinic"]["logo"]) is None
    assert pdf._local_only("https://example.com/x.png", "") == ""
    assert text_of(pdf.invoice_pdf(invoice))


def test_a_credited_unpaid_invoice_says_credited_not_paid(scene, db):
    invoice = issue(scene)
    invoicing.credit_note(invoice=invoice, actor=scene.actor, reason="Billed in error", today=TODAY)
    settled = balances.settlement(invoice)
    assert (settled.paid, settled.credited, settled.balance) == (Decimal("0.00"), invoice.total, Decimal("0.00"))
    text = text_of(pdf.invoice_pdf(invoice, settled=settled))
    assert "Credited in full" in text and "PAID" not in text and "-$117.52" in text


def test_a_lisbon_clients_invoice_is_in_portuguese_and_euros(scene, db):
    scene.people.location.language = "pt_PT"
    scene.people.location.currency = "EUR"
    invoice = issue(scene)
    assert (invoice.currency, invoice.snapshot["language"]) == ("EUR", "pt_PT")
    text = " ".join(text_of(pdf.invoice_pdf(
        invoice, settled=Settlement(Decimal("0.00"), Decimal("0.00"), Decimal("117.52")))).split())
    for expected in ("Fatura", "N.º DT-000001", "16 de março de 2026", "FATURAR A", "Saldo em dívida", "Descrição"):
        assert expected in text, expected
    assert "117,52" in text and "€" in text
    assert "Invoice" not in text and "Balance due" not in text


def test_the_clients_own_language_wins_over_the_locations(scene, db):
    scene.people.location.language = "pt_PT"
    scene.case.client.preferred_language = "fr_CA"
    invoice = issue(scene)
    text = text_of(pdf.invoice_pdf(invoice))
    assert "Facture" in text and "16 mars 2026" in text


def test_a_long_invoice_prints_every_line_in_order_with_column_heads_on_every_page(scene, db, monkeypatch):
    # Drawn as several tables (pdf.LINES_PER_TABLE lines each) so that the time grows
    # linearly with the lines; the pages after the first carry the heads in a frame.
    monkeypatch.setattr(pdf, "LINES_PER_TABLE", 10)
    added = charges.add(case=scene.case, actor=scene.actor, inputs=[
        charges.ChargeInput(description=f"Line {i:03d}", unit_price=Decimal("10.00")) for i in range(1, 71)])
    invoice = invoicing.issue(case=scene.case, charge_ids=[c.id for c in added], actor=scene.actor, today=TODAY)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf.invoice_pdf(invoice))).pages]
    assert len(pages) >= 2
    text = "\n".join(pages)
    positions = [text.index(f"Line {i:03d}") for i in range(1, 71)]
    assert positions == sorted(positions)
    for page in pages:
        assert page.count("Description") == 1 and page.count("Amount") == 1
        assert page.index("Description") < page.index("Line ")
    assert "$700.00" in pages[-1]
