"""Domain events: what happened to an appointment, for the parts that react to it.

The scheduling engine and the lifecycle announce each change here *inside* the
transaction that makes it, after flushing. Receivers (messaging writes outbox rows,
billing proposes fees, the waitlist offers freed time) add rows to the same session, so
the reaction commits or rolls back with the change itself: a canceled booking never
leaves a confirmation behind, a refused move never leaves a reminder. Receivers must not
commit, enqueue directly or talk to the network; work after commit goes through
``app.uow.after_commit``.

Every signal is sent with the appointment as sender and keyword arguments:

- ``appointment_booked``: ``actor`` (a new appointment, also a copy, a series member
  and the new half of a rebook, whose ``rebooked_from`` is set).
- ``appointment_moved``: ``actor``, ``before`` (dict with ``starts_at``, ``ends_at``,
  ``calendar_ids``) — time, length or calendars changed.
- ``appointment_status_changing``: ``actor``, ``old``, ``new``, ``now``, ``charges``,
  ``fee``, ``void_charges`` (staff's choices for billing), ``after`` (the audit's dict, to
  fill) — sent *before* the status is set; a receiver may refuse by raising Conflict.
- ``appointment_status_changed``: ``actor``, ``old``, ``new`` (AppointmentStatus),
  ``note`` (reason or None).
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

appointment_booked = _signals.signal("appointment-booked")
appointment_moved = _signals.signal("appointment-moved")
appointment_status_changing = _signals.signal("appointment-status-changing")
appointment_status_changed = _signals.signal("appointment-status-changed")
