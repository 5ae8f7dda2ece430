"""Invoices and credit notes: gapless numbers per location, immutable snapshots.

Issuing takes the case's chosen uninvoiced charges, bills them to the case's payer (or
the client when self-paying), numbers the document from the location's sequence under a
row lock (so two people invoicing at once get consecutive numbers, and a failed issue
rolls its number back with it), and freezes everything the document says in a snapshot.
A credit note reverses some or all lines of an invoice and releases their charges so
they can be corrected and invoiced again.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import audit
from app.billing import balances, pricing
from app.billing.common import lock_rows
from app.billing.immutability import release_charges
from app.errors import Conflict, Problem, ValidationFailed
from app.dialect import insert
from app.extensions import db
from app.i18n.formatting import location_currency
from app.i18n.locales import language_for
from app.models import (
    Case,
    Charge,
    ChargeKind,
    Client,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceSequence,
    Location,
    PayerKind,
    read_clinic_settings,
)
from app.timeutil import local_today, to_local, utcnow


# Insurers pay for treatment, never for missed visits (no-show and late-cancel fees) or
# prepaid packages: those are the client's to pay, on an invoice of their own.
CLIENT_PAYS = (ChargeKind.fee, ChargeKind.package)


def payer_for(case: Case, kind: ChargeKind, *, bill_client: bool = False):
    """The one rule for who a charge of ``kind`` on ``case`` is billed to: the case's payer
    for treatment, unless it is self-pay or staff chose the client; the client (None) for
    fees and packages, always. ``issue`` and the grid panel's invoice buttons both ask it."""
    if bill_client or kind in CLIENT_PAYS or case.payer is None or case.payer.kind == PayerKind.self_pay:
        return None
    return case.payer


def uninvoiced(case: Case) -> list[Charge]:
    return list(db.session.scalars(select(Charge).where(Charge.case_id == case.id, Charge.invoice_id.is_(None),
                                                       Charge.voided_at.is_(None))
                                   .options(selectinload(Charge.provider))
                                   .order_by(Charge.created_at, Charge.id)))


def issue(*, case: Case, charge_ids: list[int], actor, today: date | None = None, location: Location | None = None,
          bill_client: bool = False) -> Invoice:
    """Issue an invoice for the chosen uninvoiced charges of ``case`` (dated ``today``, by
    default the issuing location's own date)."""
    if not charge_ids:
        raise ValidationFailed("Choose at least one charge to invoice.", [Problem("Nothing chosen.", field="charge_ids")])
    lock_rows(Charge, charge_ids)
    charges = list(db.session.scalars(select(Charge).where(Charge.id.in_(charge_ids))
                                      .order_by(Charge.created_at, Charge.id)
                                      .execution_options(populate_existing=True)))
    problems = [Problem(f"Charge {cid} does not exist.", field="charge_ids") for cid in
                sorted(set(charge_ids) - {c.id for c in charges})]
    problems += [Problem(f"“{c.description}” belongs to another case.", field="charge_ids")
                 for c in charges if c.case_id != case.id]
    problems += [Problem(f"“{c.description}” was removed.", field="charge_ids") for c in charges if c.voided_at]
    problems += [Problem(f"“{c.description}” is already on invoice {c.invoice.number}.", field="charge_ids",
                         details={"reason": "charge_invoiced"}) for c in charges if c.invoice_id is not None]
    if problems:
        raise Conflict("These charges cannot be invoiced.", problems)
    location = location or _location_of(charges, case)
    today = today or local_today(location)
    payers = {c.id: payer_for(case, c.kind, bill_client=bill_client) for c in charges}
    if len(set(payers.values())) > 1:
        own = [c for c in charges if payers[c.id] is None]
        raise Conflict(f"{case.payer.name} is billed for treatment; invoice the fees and packages "
                       f"({', '.join(c.description for c in own)}) to the client separately.",
                       [Problem("Client's charges mixed with the insurer's.", field="charge_ids",
                                details={"reason": "client_pays"})])
    payer = next(iter(payers.values()))
    with force_locale(language_for(case.client, location)):  # lines are printed as issued, in its language
        lines = [_line(position, charge) for position, charge in enumerate(charges, start=1)]
    invoice = _document(kind=InvoiceKind.invoice, case=case, location=location, payer=payer, lines=lines,
                        actor=actor, today=today, providers=_providers(charges))
    for charge in charges:
        charge.invoice = invoice
    db.session.flush()
    balances.reckon_open([invoice.id])
    audit.record(db.session, entity=invoice, action="issued",
                 after={"number": invoice.number, "total": str(invoice.total), "charge_ids": [c.id for c in charges]})
    from app.billing import payments  # settles zero invoices (package visits) at once

    payments.settle_appointments({c.appointment_id for c in charges if c.appointment_id})
    return invoice


