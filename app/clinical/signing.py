"""The content hash of signed notes and addenda: SHA-256 over a canonical JSON of what was
signed (who, when, which visit, the questions and the answers), so a printed or exported
copy can be checked against the record and any change to the stored row shows."""
from __future__ import annotations

import hashlib
import json

from app.models import Addendum, Note


def _digest(payload: dict) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def note_hash(note: Note) -> str:
    return _digest({
        "note": note.id, "appointment": note.appointment_id, "case": note.case_id, "author": note.author_id,
        "signed_by": note.signed_by_id, "signed_at": note.signed_at.isoformat(), "sections": note.sections,
        "content": note.content,
    })


def addendum_hash(addendum: Addendum) -> str:
    return _digest({"note": addendum.note_id, "author": addendum.author_id,
                    "signed_at": addendum.signed_at.isoformat(), "text": addendum.text})


def verifies(record: Note | Addendum) -> bool:
    """Whether the stored hash still matches the stored content."""
    if record.content_hash is None:
        return False
    expected = note_hash(record) if isinstance(record, Note) else addendum_hash(record)
    return expected == record.content_hash
