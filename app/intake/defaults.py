"""The forms Plinth ships (created by ``ensure_defaults()``, idempotent by name).

Outcome measures shipped are only instruments free to reproduce: the numeric pain rating
scale (NPRS), the Patient-Specific Functional Scale (PSFS, Stratford et al. 1995) and a
global rating of change (GROC, -7..+7). Clinics build others under their own licences.
"""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import FormTemplate, FormVersion
from app.timeutil import utcnow


def _q(key, kind, label, required=False, **extra) -> dict:
    return {"key": key, "kind": kind, "label": label, "required": required, **extra}


_CONTACT = [
    _q("emergency_contact", "short_text", "Emergency contact (name and phone)", True),
    _q("doctor", "short_text", "Family doctor"),
]
_HEALTH = [
    _q("medications", "yes_no", "Do you take any medication?", True,
       follow_up={"label": "Which medications and doses?", "when": "yes"}),
    _q("allergies", "yes_no", "Do you have allergies (latex, oils, medication)?", True,
       follow_up={"label": "Which allergies?", "when": "yes"}),
    _q("conditions", "multiple_choice", "Do you have or have you had any of these?",
       options=["Heart condition", "High blood pressure", "Diabetes", "Osteoporosis", "Cancer", "Epilepsy",
                "Pregnancy", "Recent surgery", "Blood clots", "None of these"]),
]
DEFAULT_FORMS = [
    {
        "name": "Physiotherapy intake", "purpose": "intake",
        "description": "Before your first physiotherapy visit: the problem, your health, your goals.",
        "fields": [
            _q("h_problem", "heading", "Your problem"),
            _q("complaint", "long_text", "What brings you in?", True),
            _q("areas", "body_area", "Where is the problem? (choose all that apply)", True),
            _q("onset", "date", "When did it start?"),
            _q("pain_now", "number", "Pain right now (0 = none, 10 = worst imaginable)", True, min=0, max=10,
               integer=True),
            _q("injury", "yes_no", "Did it start with an injury or accident?",
               follow_up={"label": "What happened?", "when": "yes"}),
            _q("h_health", "heading", "Your health"), *_HEALTH, *_CONTACT,
            _q("goals", "long_text", "What would you like to be able to do again?"),
        ],
    },
    {
        "name": "Massage health history", "purpose": "history",
        "description": "Before your massage: what your therapist needs to know to treat you safely.",
        "fields": [
            _q("reason", "single_choice", "Main reason for your visit", True,
               options=["Relaxation", "Pain or tension", "Injury recovery", "Sport", "Pregnancy", "Other"]),
            _q("areas", "body_area", "Areas to focus on"),
            _q("avoid", "body_area", "Areas to avoid"),
            _q("pressure", "single_choice", "Pressure you prefer", options=["Light", "Medium", "Firm"]),
            *_HEALTH, *_CONTACT,
        ],
    },
    {
        "name": "Consent to treatment", "purpose": "consent",
        "description": "Your consent to assessment and treatment.",
        "fields": [
            _q("h_consent", "heading", "I understand that assessment and treatment may involve touch, movement and "
                                       "exercise; that my therapist will explain the treatment and its risks; "
                                       "and that I may ask questions, decline or stop any part of it at any time."),
            _q("consent", "yes_no", "I consent to assessment and treatment", True),
            _q("signature", "signature", "Signature", True),
        ],
    },
    {
        "name": "Numeric pain rating scale (NPRS)", "purpose": "outcome",
        "description": "Your pain, from 0 to 10.",
        "fields": [_q("pain_now", "number", "Your pain right now (0 = no pain, 10 = worst pain imaginable)", True,
                      min=0, max=10, integer=True)],
        "scoring": {"method": "sum", "items": ["pain_now"], "better": "lower", "label": "NPRS"},
    },
    {
        "name": "Patient-Specific Functional Scale (PSFS)", "purpose": "outcome",
        "description": "Up to three activities you find hard, each rated 0 (unable) to 10 (as before).",
        "fields": [
            field for n in (1, 2, 3) for field in (
                _q(f"activity_{n}", "short_text", f"Activity {n}", n == 1),
                _q(f"ability_{n}", "number", f"How well can you do activity {n}? (0 = unable, 10 = as before)",
                   n == 1, min=0, max=10, integer=True))
        ],
        "scoring": {"method": "mean", "items": ["ability_1", "ability_2", "ability_3"], "better": "higher",
                    "label": "PSFS"},
    },
    {
        "name": "Global rating of change (GROC)", "purpose": "outcome",
        "description": "How your problem has changed since treatment began.",
        "fields": [_q("change", "number", "Since treatment began, my problem is (−7 = a very great deal worse, "
                                          "0 = about the same, +7 = a very great deal better)", True,
                      min=-7, max=7, integer=True)],
        "scoring": {"method": "sum", "items": ["change"], "better": "higher", "label": "GROC"},
    },
]


def ensure_defaults() -> int:
    """Create each shipped form that the clinic does not have yet; returns how many."""
    existing = set(db.session.scalars(select(FormTemplate.name)))
    created = 0
    for spec in DEFAULT_FORMS:
        if spec["name"] in existing:
            continue
        template = FormTemplate(name=spec["name"], purpose=spec["purpose"], description=spec["description"],
                                active=True, created_at=utcnow())
        db.session.add(template)
        db.session.flush()
        db.session.add(FormVersion(template_id=template.id, number=1, fields=spec["fields"],
                                   scoring=spec.get("scoring"), created_at=utcnow()))
        created += 1
    db.session.flush()
    return created