def credit_note(*, invoice: Invoice, actor, reason: str, today: date, line_ids: list[int] | None = None) -> Invoice:
    """Reverse ``line_ids`` (default: every line still uncredited) of ``invoice``."""
    if invoice.kind != InvoiceKind.invoice:
        raise ValidationFailed("Only an invoice can be credited.")
    if not (reason or "").strip():
        raise ValidationFailed("Say why the invoice is credited.", [Problem("A reason is required.", field="reason")])
    lock_rows(Invoice, [invoice.id])
    credited = credited_line_charge_ids(invoice)
    open_lines = [line for line in invoice.lines if line.charge_id not in credited or line.charge_id is None]
    chosen = open_lines if line_ids is None else [line for line in open_lines if line.id in set(line_ids)]
    if line_ids is not None and len(chosen) != len(set(line_ids)):
        raise Conflict("Some lines are not on this invoice or are already credited.",
                       [Problem("Line already credited or unknown.", field="line_ids")])
    if not chosen:
        raise Conflict(f"Invoice {invoice.number} is already fully credited.")
    reversed_lines = [InvoiceLine(position=i, charge_id=line.charge_id, service_date=line.service_date, code=line.code,
                                  description=line.description, provider=line.provider, quantity=line.quantity,
                                  unit_price=line.unit_price, tax_rate=line.tax_rate, net=-line.net, tax=-line.tax,
                                  total=-line.total) for i, line in enumerate(chosen, start=1)]
    note = _document(kind=InvoiceKind.credit_note, case=invoice.case, location=invoice.location, payer=invoice.payer,
                     lines=reversed_lines, actor=actor, today=today, providers=invoice.snapshot.get("providers", []),
                     credits=invoice, reason=reason.strip())
    # The credited charges go back to the case, to be corrected and invoiced again.
    released = [db.session.get(Charge, line.charge_id) for line in chosen if line.charge_id]
    release_charges(db.session, released)
    for charge in released:
        charge.invoice_id = None
    db.session.flush()
    audit.record(db.session, entity=note, action="issued",
                 after={"number": note.number, "credits": invoice.number, "total": str(note.total), "reason": note.reason})
    from app.billing import payments

    payments.refund_overpaid(invoice, actor=actor)
    balances.reckon_open([invoice.id])
    payments.settle_appointments({c.appointment_id for c in released if c.appointment_id})
    return note


def credited_line_charge_ids(invoice: Invoice) -> set[int]:
    return set(db.session.scalars(select(InvoiceLine.charge_id).join(Invoice).where(
        Invoice.credits_invoice_id == invoice.id, InvoiceLine.charge_id.is_not(None))))


def next_number(location: Location) -> tuple[int, str]:
    """Take the location's next number under the sequence row's lock."""
    db.session.execute(insert(InvoiceSequence).values(location_id=location.id, next_number=1)
                       .on_conflict_do_nothing(index_elements=["location_id"]))
    query = select(InvoiceSequence).where(InvoiceSequence.location_id == location.id).with_for_update()
    sequence = db.session.scalars(query.execution_options(populate_existing=True)).one()
    number = sequence.next_number
    sequence.next_number = number + 1
    return number, f"{location.invoice_prefix}{number:06d}"


