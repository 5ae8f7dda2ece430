"""Reading a spreadsheet's CSV as it arrives: any of the usual encodings and delimiters.

Pure: bytes in, header and rows out. Clinics export from Excel (Windows-1252, ``;`` in
locales with a decimal comma), Google Sheets or LibreOffice (UTF-8, sometimes with a BOM)
and older practice software (Latin-1); names like "João" and "Hélène" must survive.
"""
from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass

from flask_babel import gettext

from app.i18n import N_

DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": N_("comma"), ";": N_("semicolon"), "\t": N_("tab")}  # translated where shown
# Bigger than any field needs, so an over-long cell is reported rather than crashing the reader.
csv.field_size_limit(1_000_000)


class UnreadableFile(ValueError):
    pass


@dataclass(frozen=True)
class CsvRow:
    line: int  # the file's line where this row starts (the header is line 1)
    cells: list[str]


@dataclass(frozen=True)
class CsvTable:
    encoding: str
    delimiter: str
    header: list[str]
    rows: list[CsvRow]  # empty lines left out

    @property
    def delimiter_name(self) -> str:
        return DELIMITER_NAMES[self.delimiter]


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was in: UTF-8 (with or without BOM), else Windows-1252,
    else Latin-1 (which decodes any byte)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict"), "utf-8-sig"
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most, equally many columns."""
    sample = [line for line in text.splitlines()[:20] if line.strip()]
    if not sample:
        return ","
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        widths = [len(row) for row in csv.reader(sample, delimiter=delimiter)]
        header_width = widths[0]
        consistent = sum(1 for width in widths if width == header_width)
        score = (header_width if header_width > 1 else 0, consistent)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_table(data: bytes, *, encoding: str | None = None, delimiter: str | None = None) -> CsvTable:
    if not data.strip():
        raise UnreadableFile(gettext("The file is empty."))
    if encoding:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise UnreadableFile(gettext("The file cannot be read as %(encoding)s.", encoding=encoding)) from exc
        text = text.removeprefix("\ufeff")
    else:
        text, encoding = decode(data)
    if "\x00" in text:
        raise UnreadableFile(gettext("This is not a CSV text file (it holds binary data); save the sheet as CSV first."))
    delimiter = delimiter or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[CsvRow] = []
    next_line = 1
    try:
        for cells in reader:
            line, next_line = next_line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = [cell.strip() for cell in cells]
            else:
                rows.append(CsvRow(line, cells))
    except csv.Error as exc:
        raise UnreadableFile(gettext("Line %(line)s: %(error)s.", line=reader.line_num, error=exc)) from exc
    if header is None:
        raise UnreadableFile(gettext("The file is empty."))
    return CsvTable(encoding, delimiter, header, rows)
