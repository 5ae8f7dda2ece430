"""The one wording of "this time is already someone's": the refusal a double booking gets.

Staff read it in the grid, the booking dialog, the repeat preview and the API: who is
already there and when, on the location's clock ("Maya Chen already has Sofia Rossi
14:15–14:45."), never an appointment id nobody can look up. The public pages never show
it (app/booking/refusals.py replaces it by the patient's own wording, reason
``overlaps_appointment``), so naming the other client here stays among staff.
"""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Appointment, Calendar, CalendarKind, Case
from app.timeutil import to_local


def holder_name(calendar: Calendar) -> str:
    """A provider's calendar is named by the person ("Maya Chen"), a room by itself."""
    if calendar.kind == CalendarKind.provider and calendar.team_member is not None:
        return calendar.team_member.display_name
    return calendar.name


def overlap_messages(calendar: Calendar, appointment_ids: list[int], zone: ZoneInfo) -> dict[int, str]:
    """Per overlapped appointment id, what the refusal says, in the reader's language."""
    if not appointment_ids:
        return {}
    rows = db.session.scalars(select(Appointment).where(Appointment.id.in_(appointment_ids))
                              .options(joinedload(Appointment.case).joinedload(Case.client))).unique()
    holder = holder_name(calendar)
    texts = {}
    for appointment in rows:
        start, end = to_local(appointment.starts_at, zone), to_local(appointment.ends_at, zone)
        texts[appointment.id] = gettext("%(holder)s already has %(client)s %(start)s–%(end)s.", holder=holder,
                                        client=appointment.case.client.full_name,
                                        start=f"{start:%H:%M}", end=f"{end:%H:%M}")
    return texts
