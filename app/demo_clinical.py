"""The demo clinic's clinical record, so a newcomer sees it at once: Maya Chen (`provider`)
has signed notes for her past visits (one with an addendum), one recent draft still to
sign, a treatment plan whose reassessment is due next visit, and a referral letter on
file. Everything goes through the clinical services, so the demo obeys their rules."""
from __future__ import annotations

import io
from collections import defaultdict
from datetime import datetime

from xhtml2pdf import pisa

from app.clinical import attachments, notes, plans
from app.clinical.templates import ensure_defaults
from app.models import Appointment, AppointmentStatus, TeamMember

ATTENDED = (AppointmentStatus.arrived, AppointmentStatus.paid)
ASSESSMENT = {
    "complaint": "Right knee pain for 6 weeks, worse on stairs.", "history": "Started after a hiking weekend; no trauma.",
    "pain": 7, "red_flags": ["None found"], "observation": "Mild swelling, antalgic gait.", "rom_flexion": "105",
    "rom_extension": "-5", "strength": "28", "special_tests": "Clarke's test positive; ligaments intact.",
    "diagnosis": "Patellofemoral pain syndrome.", "goals": "Stairs and a 5 km walk without pain.",
    "plan": "Education, quads and hip loading, taping as needed; 8 sessions.",
}
SOAP = [
    {"subjective": "Pain on stairs and after sitting; sleeping better.", "pain": 6,
     "objective": "Antalgic gait resolved. Squat to 70°, pain at end range.", "rom": "110",
     "assessment": "Patellofemoral pain, improving.", "plan": "Progress quads loading; review in one week.",
     "treatment": ["Manual therapy", "Exercise", "Education"]},
    {"subjective": "Walked 3 km without pain; stiff mornings.", "pain": 4,
     "objective": "Squat to 90°, single-leg stance 30 s.", "rom": "125",
     "assessment": "Good response to loading.", "plan": "Add step-downs; home programme reviewed.",
     "treatment": ["Exercise", "Education"]},
    {"subjective": "Mild ache after a long day only.", "pain": 2,
     "objective": "Full squat, hop test 90 % of the other side.", "rom": "135",
     "assessment": "Near discharge criteria.", "plan": "Reassess next visit; plan discharge.",
     "treatment": ["Exercise"]},
]


def seed(*, appointments: list[Appointment], provider: TeamMember, now: datetime) -> dict[str, int]:
    ensure_defaults()
    actor = provider.user
    past = [a for a in appointments if a.starts_at < now and a.status in ATTENDED
            and notes.treating_provider_id(a) == provider.id]
    by_case: dict[int, list[Appointment]] = defaultdict(list)
    for appointment in sorted(past, key=lambda a: a.starts_at):
        by_case[appointment.case_id].append(appointment)
    signed = drafts = 0
    planned_case = None
    latest = max(past, key=lambda a: a.starts_at, default=None)
    for case_id, visits in by_case.items():
        for n, appointment in enumerate(visits):
            note = notes.open_note(appointment=appointment, actor=actor)
            assessment = "assessment" in note.template.name.lower()
            content = ASSESSMENT if assessment else SOAP[min(n - 1, len(SOAP) - 1)]
            if appointment is latest:  # yesterday's note, still to sign: listed on her day
                first_key = next(iter(content))
                notes.save_draft(note=note, content={first_key: content[first_key]}, actor=actor)
                drafts += 1
                continue
            notes.sign(note=note, content=content, actor=actor)
            signed += 1
            if signed == 1:
                notes.add_addendum(note=note, text="Client phoned the next day: no flare-up after the session.",
                                   actor=actor)
        if planned_case is None and len(visits) >= 2:
            planned_case = visits[0].case
            today = now.date()
            plans.save_plan(case=planned_case, actor=actor, today=today, values={
                "planned_sessions": 8, "frequency": "Twice a week for 4 weeks",
                "goals": "Stairs and a 5 km walk without pain; return to running.",
                "reassess_after_visits": len(visits) + 1, "starts_on": visits[0].starts_at.date()})
    attached = 0
    if planned_case is not None:
        attachments.upload(client=planned_case.client, case=planned_case, filename="referral-letter.pdf",
                           data=_referral_pdf(planned_case.client.full_name), description="GP referral letter",
                           actor=actor, member_id=provider.id)
        attached = 1
    return {"signed notes": signed, "draft notes": drafts, "attachments": attached}


def _referral_pdf(client_name: str) -> bytes:
    out = io.BytesIO()
    pisa.CreatePDF(f"<h2>Referral</h2><p>Dear colleague,</p><p>Please assess and treat {client_name} "
                   "for right knee pain (patellofemoral). X-ray: no bony abnormality.</p>"
                   "<p>Dr. A. Example, Family Physician</p>", dest=out)
    return out.getvalue()
