"""Calendar invites (.ics, RFC 5545/5546) for appointment emails.

* UID is stable per appointment, and a rebooked appointment keeps the UID of the one it
  replaced, so the client's calendar moves the event instead of holding two.
* SEQUENCE rises with every invite sent for that UID to that address (the outbox counts
  them), so calendars apply a change and ignore a stale one.
* Times carry the location's TZID with its VTIMEZONE, so the event shows at the right
  wall-clock time in any calendar.
* METHOD:REQUEST for a booking or a change, METHOD:CANCEL (STATUS:CANCELLED) for a
  cancellation. No clinical detail: the summary is the service and the clinic, the
  description who, when and where, in the message's language (app/messaging/compose.py).
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

REQUEST, CANCEL = "REQUEST", "CANCEL"
PRODID = "-//Plinth//Appointments//EN"


def appointment_uid(root_appointment_id: int, domain: str = "plinth") -> str:
    return f"appointment-{root_appointment_id}@{domain}"


def invite(*, uid: str, sequence: int, method: str, starts_at: datetime, ends_at: datetime, zone: str,
           summary: str, location: str, description: str = "", organizer_email: str, organizer_name: str, attendee_email: str,
           stamp: datetime) -> bytes:
    tz = ZoneInfo(zone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", starts_at.astimezone(tz))
    event.add("dtend", ends_at.astimezone(tz))
    event.add("summary", summary)
    if description:
        event.add("description", description)
    if location:
        event.add("location", location)
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    if organizer_email:
        organizer = vCalAddress(f"mailto:{organizer_email}")
        organizer.params["cn"] = vText(organizer_name)
        event["organizer"] = organizer
    attendee = vCalAddress(f"mailto:{attendee_email}")
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("ACCEPTED")
    event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
