"""A refusal from the scheduling engine, in the patient's words and language.

The engine's Problems are written for staff (in English, naming calendars); the public
pages show the patient one of these instead, chosen by the Problem's reason. Messages the
booking services word for the patient themselves (already translated) pass through.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.errors import Conflict

TAKEN_TEXT = _l("That time was taken a moment ago. Please pick another.")
STALE_TEXT = _l("This appointment changed meanwhile; please look at it again.")

BY_REASON = {
    **dict.fromkeys(("overlaps_appointment", "taken_concurrently", "outside_shift", "in_break", "blocked",
                     "unavailable", "busy_elsewhere", "room_required", "equipment_required", "off_grid"), TAKEN_TEXT),
    "lead_time": _l("That time is too soon to book online. Please pick a later time or call the clinic."),
    "too_far_ahead": _l("That time is too far ahead to book online. Please pick an earlier time."),
    **dict.fromkeys(("session_inactive", "session_not_online", "inactive", "not_online", "not_a_provider",
                     "discipline_not_accepted"), _l("That service or provider is no longer offered online.")),
    "not_for_new_clients": _l("This service is for returning patients."),
    "not_for_returning_clients": _l("This service is for new patients."),
    "stale": STALE_TEXT,
    "final_status": _l("This appointment can no longer be changed online."),
    "transition": _l("This appointment can no longer be changed online."),
}
# Reasons whose message the booking services already wrote in the patient's words.
OWN_WORDS = {"client_overlap", "cancellation_window", "blocked_client"}
GENERIC = _l("We couldn't do this online. Please pick another time or call the clinic.")


def patient_message(exc: Conflict) -> str:
    """What the public page says for ``exc``: never the engine's staff wording."""
    reasons = [p.details.get("reason") for p in exc.problems]
    for reason in reasons:
        if reason in BY_REASON:
            return str(BY_REASON[reason])
    if not reasons or any(r in OWN_WORDS for r in reasons):
        return exc.message
    return str(GENERIC)
