"""``flask import-clients FILE``: the same dry run and import as the managers' screen."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from sqlalchemy import or_, select

from app.errors import DomainError
from app.extensions import db
from app.importing import service
from app.importing.cleaning import DATE_ORDERS, FIELDS
from app.importing.planner import counts
from app.models import Location
from app.uow import unit_of_work


def register(app: Flask) -> None:
    @app.cli.command("import-clients")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--location", help="Location (name or id): clients' home location; its country reads local phones.")
    @click.option("--map", "maps", multiple=True, metavar="HEADER=FIELD",
                  help=f"Column mapping, repeatable (fields: {', '.join(FIELDS)}; FIELD empty skips the column). "
                       "Unmapped headers are guessed.")
    @click.option("--date-order", type=click.Choice(DATE_ORDERS), help="Order of day, month and year (default: the location's locale, else the clinic's).")
    @click.option("--update-duplicates", is_flag=True, help="Update clients already in the clinic instead of skipping them.")
    @click.option("--valid-rows-only", is_flag=True, help="Import the valid rows even when others have errors (default: all or nothing).")
    @click.option("--dry-run", is_flag=True, help="Report every row's outcome and write nothing.")
    @click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the report as CSV here.")
    def import_clients_command(file: Path, location, maps, date_order, update_duplicates, valid_rows_only, dry_run,
                               report_path) -> None:
        """Import clients from a CSV file (dry run first with --dry-run)."""
        data = file.read_bytes()
        try:
            with unit_of_work():
                record = service.upload(file.name, data, user_id=None)
                table = service.table_of(data)
                raw = service.default_options(table, service.location_of(_location_id(location)))
                raw.update(mapping=_mapping(table.header, raw["mapping"], maps), valid_rows_only=valid_rows_only,
                           on_duplicate="update" if update_duplicates else "skip",
                           date_order=date_order or raw["date_order"])
                click.echo(f"{file.name}: {len(table.rows)} rows, {table.encoding}, {table.delimiter_name}-separated.")
                click.echo("Columns: " + ", ".join(f"{h} → {m or '(not imported)'}" for h, m in zip(table.header, raw["mapping"])))
                with click.progressbar(length=len(table.rows), label="Checking rows") as bar:
                    outcomes = service.dry_run(record, raw, _advance(bar))
                report = [o.as_report() for o in outcomes]
                summary = counts(outcomes)
                if dry_run:
                    db.session.rollback()  # a dry run leaves no trace, not even the upload
                else:
                    with click.progressbar(length=summary["create"] + summary["update"], label="Writing") as bar:
                        result = service.execute(record, raw, _advance(bar))
                    report = record.report
        except DomainError as exc:
            raise click.ClickException(" ".join([exc.message, *(p.message for p in exc.problems)])) from exc
        for row in report:
            if row["action"] not in ("create", "unchanged"):
                click.echo(f"  line {row['line']}: {row['action']}: {' '.join(row['reasons'])}")
        click.echo("Outcome: " + ", ".join(f"{n} {action}" for action, n in summary.items() if n))
        if report_path:
            report_path.write_text(service.report_csv(report), encoding="utf-8")
            click.echo(f"Report written to {report_path}.")
        if dry_run:
            click.echo("Dry run: nothing was written.")
        elif not result.written:
            raise click.ClickException("Nothing was imported: some rows have errors (fix them, or use --valid-rows-only).")
        else:
            click.echo(f"Imported: {summary['create']} new, {summary['update']} updated (import #{record.id}).")


def _advance(bar):
    state = {"done": 0}

    def progress(done: int, total: int) -> None:
        bar.update(done - state["done"])
        state["done"] = done
    return progress


def _mapping(header: list[str], guessed: list, maps: tuple[str, ...]) -> list:
    mapping = list(guessed)
    for item in maps:
        title, sep, field = item.partition("=")
        if not sep or title.strip() not in header:
            raise click.BadParameter(f"{item!r}: write HEADER=FIELD with a header of the file ({', '.join(header)}).")
        mapping[header.index(title.strip())] = field.strip() or None
    return mapping


def _location_id(value: str | None) -> int | None:
    if not value:
        return None
    found = db.session.scalar(select(Location.id).where(
        or_(Location.name == value, Location.id == (int(value) if value.isdigit() else -1))))
    if found is None:
        raise click.BadParameter(f"No location named {value!r}.")
    return found
