"""CSV files people open in a spreadsheet: the one way the app answers with one.

The body starts with a UTF-8 byte-order mark, so Excel reads "Zoë" and "€" instead of
guessing the Windows code page; other readers skip it (Python: ``utf-8-sig``)."""
from __future__ import annotations

from flask import Response

BOM = "\ufeff"


def csv_download(text: str, filename: str) -> Response:
    response = Response(BOM + text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
