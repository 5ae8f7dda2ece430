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


def N_(text: str) -> str:  # noqa: N802  (marks the shipped forms' words for the catalogue; see public.form_text)
    return text


def _q(key, kind, label, required=False, **extra) -> dict:
    return {"key": key, "kind": kind, "label": label, "required": required, **extra}


_CONTACT = [
    _q("emergency_contact", "short_text", N_("Emergency contact (name and phone)"), True),
    _q("doctor", "short_text", N_("Family doctor")),
]
_HEALTH = [
    _q("medications", "yes_no", N_("Do you take any medication?"), True,
       follow_up={"label": N_("Which medications and doses?"), "when": "yes"}),
    _q("allergies", "yes_no", N_("Do you have allergies (latex, oils, medication)?"), True,
       follow_up={"label": N_("Which allergies?"), "when": "yes"}),
    _q("conditions", "multiple_choice", N_("Do you have or have you had any of these?"),
       options=[N_("Heart condition"), N_("High blood pressure"), N_("Diabetes"), N_("Osteoporosis"), N_("Cancer"),
                N_("Epilepsy"), N_("Pregnancy"), N_("Recent surgery"), N_("Blood clots"), N_("None of these")]),
]
DEFAULT_FORMS = [
    {
        "name": N_("Physiotherapy intake"), "purpose": "intake",
        "description": N_("Before your first physiotherapy visit: the problem, your health, your goals."),
        "fields": [
            _q("h_problem", "heading", N_("Your problem")),
            _q("complaint", "long_text", N_("What brings you in?"), True),
            _q("areas", "body_area", N_("Where is the problem? (choose all that apply)"), True),
            _q("onset", "date", N_("When did it start?")),
            _q("pain_now", "number", N_("Pain right now (0 = none, 10 = worst imaginable)"), True, min=0, max=10,
               integer=True),
            _q("injury", "yes_no", N_("Did it start with an injury or accident?"),
               follow_up={"label": N_("What happened?"), "when": "yes"}),
            _q("h_health", "heading", N_("Your health")), *_HEALTH, *_CONTACT,
            _q("goals", "long_text", N_("What would you like to be able to do again?")),
        ],
    },
    {
        "name": N_("Massage health history"), "purpose": "history",
        "description": N_("Before your massage: what your therapist needs to know to treat you safely."),
        "fields": [
            _q("reason", "single_choice", N_("Main reason for your visit"), True,
               options=[N_("Relaxation"), N_("Pain or tension"), N_("Injury recovery"), N_("Sport"), N_("Pregnancy"),
                        N_("Other")]),
            _q("areas", "body_area", N_("Areas to focus on")),
            _q("avoid", "body_area", N_("Areas to avoid")),
            _q("pressure", "single_choice", N_("Pressure you prefer"), options=[N_("Light"), N_("Medium"), N_("Firm")]),
            *_HEALTH, *_CONTACT,
        ],
    },
    {
        "name": N_("Consent to treatment"), "purpose": "consent",
        "description": N_("Your consent to assessment and treatment."),
        "fields": [
            _q("h_consent", "heading", N_("I understand that assessment and treatment may involve touch, movement and "
                                       "exercise; that my therapist will explain the treatment and its risks; "
                                       "and that I may ask questions, decline or stop any part of it at any time.")),
            _q("consent", "yes_no", N_("I consent to assessment and treatment"), True),
            _q("signature", "signature", N_("Signature"), True),
        ],
    },
    {
        "name": N_("Numeric pain rating scale (NPRS)"), "purpose": "outcome",
        "description": N_("Your pain, from 0 to 10."),
        "fields": [_q("pain_now", "number", N_("Your pain right now (0 = no pain, 10 = worst pain imaginable)"), True,
                      min=0, max=10, integer=True)],
        "scoring": {"method": "sum", "items": ["pain_now"], "better": "lower", "label": "NPRS"},
    },
    {
        "name": N_("Patient-Specific Functional Scale (PSFS)"), "purpose": "outcome",
        "description": N_("Up to three activities you find hard, each rated 0 (unable) to 10 (as before)."),
        "fields": [
            field for n, activity, ability in (
                (1, N_("Activity 1"), N_("How well can you do activity 1? (0 = unable, 10 = as before)")),
                (2, N_("Activity 2"), N_("How well can you do activity 2? (0 = unable, 10 = as before)")),
                (3, N_("Activity 3"), N_("How well can you do activity 3? (0 = unable, 10 = as before)")))
            for field in (_q(f"activity_{n}", "short_text", activity, n == 1),
                          _q(f"ability_{n}", "number", ability, n == 1, min=0, max=10, integer=True))
        ],
        "scoring": {"method": "mean", "items": ["ability_1", "ability_2", "ability_3"], "better": "higher",
                    "label": "PSFS"},
    },
    {
        "name": N_("Global rating of change (GROC)"), "purpose": "outcome",
        "description": N_("How your problem has changed since treatment began."),
        "fields": [_q("change", "number", N_("Since treatment began, my problem is (−7 = a very great deal worse, "
                                             "0 = about the same, +7 = a very great deal better)"), True,
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
