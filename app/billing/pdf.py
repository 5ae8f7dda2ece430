"""The invoice as a printable PDF (xhtml2pdf), drawn only from the issued document.

It reads the invoice's snapshot and lines, never live records, so a PDF downloaded a
year later shows exactly what was issued. No database access, no network: the logo must
be a data: URI or a file under the app's static folder.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from flask_babel import force_locale, gettext, ngettext
from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.i18n import DEFAULT_LANGUAGE, formatting
from app.i18n.locales import bcp47
from app.models import Invoice, InvoiceKind
from app.pdf import STATIC, draw, local_only as _local_only  # tests/billing/test_pdf.py checks _local_only

TEMPLATES = Path(__file__).parent / "templates"
# Invoice lines per table in the PDF (see invoice_pdf.html): ReportLab's cost of breaking
# a table across pages grows with the rows it has left, so a long invoice is drawn as
# several tables of this many rows.
LINES_PER_TABLE = 40
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                   extensions=["jinja2.ext.i18n"])
_env.install_gettext_callables(gettext, ngettext, newstyle=True)
_env.filters.update(formatting.FILTERS)
_env.filters["iso_day"] = lambda value: formatting.day_medium(date.fromisoformat(value)) if value else ""


def invoice_html(invoice: Invoice, *, settled=None) -> str:
    """``settled``: the invoice's Settlement (paid, credited, balance) to print, or None."""
    snapshot = invoice.snapshot
    # The language the document was issued in (older invoices: English), kept in its snapshot.
    language = snapshot.get("language") or DEFAULT_LANGUAGE

    def amount(value) -> str:
        return formatting.money(Decimal(value), invoice.currency)

    with force_locale(language):
        title = gettext("Credit note") if invoice.kind == InvoiceKind.credit_note else gettext("Invoice")
        return _env.get_template("invoice_pdf.html").render(
            invoice=invoice, s=snapshot, title=title, amount=amount, lines=invoice.lines, settled=settled,
            lines_per_table=LINES_PER_TABLE,
            logo=_logo(snapshot["clinic"].get("logo")), lang=bcp47(language))


def invoice_pdf(invoice: Invoice, *, settled=None) -> bytes:
    """The PDF bytes of ``invoice`` (with what was paid and credited, when given)."""
    return draw(invoice_html(invoice, settled=settled), f"invoice {invoice.number}", link_callback=_local_only)


def filename(invoice: Invoice) -> str:
    return f"{'credit-note' if invoice.kind == InvoiceKind.credit_note else 'invoice'}-{invoice.number}.pdf"


def _logo(logo: str | None) -> str | None:
    if not logo:
        return None
    if logo.startswith("data:image/"):
        return logo
    path = (STATIC / logo.lstrip("/").removeprefix("static/")).resolve()
    return str(path) if path.is_file() and STATIC in path.parents else None


