"""The demo clinic's data: who works where, what is sold, who the clients are.

Plain constants only; ``app/demo_builder.py`` turns them into rows. Every person, insurer,
phone number and address here is invented: phone numbers use the 555-01xx range
reserved for fiction in North America, e-mails the reserved example.com domain.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from decimal import Decimal

# The demo logins. The command prints them for anyone to read, so they protect
# nothing: that is why seeding refuses a database that already holds a clinic.
ADMIN_PASSWORD = "admin-demo-2026"
MANAGER_PASSWORD = "manager-demo-2026"
FRONT_DESK_PASSWORD = "frontdesk-demo-2026"
PROVIDER_PASSWORD = "provider-demo-2026"  # every provider, `provider` included
STAFF_EMAIL_DOMAIN = "clinic.example.com"

PHYSIO = "Physiotherapy"
MASSAGE = "Massage Therapy"
CHIRO = "Chiropractic"
TORONTO = "toronto"
LISBON = "lisbon"


@dataclass(frozen=True)
class LocationSpec:
    key: str
    name: str
    timezone: str
    address_line1: str
    city: str
    region: str
    postal_code: str
    country: str
    phone: str
    email: str
    tax_id: str
    invoice_prefix: str
    phone_prefix: str  # clients' phone numbers: prefix + 2 digits
    language: str  # the location's default for its patients' messages and documents
    currency: str | None  # None: the clinic's (CAD)


LOCATIONS = (
    LocationSpec(TORONTO, "Plinth Demo — Toronto", "America/Toronto", "420 Queen Street West",
                 "Toronto", "ON", "M5V 2A9", "CA", "+14165550100", "toronto@example.com",
                 "HST 81234 5678 RT0001", "TOR-", "+141655501", "en", None),
    LocationSpec(LISBON, "Plinth Demo — Lisboa", "Europe/Lisbon", "Rua da Prata 118, 2.º",
                 "Lisboa", "Lisboa", "1100-416", "PT", "+351213000100", "lisboa@example.com",
                 "PT 509 876 543", "LIS-", "+3512130002", "pt_PT", "EUR"),
)

# Which payers each location deals with (WSIB and the auto insurer are Ontario's).
LOCATION_PAYERS = {TORONTO: ("self", "mva", "wsib", "ehb"), LISBON: ("self", "tejo")}
OUT_OF_NETWORK = {
    TORONTO: "Insurer not listed? We don't bill it directly: you pay at the visit and we give you a receipt to claim.",
    LISBON: "Seguradora não listada? Paga na consulta e damos-lhe o recibo para pedir o reembolso.",
}

DISCIPLINES = {PHYSIO: "#2e86c1", MASSAGE: "#8e44ad", CHIRO: "#d35400"}


@dataclass(frozen=True)
class ShiftSpec:
    start: time
    end: time
    break_start: time | None = None
    break_end: time | None = None


# Typical working days; every break is a 30-60 minute lunch.
EARLY = ShiftSpec(time(8), time(16), time(12), time(12, 30))
MIDDAY = ShiftSpec(time(9), time(17), time(12, 30), time(13, 30))
LATE = ShiftSpec(time(12), time(20), time(15, 30), time(16))
LIS_DAY = ShiftSpec(time(9), time(18), time(13), time(14))  # the long Portuguese lunch
LIS_LATE = ShiftSpec(time(11), time(19), time(14), time(14, 45))


@dataclass(frozen=True)
class ProviderSpec:
    username: str
    first_name: str
    last_name: str
    title: str
    disciplines: tuple[str, ...]
    location: str
    registration_number: str
    colour: str
    week: dict[int, ShiftSpec]  # weekday (0 = Monday) → shift


PROVIDERS = (
    ProviderSpec("provider", "Maya", "Chen", "Registered Physiotherapist", (PHYSIO,), TORONTO,
                 "CPO 15832", "#2e86c1", {0: EARLY, 1: EARLY, 2: LATE, 3: EARLY, 4: MIDDAY}),
    ProviderSpec("dokafor", "Daniel", "Okafor", "Registered Physiotherapist", (PHYSIO,), TORONTO,
                 "CPO 17204", "#17a589", {0: LATE, 1: LATE, 3: LATE, 4: EARLY}),
    ProviderSpec("sgagnon", "Sophie", "Gagnon", "Registered Massage Therapist", (MASSAGE,), TORONTO,
                 "CMTO U4471", "#8e44ad", {1: MIDDAY, 2: MIDDAY, 3: LATE, 4: EARLY}),
    ProviderSpec("rsingh", "Ravi", "Singh", "Chiropractor", (CHIRO,), TORONTO,
                 "CCO 6310", "#d35400", {0: EARLY, 2: EARLY, 4: EARLY}),
    ProviderSpec("icarvalho", "Inês", "Carvalho", "Fisioterapeuta", (PHYSIO,), LISBON,
                 "OF C-031457", "#1f618d", {0: LIS_DAY, 1: LIS_DAY, 2: LIS_DAY, 3: LIS_DAY, 4: LIS_DAY}),
    ProviderSpec("tferreira", "Tiago", "Ferreira", "Fisioterapeuta", (PHYSIO, MASSAGE), LISBON,
                 "OF C-028930", "#229954", {0: LIS_LATE, 1: LIS_LATE, 3: LIS_LATE, 4: LIS_LATE}),
    ProviderSpec("amendes", "Ana", "Mendes", "Massagista terapêutica", (MASSAGE,), LISBON,
                 "MT-1187", "#a93226", {1: LIS_DAY, 2: LIS_DAY, 3: LIS_DAY}),
)


@dataclass(frozen=True)
class ResourceSpec:
    name: str
    kind: str  # a CalendarKind member name: "room" | "equipment"
    location: str
    disciplines: tuple[str, ...]
    colour: str
    hours: ShiftSpec  # weekday hours; a room's break is for cleaning


RESOURCES = (
    ResourceSpec("Treatment Room 1", "room", TORONTO, (PHYSIO, MASSAGE, CHIRO), "#7f8c8d",
                 ShiftSpec(time(7, 30), time(20, 30), time(13), time(13, 15))),
    ResourceSpec("Rehab Gym", "room", TORONTO, (PHYSIO,), "#95a5a6",
                 ShiftSpec(time(7, 30), time(20, 30), time(12, 45), time(13, 15))),
    ResourceSpec("Sala de Tratamento", "room", LISBON, (PHYSIO, MASSAGE), "#7f8c8d",
                 ShiftSpec(time(8, 30), time(19, 30), time(13), time(13, 30))),
    # Equipment has no lunch: it is available whenever the clinic is open.
    ResourceSpec("Shockwave unit", "equipment", TORONTO, (PHYSIO,), "#34495e",
                 ShiftSpec(time(8), time(20))),
)


@dataclass(frozen=True)
class BillingItemSpec:
    code: str
    name: str
    unit_price: Decimal
    tax_rate: Decimal
    is_product: bool = False


# Physiotherapy, massage and chiropractic by regulated professionals are tax-exempt in
# Ontario; products carry 13 % HST.
BILLING_ITEMS = (
    BillingItemSpec("PT-IA", "Physiotherapy initial assessment", Decimal("130.00"), Decimal("0")),
    BillingItemSpec("PT-TX30", "Physiotherapy treatment, 30 min", Decimal("95.00"), Decimal("0")),
    BillingItemSpec("PT-TX45", "Physiotherapy treatment, 45 min", Decimal("115.00"), Decimal("0")),
    BillingItemSpec("PT-PSR", "Post-surgical rehabilitation session", Decimal("125.00"), Decimal("0")),
    BillingItemSpec("PT-ESWT", "Shockwave therapy (ESWT)", Decimal("75.00"), Decimal("0")),
    BillingItemSpec("RMT-30", "Registered massage therapy, per 30 min", Decimal("55.00"), Decimal("0")),
    BillingItemSpec("DC-IC", "Chiropractic initial consultation", Decimal("120.00"), Decimal("0")),
    BillingItemSpec("DC-ADJ", "Chiropractic adjustment", Decimal("65.00"), Decimal("0")),
    BillingItemSpec("PRD-BAND", "Theraband resistance band", Decimal("12.00"), Decimal("13"), True),
    BillingItemSpec("PRD-HOTPACK", "Reusable hot/cold pack", Decimal("18.00"), Decimal("13"), True),
    BillingItemSpec("PRD-TAPE", "Kinesiology tape, 5 m roll", Decimal("15.00"), Decimal("13"), True),
)


@dataclass(frozen=True)
class SessionTypeSpec:
    key: str
    name: str
    category: str
    discipline: str
    minutes: int
    price: Decimal
    colour: str
    description: str
    billing: tuple[tuple[str, str], ...]  # (billing item code, quantity)
    online: bool = True
    new_clients: bool = True
    returning_clients: bool = True
    needs_room: bool = False
    needs_equipment: bool = False


SESSION_TYPES = (
    SessionTypeSpec("pt_initial", "Physiotherapy initial assessment", "Physiotherapy", PHYSIO, 60,
                    Decimal("142.00"), "#1b4f72",
                    "History, physical examination, diagnosis and a treatment plan, with a first "
                    "treatment and a home exercise programme.",
                    (("PT-IA", "1"), ("PRD-BAND", "1")), returning_clients=False),
    SessionTypeSpec("pt_follow_30", "Physiotherapy follow-up (30 min)", "Physiotherapy", PHYSIO, 30,
                    Decimal("95.00"), "#2e86c1",
                    "Treatment and progression of exercises for an ongoing case.",
                    (("PT-TX30", "1"),), new_clients=False),
    SessionTypeSpec("pt_follow_45", "Physiotherapy follow-up (45 min)", "Physiotherapy", PHYSIO, 45,
                    Decimal("115.00"), "#5dade2",
                    "A longer follow-up for complex or multi-area cases.",
                    (("PT-TX45", "1"),), new_clients=False),
    SessionTypeSpec("pt_post_surgical", "Post-surgical rehabilitation", "Physiotherapy", PHYSIO, 45,
                    Decimal("143.00"), "#117864",
                    "Supervised rehabilitation after joint replacement, ACL or rotator cuff repair; "
                    "uses the rehab gym. Bring your surgeon's protocol.",
                    (("PT-PSR", "1"), ("PRD-HOTPACK", "1")), online=False, needs_room=True),
    SessionTypeSpec("pt_shockwave", "Shockwave therapy", "Physiotherapy", PHYSIO, 15,
                    Decimal("75.00"), "#34495e",
                    "Extracorporeal shockwave therapy for plantar fasciitis and tendinopathies.",
                    (("PT-ESWT", "1"),), online=False, new_clients=False, needs_equipment=True),
    SessionTypeSpec("mt_60", "Massage therapy (60 min)", "Massage Therapy", MASSAGE, 60,
                    Decimal("110.00"), "#8e44ad",
                    "Therapeutic massage by a registered massage therapist.",
                    (("RMT-30", "2"),)),
    SessionTypeSpec("mt_90", "Massage therapy (90 min)", "Massage Therapy", MASSAGE, 90,
                    Decimal("165.00"), "#a569bd",
                    "An extended therapeutic massage for full-body or sports work.",
                    (("RMT-30", "3"),)),
    SessionTypeSpec("dc_initial", "Chiropractic initial consultation", "Chiropractic", CHIRO, 45,
                    Decimal("120.00"), "#a04000",
                    "History, examination and, when appropriate, a first adjustment.",
                    (("DC-IC", "1"),), returning_clients=False),
    SessionTypeSpec("dc_adjustment", "Chiropractic adjustment", "Chiropractic", CHIRO, 15,
                    Decimal("65.00"), "#d35400",
                    "A short follow-up visit with spinal or extremity adjustment.",
                    (("DC-ADJ", "1"),), new_clients=False),
)


@dataclass(frozen=True)
class PayerSpec:
    key: str
    name: str
    kind: str  # a PayerKind member name
    contact_name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None


PAYERS = (
    PayerSpec("self", "Self-pay", "self_pay"),
    PayerSpec("mva", "Lakeshore Mutual — Auto Accident Benefits", "motor_vehicle",
              "Claims intake", "claims@lakeshore-mutual.example.com", "+14165550180",
              "1 Lakeshore Blvd, Toronto ON"),
    PayerSpec("wsib", "WSIB (Workplace Safety and Insurance Board)", "workers_comp",
              "Health care provider services", "providers@wsib.example.com", "+14165550181",
              "200 Front Street West, Toronto ON"),
    PayerSpec("ehb", "Maple Extended Health", "insurer", "Provider relations",
              "providers@maple-health.example.com", "+14165550182"),
    PayerSpec("tejo", "Seguros Tejo — Saúde", "insurer", "Apoio a prestadores",
              "prestadores@seguros-tejo.example.com", "+351213000182", "Av. da Liberdade 90, Lisboa"),
)


@dataclass(frozen=True)
class CaseSpec:
    title: str
    discipline: str
    payers: tuple[str, ...]  # payer keys this kind of case is usually paid by
    post_surgical: bool = False
    shockwave: bool = False


CASES = (
    CaseSpec("Low back pain", PHYSIO, ("self", "ehb", "tejo")),
    CaseSpec("ACL reconstruction, right knee", PHYSIO, ("ehb", "self", "tejo"), post_surgical=True),
    CaseSpec("Total knee replacement, left", PHYSIO, ("self", "ehb", "tejo"), post_surgical=True),
    CaseSpec("Rotator cuff tendinopathy, left shoulder", PHYSIO, ("self", "ehb"), shockwave=True),
    CaseSpec("Whiplash after rear-end collision", PHYSIO, ("mva",)),
    CaseSpec("Lateral ankle sprain", PHYSIO, ("self", "tejo")),
    CaseSpec("Plantar fasciitis", PHYSIO, ("self", "ehb"), shockwave=True),
    CaseSpec("Lumbar strain at work (lifting)", PHYSIO, ("wsib",)),
    CaseSpec("Neck pain and headaches", PHYSIO, ("self", "ehb", "tejo")),
    CaseSpec("Lateral epicondylitis (tennis elbow)", PHYSIO, ("self",), shockwave=True),
    CaseSpec("Neck and shoulder tension", MASSAGE, ("self", "ehb", "tejo")),
    CaseSpec("Sports massage — marathon training", MASSAGE, ("self",)),
    CaseSpec("Prenatal massage", MASSAGE, ("self", "ehb")),
    CaseSpec("Soft-tissue injury after car accident", MASSAGE, ("mva",)),
    CaseSpec("Mechanical low back pain", CHIRO, ("self", "ehb")),
    CaseSpec("Cervicogenic headaches", CHIRO, ("self",)),
    CaseSpec("Sciatica, right leg", CHIRO, ("ehb", "self")),
)

# Old episodes, closed months ago, so case history is not empty.
CLOSED_CASES = (
    CaseSpec("Shoulder impingement (resolved)", PHYSIO, ("self",)),
    CaseSpec("Ankle fracture rehab (completed)", PHYSIO, ("ehb", "self")),
    CaseSpec("Post-partum back pain (resolved)", MASSAGE, ("self",)),
)

REFERRAL_SOURCES = (
    "Family physician", "Orthopaedic surgeon", "Google search", "Friend or family",
    "Employer", "Walk-in", "Instagram", "Returning client",
)
PRESCRIBERS = ("Dr. Anita Patel (family physician)", "Dr. Marc Dubois (orthopaedic surgeon)",
               "Dra. Helena Rocha (ortopedia)", "Dr. Samuel Osei (sports medicine)")

ALERTS = (
    "Latex allergy — use nitrile gloves.",
    "Pacemaker: no electrotherapy or TENS.",
    "On warfarin: gentle pressure only, watch for bruising.",
    "Hard of hearing; prefers text messages to calls.",
    "Uses a cane; book the ground-floor room.",
    "Pregnant (2nd trimester): side-lying positioning.",
    "Outstanding balance — please collect before the session.",
)

APPOINTMENT_NOTES = (
    "Bring MRI report.", "Prefers lighter pressure.", "Running late last time — call if not here by 5 min.",
    "Wants home exercises printed.", "Check insurance authorisation at check-in.",
    "Parking validation requested.",
)

# (first name, last name, preferred name or None)
# Toronto clients who read French (Québec-born): everything sent to them is in French.
FRENCH_SPEAKERS = {("Olivia", "Tremblay"), ("Chloé", "Bouchard"), ("Benjamin", "Lévesque")}

CLIENT_NAMES = {
    TORONTO: (
        ("Olivia", "Tremblay", None), ("Arjun", "Sharma", None), ("Mei Lin", "Wong", "May"),
        ("Liam", "O'Connor", None), ("Fatima", "Haddad", None), ("Noah", "Kowalski", None),
        ("Priya", "Nair", None), ("Ethan", "Roberts", None), ("Chloé", "Bouchard", None),
        ("Marcus", "Johnson", None), ("Aisha", "Mohamed", None), ("Lucas", "Silva", None),
        ("Hannah", "Goldberg", None), ("Kenji", "Tanaka", None), ("Emma", "Wilson", None),
        ("Diego", "Ramírez", None), ("Grace", "Kim", None), ("Omar", "Siddiqui", None),
        ("Sofia", "Rossi", None), ("Jacob", "Friesen", "Jake"), ("Amara", "Okeke", None),
        ("Benjamin", "Lévesque", "Ben"), ("Zoe", "Papadopoulos", None), ("Connor", "MacDonald", None),
    ),
    LISBON: (
        ("João", "Silva", None), ("Maria", "Santos", None), ("Beatriz", "Costa", None),
        ("Rui", "Pereira", None), ("Catarina", "Oliveira", None), ("Miguel", "Rodrigues", None),
        ("Mariana", "Almeida", None), ("Pedro", "Sousa", None), ("Sofia", "Martins", None),
        ("Francisco", "Gomes", "Chico"), ("Leonor", "Ribeiro", None), ("Duarte", "Lopes", None),
        ("Carolina", "Marques", None), ("Afonso", "Pinto", None), ("Matilde", "Fernandes", None),
        ("Clara", "Neumann", None),
    ),
}

STREETS = {
    TORONTO: (("Bathurst Street", "M5R 3H4"), ("Dundas Street West", "M6J 1V1"),
              ("Danforth Avenue", "M4K 1N2"), ("Spadina Avenue", "M5T 2C2"),
              ("Roncesvalles Avenue", "M6R 2L3"), ("King Street East", "M5A 1K4")),
    LISBON: (("Rua Augusta", "1100-053"), ("Avenida de Roma", "1000-265"),
             ("Rua de Campo de Ourique", "1250-062"), ("Calçada da Estrela", "1200-661"),
             ("Rua Morais Soares", "1900-341"), ("Avenida Almirante Reis", "1150-019")),
}


def location_spec(key: str) -> LocationSpec:
    return next(spec for spec in LOCATIONS if spec.key == key)
