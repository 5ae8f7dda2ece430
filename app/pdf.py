"""HTML drawn as a PDF (xhtml2pdf), the one way: invoices (``billing/pdf.py``), a case's
signed notes (``clinical/pdf.py``) and filled forms (``intake/pdf.py``).

No database, no network: a document may load data: URIs and, with ``local_only``, files
under the app's static folder (the invoice logo); ``data_only`` allows nothing else.
"""
from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from xhtml2pdf import pisa

STATIC = Path(__file__).resolve().parent / "static"


class PdfError(RuntimeError):
    pass


def local_only(uri: str, rel: str) -> str:
    """Resources may only come from the app's static folder or data: URIs."""
    if uri.startswith("data:"):
        return uri
    path = Path(uri).resolve()
    return str(path) if path.is_file() and STATIC in path.parents else ""


def data_only(uri: str, rel: str) -> str:
    """Only data: URIs (a drawn signature); nothing is read from disk."""
    return uri if uri.startswith("data:") else ""


def draw(html: str, what: str, *, link_callback: Callable[[str, str], str] = local_only) -> bytes:
    """The PDF bytes of ``html``; ``what`` names the document in the error ("invoice 7")."""
    out = io.BytesIO()
    result = pisa.CreatePDF(html, dest=out, link_callback=link_callback)
    if result.err:
        raise PdfError(f"The PDF of {what} could not be drawn ({result.err} errors).")
    return out.getvalue()
