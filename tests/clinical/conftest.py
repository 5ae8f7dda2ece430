"""A clinical scene: one case treated by two providers at Downtown, a signed note of the
first visit, today's visit arrived, and people in every role around it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone

import pytest

from app.models import Appointment, AppointmentStatus, Case, Client, Note, TeamMember
from app.security import PROVIDER
from app.timeutil import to_utc
from tests import factories

TODAY = date(2026, 3, 16)  # a Monday; Toronto on EDT
NOW = datetime(2026, 3, 16, 17, tzinfo=timezone.utc)  # 13:00 in Toronto


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return to_utc(day, time(hour, minute), "America/Toronto")


@dataclass
class ClinicalScene:
    people: factories.People
    colleague: TeamMember  # another provider with a visit of the same case
    client: Client
    case: Case
    first_visit: Appointment  # last week, colleague's calendar, signed note
    visit: Appointment        # today, the treating provider's calendar, arrived
    signed: Note

    def users(self) -> dict:
        p = self.people
        return {"treating": p.provider.user, "colleague": self.colleague.user, "unrelated": p.outsider.user,
                "frontdesk": p.frontdesk, "manager": p.manager}


@pytest.fixture()
def frozen_now(monkeypatch):
    """Freeze "now" for the services that ask for it."""
    import importlib

    from app import timeutil

    for module in ("app.clinical.notes", "app.clinical.day", "app.views.client_file"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: NOW)
    for module in ("app.views.clinical", "app.views.client_file"):  # their "today" (timeutil.local_today)
        if hasattr(importlib.import_module(module), "local_today"):
            monkeypatch.setattr(f"{module}.local_today", lambda where, now=None: timeutil.local_today(where, now or NOW))
    return NOW


@pytest.fixture()
def scene(db, people, frozen_now) -> ClinicalScene:
    from app.clinical import notes
    from app.clinical.templates import active_templates

    colleague = factories.make_team_member(PROVIDER, username="colleague", locations=[people.location],
                                           disciplines=[people.discipline])
    session = factories.make_session_type(name="Physio follow-up", discipline=people.discipline)
    client = factories.make_client(first_name="Ana", last_name="Silva", home_location=people.location,
                                   alerts="Latex allergy")
    case = factories.make_case(client=client, discipline=people.discipline, provider=people.provider,
                               title="Right knee", authorised_visits=4)
    first = factories.make_appointment(colleague.calendars[0], at(date(2026, 3, 9), 10), session_type=session,
                                       case=case, status=AppointmentStatus.arrived)
    visit = factories.make_appointment(people.provider_calendar, at(TODAY, 10), session_type=session, case=case,
                                       status=AppointmentStatus.arrived)
    soap = next(t for t in active_templates() if "SOAP" in t.name)
    note = notes.open_note(appointment=first, actor=colleague.user, template_id=soap.id)
    notes.sign(note=note, actor=colleague.user,
               content={"subjective": "Knee sore after stairs", "pain": 6, "treatment": ["Exercise"]})
    db.session.commit()
    return ClinicalScene(people, colleague, client, case, first, visit, note)
