"""The import as managers and the CLI run it: upload, dry run, import, report.

No HTTP here. The edge (screen or ``flask import-clients``) wraps each step in
``unit_of_work()``; ``execute`` writes everything or nothing in that one transaction.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable

from babel.core import UnknownLocaleError
from flask import current_app
from flask_babel import gettext
from sqlalchemy import select

from app import audit
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.importing import planner, runner
from app.importing import progress as import_progress
from app.importing.cleaning import DATE_ORDERS, FIELDS, field_label, locale_date_order
from app.importing.csvfile import CsvTable, UnreadableFile, read_table
from app.importing.cells import neutralise
from app.models import ClientImport, Location
from app.timeutil import utcnow

MAX_BYTES = 20 * 1024 * 1024
PREVIEW_ROWS = 5


def upload(filename: str, data: bytes, *, user_id: int | None) -> ClientImport:
    if len(data) > MAX_BYTES:
        raise ValidationFailed(gettext("The file is larger than %(size)s MB; split it in parts.", size=MAX_BYTES // (1024 * 1024)))
    table = table_of(data)
    if not table.rows:
        raise ValidationFailed(gettext("The file has a header line but no clients."))
    record = ClientImport(filename=(filename or "clients.csv")[:255], content=data, created_by_id=user_id,
                          status="uploaded", created_at=utcnow())
    db.session.add(record)
    db.session.flush()
    import_progress.clear(record.id)
    return record


def table_of(data: bytes) -> CsvTable:
    try:
        return read_table(data)
    except UnreadableFile as exc:
        raise ValidationFailed(str(exc)) from exc


def get(import_id: int) -> ClientImport:
    record = db.session.get(ClientImport, import_id)
    if record is None:
        raise NotFound(gettext("There is no such import."))
    return record


def default_options(table: CsvTable, location: Location | None = None) -> dict:
    """What the screen and the CLI start from; dates are read in the location's order."""
    from app.importing.cleaning import guess_mapping

    return {"mapping": guess_mapping(table.header), "date_order": location_date_order(location),
            "on_duplicate": "skip", "valid_rows_only": False, "location_id": location.id if location else None,
            "overrides": {}}


def clinic_date_order() -> str:
    return locale_date_order(current_app.config.get("PLINTH_LOCALE", "en_CA"))


def location_date_order(location: Location | None) -> str:
    """The date order of the location's locale (its language in its country: a Lisboa file is
    day/month/year even in an en_CA clinic); the clinic's without a location."""
    if location is None:
        return clinic_date_order()
    clinic = current_app.config.get("PLINTH_LOCALE", "en_CA")
    language = (location.language or clinic).split("_")[0].split("-")[0]
    for candidate in (f"{language}_{location.phone_region}", f"en_{location.phone_region}", clinic):
        try:
            return locale_date_order(candidate)
        except (ValueError, UnknownLocaleError):
            continue
    return clinic_date_order()


def location_of(location_id) -> Location | None:
    if not location_id:
        return None
    try:
        location = db.session.get(Location, int(location_id))
    except (TypeError, ValueError):
        raise ValidationFailed(gettext("There is no such location.")) from None
    if location is None:
        raise ValidationFailed(gettext("There is no such location."))
    return location


def build_options(table: CsvTable, raw: dict) -> planner.ImportOptions:
    """Checked import options from what the screen or the command line chose."""
    mapping = list(raw.get("mapping") or [])[:len(table.header)]
    mapping += [None] * (len(table.header) - len(mapping))
    mapping = [name or None for name in mapping]
    unknown = [name for name in mapping if name and name not in FIELDS]
    if unknown:
        raise ValidationFailed(gettext("Unknown client field(s): %(names)s.", names=", ".join(unknown)))
    doubled = {name for name in mapping if name and mapping.count(name) > 1}
    if doubled:
        raise ValidationFailed(gettext("Each field can come from one column only: %(names)s.",
                                       names=", ".join(field_label(name) for name in sorted(doubled))))
    has_names = {"first_name", "last_name"} <= set(mapping) or "full_name" in mapping
    if not has_names:
        raise ValidationFailed(gettext("Choose the columns that hold the first and last names (or a full name)."))
    if raw.get("date_order") not in DATE_ORDERS:
        raise ValidationFailed(gettext("The date order is one of DMY, MDY or YMD."))
    if raw.get("on_duplicate") not in ("skip", "update"):
        raise ValidationFailed(gettext("Duplicates are either skipped or updated."))
    location = location_of(raw.get("location_id"))
    overrides = {int(line): choice for line, choice in (raw.get("overrides") or {}).items() if choice in ("skip", "update")}
    return planner.ImportOptions(
        mapping=mapping, region=phone_region(location), date_order=raw["date_order"],
        this_year=utcnow().year, on_duplicate=raw["on_duplicate"], valid_rows_only=bool(raw.get("valid_rows_only")),
        home_location_id=location.id if location else None, overrides=overrides)


def phone_region(location: Location | None) -> str:
    """Phones without a country code: the one rule, Location.phone_region_of."""
    return Location.phone_region_of(location)


def dry_run(record: ClientImport, raw: dict, progress: Callable[[int, int], None] | None = None):
    table = _table(record)
    options = build_options(table, raw)
    record.options = {**raw, "overrides": {str(k): v for k, v in options.overrides.items()}}
    return planner.plan(table, options, progress)


def execute(record: ClientImport, raw: dict, progress: Callable[[int, int], None] | None = None,
            checking: Callable[[int, int], None] | None = None) -> runner.RunResult:
    """Plan and write in the caller's transaction; the report is kept, the file dropped.
    ``checking`` hears of the rows checked, ``progress`` of the rows written."""
    table = _table(record)
    options = build_options(table, raw)
    outcomes = planner.plan(table, options, checking)
    result = runner.run(outcomes, options, progress)
    record.options = {**raw, "overrides": {str(k): v for k, v in options.overrides.items()}}
    record.counts = result.counts
    record.report = [o.as_report() for o in outcomes]
    record.status = "imported" if result.written else "refused"
    record.finished_at = utcnow()
    if result.written:
        record.content = None
    audit.record(db.session, entity=record, action=record.status,
                 after={"filename": record.filename, "counts": result.counts})
    return result


def _table(record: ClientImport) -> CsvTable:
    if record.content is None:
        raise ValidationFailed(gettext("This file was already imported; upload it again to import it once more."))
    return table_of(record.content)


def report_csv(report: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["line", "outcome", "name", "client id", "reasons"])
    for row in report:
        writer.writerow([row["line"], row["action"], neutralise(row["name"]), row["client_id"] or "",
                         neutralise(" ".join(row["reasons"]))])
    return out.getvalue()


def recent(limit: int = 20) -> list[ClientImport]:
    return list(db.session.scalars(select(ClientImport).order_by(ClientImport.id.desc()).limit(limit)))
