"""Data out: the clinic's clients as CSV, and one client's complete data as a zip.

Both are recorded (a ``DataExport`` row, audited) and logged in the access log under
"export". CSV cells that a spreadsheet would run as a formula (``=HYPERLINK(...)``,
``@SUM``, ``+cmd``) are neutralised with a leading apostrophe; plain signed numbers such
as an E.164 phone stay as they are.
"""
from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum

from sqlalchemy import Column, inspect, select

from app.access_log import record_read
from app.extensions import db
from app.importing.cells import neutralise
from app.models import (
    Appointment, Case, Charge, Client, ClientPackage, DataExport, Invoice, Message, Payment,
)
from app.security import client_scope, current_user

CLIENT_COLUMNS = ("id", "first_name", "last_name", "preferred_name", "date_of_birth", "email", "phone", "tax_id",
                  "address_line1", "address_line2", "city", "region", "postal_code", "country", "alerts",
                  "home_location_id", "created_at")


def clients_csv(user) -> tuple[str, int]:
    """The clients ``user`` may see, one per row (and the number of rows)."""
    query = (select(*(getattr(Client, name) for name in CLIENT_COLUMNS))
             .where(Client.id.in_(client_scope(user))).order_by(Client.last_name, Client.first_name, Client.id))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CLIENT_COLUMNS)
    count = 0
    for row in db.session.execute(query):
        writer.writerow([neutralise(_plain(value)) for value in row])
        count += 1
    _record("clients_csv", None, count)
    return out.getvalue(), count


def client_zip(client: Client) -> bytes:
    """Everything the clinic holds about one client: JSON per kind, invoice PDFs beside them.

    The caller checks the client is in the user's scope."""
    from app.billing.balances import settlement
    from app.billing.pdf import filename, invoice_pdf

    case_ids = select(Case.id).where(Case.client_id == client.id)
    parts = {
        "client": [_row(client)],
        "cases": _rows(select(Case).where(Case.client_id == client.id).order_by(Case.id)),
        "visits": _rows(select(Appointment).where(Appointment.case_id.in_(case_ids)).order_by(Appointment.starts_at)),
        "charges": _rows(select(Charge).where(Charge.case_id.in_(case_ids)).order_by(Charge.id)),
        "invoices": _rows(select(Invoice).where(Invoice.client_id == client.id).order_by(Invoice.id)),
        "payments": _rows(select(Payment).where(Payment.client_id == client.id).order_by(Payment.id)),
        "packages": _rows(select(ClientPackage).where(ClientPackage.client_id == client.id).order_by(ClientPackage.id)),
        "messages": _rows(select(Message).where(Message.client_id == client.id).order_by(Message.id)),
    }
    for name, extra in _EXTRA_PARTS:
        parts[name] = extra(client)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme(client, parts))
        for name, rows in parts.items():
            archive.writestr(f"{name}.json", json.dumps(rows, default=_plain, ensure_ascii=False, indent=2))
        for invoice in db.session.scalars(select(Invoice).where(Invoice.client_id == client.id)):
            archive.writestr(f"invoices/{filename(invoice)}", invoice_pdf(invoice, settled=settlement(invoice)))
    _record("client_zip", client.id, sum(len(rows) for rows in parts.values()))
    return buffer.getvalue()


# Areas built elsewhere (treatment notes, forms) add their part here: (name, client → rows).
_EXTRA_PARTS: list[tuple[str, object]] = []


def register_part(name: str, rows_of_client) -> None:
    if all(existing != name for existing, _ in _EXTRA_PARTS):
        _EXTRA_PARTS.append((name, rows_of_client))


def _readme(client: Client, parts: dict) -> str:
    lines = [f"Data held about {client.full_name} (client #{client.id}).", "",
             "Each .json file is a list of records; invoices/ holds the issued invoices as PDFs.", ""]
    lines += [f"{name}.json: {len(rows)} record(s)" for name, rows in parts.items()]
    return "\n".join(lines) + "\n"


def _record(kind: str, client_id: int | None, count: int) -> DataExport:
    user = current_user()
    export = DataExport(kind=kind, client_id=client_id, row_count=count,
                        actor_id=getattr(user, "id", None) if user is not None else None)
    db.session.add(export)
    db.session.flush()
    record_read("export", export.id, client_id=client_id, action=kind[:20])
    return export


def _rows(query) -> list[dict]:
    return [_row(obj) for obj in db.session.scalars(query)]


def _row(obj) -> dict:
    return {attr.key: _plain(getattr(obj, attr.key)) for attr in inspect(obj).mapper.column_attrs
            if isinstance(attr.columns[0], Column) and attr.key not in {"password"}}


def _plain(value):
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return None
    return value
