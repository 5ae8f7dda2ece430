"""Spreadsheet cells that are safe to open: formula injection neutralised (pure)."""
from __future__ import annotations

import re

# A cell starting with one of these runs as a formula in Excel, LibreOffice or Sheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d[\d\s().-]*$")


def neutralise(value) -> str:
    """``=HYPERLINK(...)`` → ``'=HYPERLINK(...)`` (text); plain signed numbers such as an
    E.164 phone (+14165550123) stay as they are."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text
