"""Every row's outcome, decided before anything is written (the dry run is this plan).

A row is an error (with every reason), a new client, a duplicate of an earlier row of the
same file (skipped), or a client the clinic already has (same email, phone or tax id):
skipped or updated as the manager chose, and "unchanged" when the file adds nothing new,
so running the same file twice changes nothing.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext
from sqlalchemy import select

from app.extensions import db
from app.i18n import N_
from app.importing.cleaning import FIELDS, clean_row, field_word, normalise_tax_id
from app.importing.csvfile import CsvTable
from app.models import Client

CREATE, UPDATE, UNCHANGED, SKIP, IN_FILE, ERROR = "create", "update", "unchanged", "skip", "duplicate in file", "error"
MATCH_KEYS = ("email", "phone", "tax_id")
# The outcomes in words (the codes stay English in the stored report and its CSV).
ACTION_WORDS = {CREATE: N_("create"), UPDATE: N_("update"), UNCHANGED: N_("unchanged"), SKIP: N_("skip"),
                IN_FILE: N_("duplicate in file"), ERROR: N_("error")}


def action_words(action: str) -> str:
    """An outcome code ("duplicate in file") in the reader's language."""
    return gettext(ACTION_WORDS[action]) if action in ACTION_WORDS else action


@dataclass(frozen=True)
class ImportOptions:
    mapping: list[str | None]
    region: str  # phones without a country code are read in this country (the location's)
    date_order: str  # "DMY" | "MDY" | "YMD"
    this_year: int
    on_duplicate: str = "skip"  # "skip" | "update"; per-row choices in ``overrides``
    valid_rows_only: bool = False  # else all-or-nothing
    home_location_id: int | None = None
    overrides: dict[int, str] = field(default_factory=dict)  # file line → "skip" | "update"


@dataclass
class RowOutcome:
    line: int
    action: str
    reasons: list[str]
    values: dict[str, object]
    client_id: int | None = None
    name: str = ""
    changes: dict[str, object] = field(default_factory=dict)
    before: dict[str, object] = field(default_factory=dict)

    def as_report(self) -> dict:
        return {"line": self.line, "action": self.action, "name": self.name, "client_id": self.client_id,
                "reasons": self.reasons}


def _key(name: str, value) -> str:
    return value.lower() if name == "email" else normalise_tax_id(value) if name == "tax_id" else value


def existing_index() -> tuple[dict[str, dict[str, int]], dict[int, dict]]:
    """Existing clients by normalised email, phone and tax id, and their importable values."""
    columns = [Client.id] + [getattr(Client, name) for name in FIELDS if name != "full_name"]
    index: dict[str, dict[str, int]] = {name: {} for name in MATCH_KEYS}
    values: dict[int, dict] = {}
    for row in db.session.execute(select(*columns)).mappings():
        values[row["id"]] = dict(row)
        for name in MATCH_KEYS:
            if row[name]:
                index[name].setdefault(_key(name, row[name]), row["id"])
    return index, values


def plan(table: CsvTable, options: ImportOptions,
         progress: Callable[[int, int], None] | None = None) -> list[RowOutcome]:
    index, existing = existing_index()
    seen: dict[str, dict[str, int]] = {name: {} for name in MATCH_KEYS}
    outcomes: list[RowOutcome] = []
    total = len(table.rows)
    for number, row in enumerate(table.rows, 1):
        outcomes.append(_decide(row.line, row.cells, options, index, existing, seen))
        if progress and (number % 500 == 0 or number == total):
            progress(number, total)
    return outcomes


def _decide(line, cells, options, index, existing, seen) -> RowOutcome:
    cleaned = clean_row(cells, options.mapping, region=options.region, date_order=options.date_order,
                        this_year=options.this_year)
    values = cleaned.values
    name = f"{values.get('first_name', '')} {values.get('last_name', '')}".strip()
    if cleaned.problems:
        return RowOutcome(line, ERROR, cleaned.problems, values, name=name)
    keys = {n: _key(n, values[n]) for n in MATCH_KEYS if values.get(n)}
    earlier = [(n, seen[n][k]) for n, k in keys.items() if k in seen[n]]
    if earlier:
        label, first_line = earlier[0]
        return RowOutcome(line, IN_FILE, [gettext("Same %(field)s as line %(line)s; only the first is imported.",
                                                  field=field_word(label), line=first_line)]
                          + cleaned.warnings, values, name=name)
    for n, k in keys.items():
        seen[n][k] = line
    matches = {n: index[n][k] for n, k in keys.items() if k in index[n]}
    if not matches:
        return RowOutcome(line, CREATE, cleaned.warnings, values, name=name)
    ids = set(matches.values())
    if len(ids) > 1:
        found = ", ".join(gettext("#%(id)s by %(field)s", id=cid, field=field_word(n)) for n, cid in matches.items())
        return RowOutcome(line, ERROR, [gettext("Matches more than one existing client (%(found)s); merge them first or fix the row.",
                                                found=found)],
                          values, name=name)
    client_id = ids.pop()
    why = gettext("Already a client (#%(id)s, same %(fields)s).", id=client_id,
                  fields=", ".join(field_word(n) for n in matches))
    if options.overrides.get(line, options.on_duplicate) != "update":
        return RowOutcome(line, SKIP, [why, *cleaned.warnings], values, client_id=client_id, name=name)
    current = existing[client_id]
    changes = {n: v for n, v in values.items() if current.get(n) != v}
    if not changes:
        return RowOutcome(line, UNCHANGED, [why, gettext("The file adds nothing new.")], values, client_id=client_id, name=name)
    listed = ", ".join(field_word(n) for n in changes)
    return RowOutcome(line, UPDATE, [why, gettext("Updates %(fields)s.", fields=listed), *cleaned.warnings], values,
                      client_id=client_id, name=name, changes=changes,
                      before={n: current.get(n) for n in changes})


def counts(outcomes: list[RowOutcome]) -> dict[str, int]:
    result = {action: 0 for action in (CREATE, UPDATE, UNCHANGED, SKIP, IN_FILE, ERROR)}
    for outcome in outcomes:
        result[outcome.action] += 1
    return result
