"""Attachments on a client or one of their cases: referral letters, prescriptions, imaging
reports.

* Only PDF, JPEG and PNG, recognised by their first bytes (a renamed .exe is refused
  whatever its name or the browser's claimed type), at most ``PLINTH_ATTACHMENT_MAX_MB``.
* Stored under ``<instance dir>/attachments/`` by a random key, never under static: the
  only way to the bytes is the download route, which checks ``attachment_scope`` and logs
  the read.
* Readable by whoever may see the case (client-level files: the client) and holds
  ``ATTACHMENTS`` read.
"""
from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from flask import current_app
from sqlalchemy import Select, false, or_, select

from app.errors import Forbidden, Problem, ValidationFailed
from app.extensions import db
from app.models import Attachment, Case, Client
from app.security import ATTACHMENTS, READ, WRITE, case_scope, client_scope, in_scope, may

SIGNATURES = ((b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))
EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


def attachment_scope(user, *, writable: bool = False) -> Select:
    """Attachments of cases the user may see, and client-level ones of clients they may see."""
    if not may(user, WRITE if writable else READ, ATTACHMENTS):
        return select(Attachment.id).where(false())
    return select(Attachment.id).where(or_(
        Attachment.case_id.in_(case_scope(user, writable=writable)),
        Attachment.case_id.is_(None) & Attachment.client_id.in_(client_scope(user, writable=writable))))


def sniff(data: bytes) -> str | None:
    """The content type by the file's own first bytes, or None when it is none we accept."""
    return next((kind for magic, kind in SIGNATURES if data.startswith(magic)), None)


def storage_dir() -> Path:
    path = Path(current_app.instance_path) / "attachments"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _clean_filename(name: str | None, content_type: str) -> str:
    stem = Path(name or "").name.strip() or "attachment"
    stem = "".join(ch for ch in stem if ch.isprintable() and ch not in '\\/:*?"<>|')[:180] or "attachment"
    if not stem.lower().endswith(EXTENSIONS[content_type]) and not (
            content_type == "image/jpeg" and stem.lower().endswith(".jpeg")):
        stem += EXTENSIONS[content_type]
    return stem


def upload(*, client: Client, case: Case | None, filename: str | None, data: bytes, description: str | None,
           actor, member_id: int | None) -> Attachment:
    """Store the file and its record (the file is written first; a failed transaction leaves
    an orphan file, never a record without its file)."""
    if not may(actor, WRITE, ATTACHMENTS) or not in_scope(client_scope(actor), client.id):
        raise Forbidden("You may not add files to this client.")
    if case is not None and (case.client_id != client.id or not in_scope(case_scope(actor), case.id)):
        raise ValidationFailed("Choose one of this client's cases.", [Problem("Not this client's case.", "case_id")])
    limit = current_app.config.get("PLINTH_ATTACHMENT_MAX_MB", 10) * 1024 * 1024
    if not data:
        raise ValidationFailed("Choose a file to upload.", [Problem("The file is empty.", "file")])
    if len(data) > limit:
        raise ValidationFailed(f"The file is larger than {limit // (1024 * 1024)} MB.", [Problem("Too large.", "file")])
    content_type = sniff(data)
    if content_type is None:
        raise ValidationFailed("Only PDF, JPEG and PNG files are accepted (checked by their content).",
                               [Problem("Not a PDF, JPEG or PNG file.", "file")])
    key = secrets.token_hex(16) + EXTENSIONS[content_type]
    (storage_dir() / key).write_bytes(data)
    attachment = Attachment(client_id=client.id, case_id=case.id if case else None,
                            filename=_clean_filename(filename, content_type), content_type=content_type,
                            size=len(data), sha256=hashlib.sha256(data).hexdigest(), storage_key=key,
                            description=(description or "").strip()[:200] or None, uploaded_by_id=member_id)
    db.session.add(attachment)
    db.session.flush()
    return attachment


def readable(user, attachment_id: int) -> Attachment | None:
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or not in_scope(attachment_scope(user), attachment.id):
        return None
    return attachment


def path_of(attachment: Attachment) -> Path:
    return storage_dir() / attachment.storage_key