def _document(*, kind, case, location, payer, lines, actor, today, providers, credits=None, reason=None) -> Invoice:
    totals = pricing.totals([pricing.LineAmounts(line.net, line.tax, line.total) for line in lines])
    sequence, number = next_number(location)
    invoice = Invoice(kind=kind, location=location, sequence=sequence, number=number, case=case,
                      client_id=case.client_id, payer=payer, credits_invoice=credits, issued_at=utcnow(),
                      issued_on=today, currency=location_currency(location), subtotal=totals.subtotal,
                      tax_total=totals.tax, total=totals.total,
                      snapshot=_snapshot(case, location, payer, providers, credits), reason=reason,
                      issued_by_id=getattr(actor, "id", None))
    invoice.lines = lines
    db.session.add(invoice)
    db.session.flush()
    return invoice


def _line(position: int, charge: Charge) -> InvoiceLine:
    amounts = pricing.line_amounts(charge.quantity, charge.unit_price, charge.tax_rate)
    day = (to_local(charge.appointment.starts_at, charge.appointment.location.timezone).date()
           if charge.appointment is not None else None)
    provider = charge.provider
    return InvoiceLine(position=position, charge_id=charge.id, service_date=day,
                       code=charge.billing_item.code if charge.billing_item else None, description=charge.description,
                       provider=_provider_label(provider) if provider else None, quantity=charge.quantity,
                       unit_price=pricing.money(charge.unit_price), tax_rate=charge.tax_rate, net=amounts.net,
                       tax=amounts.tax, total=amounts.total)


def _provider_label(member) -> str:
    if not member.registration_number:
        return member.display_name
    return gettext("%(name)s (reg. %(number)s)", name=member.display_name, number=member.registration_number)


def _providers(charges: list[Charge]) -> list[dict]:
    seen = {}
    for charge in charges:
        if charge.provider is not None:
            seen[charge.provider.id] = {"name": charge.provider.display_name, "title": charge.provider.title,
                                        "registration_number": charge.provider.registration_number}
    return list(seen.values())


def _location_of(charges: list[Charge], case: Case) -> Location:
    for charge in charges:
        if charge.appointment is not None:
            return charge.appointment.location
    client: Client = case.client
    if client.home_location is not None:
        return client.home_location
    raise ValidationFailed("Choose the location that issues this invoice.", [Problem("Location needed.", field="location_id")])


def _snapshot(case: Case, location: Location, payer, providers: list[dict], credits: Invoice | None) -> dict:
    settings = read_clinic_settings()
    client = case.client
    client_address = ", ".join(p for p in [client.address_line1, client.address_line2, client.city, client.region,
                                           client.postal_code] if p)
    bill_to = ({"kind": "payer", "name": payer.name, "address": payer.address, "tax_id": payer.tax_id,
                "contact": payer.contact_name}
               if payer is not None else {"kind": "client", "name": client.full_name, "address": client_address,
                                          "tax_id": client.tax_id})
    return {
        "clinic": {"name": settings.clinic_name, "legal_name": settings.legal_name, "phone": settings.phone,
                   "email": settings.email, "website": settings.website, "logo": settings.logo,
                   "colour": settings.brand_colour},
        "location": {"name": location.name, "address": location.address, "phone": location.phone,
                     "email": location.email, "tax_id": location.tax_id},
        "client": {"name": client.full_name, "address": client_address, "tax_id": client.tax_id,
                   "date_of_birth": client.date_of_birth.isoformat() if client.date_of_birth else None},
        "bill_to": bill_to,
        "claim_number": case.claim_number,
        "providers": providers,
        "credits": {"number": credits.number, "issued_on": credits.issued_on.isoformat()} if credits else None,
        # The document's language: the client's, else the location's (printed the same forever).
        "language": language_for(client, location),
    }


def invoice_balance(invoice: Invoice) -> Decimal:
    return balances.of_invoices([invoice.id]).get(invoice.id, Decimal("0.00"))
