"""A case opened from the booking form, for a client who has no suitable open one.

The same rules as the Cases screen and REST resource (app/api/records.py): a title, a
discipline, an optional active payer and claim number within their lengths, a client
the user may see. Opened in the booking's transaction, so a refused booking leaves no
case behind.
"""
from __future__ import annotations

from datetime import date

from app.errors import NotFound, Problem, ValidationFailed
from app.extensions import db
from app.models import Case, Client, Discipline, Payer, PayerKind, TeamMember
from app.models.cases import CASE_TITLE_LENGTH as TITLE_LENGTH
from app.models.cases import CLAIM_NUMBER_LENGTH as CLAIM_LENGTH
from app.security import client_scope, in_scope


def open_case(*, user, client_id: int, title: str | None, discipline_id: int, payer_id: int | None,
              claim_number: str | None, opened_on: date, provider: TeamMember | None,
              location_id: int | None = None) -> Case:
    problems = []
    client = db.session.get(Client, client_id)
    if client is None or not in_scope(client_scope(user), client_id):
        raise NotFound(f"There is no client {client_id}.", [Problem("Unknown client.", field="client_id")])
    title = (title or "").strip()
    if not title:
        problems.append(Problem("Give the case a title (e.g. “Left knee rehab”).", field="title"))
    elif len(title) > TITLE_LENGTH:
        problems.append(Problem(f"Keep the title to {TITLE_LENGTH} characters.", field="title"))
    discipline = db.session.get(Discipline, discipline_id)
    if discipline is None:
        problems.append(Problem("Choose a discipline.", field="discipline_id"))
    payer = None
    if payer_id is not None:
        payer = db.session.get(Payer, payer_id)
        if payer is None or not payer.active:
            problems.append(Problem("Choose a payer in use, or self-pay.", field="payer_id"))
        elif location_id is not None:
            from app.booking.catalogue import accepted_payers

            if payer.kind != PayerKind.self_pay and payer not in accepted_payers(location_id):
                problems.append(Problem(f"This location does not bill {payer.name}: choose one it bills, or self-pay.",
                                        field="payer_id"))
    claim_number = (claim_number or "").strip() or None
    if claim_number and len(claim_number) > CLAIM_LENGTH:
        problems.append(Problem(f"Keep the claim number to {CLAIM_LENGTH} characters.", field="claim_number"))
    if problems:
        raise ValidationFailed(problems[0].message if len(problems) == 1 else "The new case is not complete.",
                               problems)
    case = Case(client=client, title=title, discipline=discipline, payer=payer, claim_number=claim_number,
                opened_on=opened_on, provider=provider)
    db.session.add(case)
    db.session.flush()
    return case
