"""Charges on a case: proposed at arrival, editable until invoiced.

Marking a client Arrived proposes the session type's billing items (or its price when it
has none) as default charges; the user confirms, changes or drops them. A visit covered by
a prepaid package is charged at zero against the package instead. Each charge is billed
under a provider, by default the one whose calendar holds the appointment.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from app import audit
from app.billing import packages
from app.billing.common import amount, decimal, lock_rows
from app.billing.pricing import line_amounts
from app.errors import Conflict, Problem, ValidationFailed
from app.extensions import db
from app.models import (
    Appointment,
    BillingItem,
    Calendar,
    CalendarKind,
    Case,
    Charge,
    ChargeKind,
    Occupancy,
    TeamMember,
)
from app.timeutil import local_today, to_local, utcnow

EDITABLE = ("description", "quantity", "unit_price", "tax_rate", "provider_id")


@dataclass
class ChargeInput:
    description: str
    unit_price: Decimal
    quantity: Decimal = Decimal("1")
    tax_rate: Decimal = Decimal("0")
    billing_item_id: int | None = None
    provider_id: int | None = None
    kind: ChargeKind = ChargeKind.service
    client_package_id: int | None = None

    def as_dict(self) -> dict:
        amounts = line_amounts(self.quantity, self.unit_price, self.tax_rate)
        return {"description": self.description, "unit_price": str(self.unit_price), "quantity": str(self.quantity),
                "tax_rate": str(self.tax_rate), "billing_item_id": self.billing_item_id,
                "provider_id": self.provider_id, "kind": self.kind.value, "client_package_id": self.client_package_id,
                "total": str(amounts.total)}


def billing_provider_id(appointment: Appointment) -> int | None:
    """The team member whose provider calendar the appointment was booked in."""
    return db.session.scalar(
        select(Calendar.team_member_id).join(Occupancy, Occupancy.calendar_id == Calendar.id)
        .where(Occupancy.appointment_id == appointment.id, Calendar.kind == CalendarKind.provider).limit(1))


def default_charges(appointment: Appointment) -> list[ChargeInput]:
    """What arriving would charge: the session's billing lines (or its price), or a zero
    line against a package that covers the visit."""
    session_type = appointment.session_type
    if posted_defaults(appointment):
        return []  # kept when the arrival was undone: arriving again must not charge twice
    provider_id = billing_provider_id(appointment)
    day = to_local(appointment.starts_at, appointment.location.timezone).date()
    # A prepaid package is the client's own money: it covers self-paid visits, never a
    # case an insurer is billed for.
    package = packages.covering_package(client_id=appointment.case.client_id, session_type=session_type,
                                        on=day) if packages.self_paid(appointment.case) else None
    if package is not None:
        used = packages.visits_used(package) + 1
        return [ChargeInput(description=f"{session_type.name} — {package.package_type.name}, visit {used} of "
                                        f"{package.sessions_total}", unit_price=Decimal("0.00"),
                            provider_id=provider_id, client_package_id=package.id)]
    if not session_type.billing_lines:
        return [ChargeInput(description=session_type.name, unit_price=session_type.price, provider_id=provider_id)]
    return [ChargeInput(description=line.billing_item.name, unit_price=line.billing_item.unit_price,
                        quantity=line.quantity, tax_rate=line.billing_item.tax_rate,
                        billing_item_id=line.billing_item_id, provider_id=provider_id,
                        kind=ChargeKind.product if line.billing_item.is_product else ChargeKind.service)
            for line in session_type.billing_lines]


def parse_input(data: dict, *, index: int | None = None) -> ChargeInput:
    """A charge from user input (a billing item fills what is not given), every problem at once."""
    prefix = f"charges[{index}]." if index is not None else ""
    problems: list[Problem] = []
    item = None
    if data.get("billing_item_id") not in (None, ""):
        item = db.session.get(BillingItem, _int(data["billing_item_id"]))
        if item is None or not item.active:
            problems.append(Problem("Unknown billing item.", field=prefix + "billing_item_id"))
    description = (data.get("description") or (item.name if item else "")).strip()
    if not description:
        problems.append(Problem("Describe the charge (or choose a billing item).", field=prefix + "description"))
    elif len(description) > 200:
        problems.append(Problem("At most 200 characters.", field=prefix + "description"))
    price = amount(data.get("unit_price", item.unit_price if item else None), prefix + "unit_price", problems)
    quantity = decimal(data.get("quantity", 1), prefix + "quantity", problems, low=Decimal("0"),
                       high=Decimal("9999"), low_inclusive=False)
    tax = decimal(data.get("tax_rate", item.tax_rate if item else 0), prefix + "tax_rate", problems,
                  low=Decimal("0"), high=Decimal("100"), places=3)
    provider_id = _provider(data.get("provider_id"), prefix, problems)
    if problems:
        raise ValidationFailed("The charge is not valid.", problems)
    kind = ChargeKind.product if item is not None and item.is_product else ChargeKind.service
    package_id = _int(data.get("client_package_id")) if data.get("client_package_id") not in (None, "") else None
    return ChargeInput(description=description, unit_price=price, quantity=quantity, tax_rate=tax,
                       billing_item_id=item.id if item else None, provider_id=provider_id, kind=kind,
                       client_package_id=package_id)


def add(*, case: Case, inputs: list[ChargeInput], actor, appointment: Appointment | None = None,
        is_default: bool = False) -> list[Charge]:
    # A visit's charges belong to the visit's day; others to today at the client's home.
    day = (to_local(appointment.starts_at, appointment.location.timezone).date() if appointment is not None
           else local_today(case.client.home_location))
    if not case.is_open_on(day):
        raise Conflict(f"The case “{case.title}” is closed; reopen it to add charges.")
    charges = []
    for item in inputs:
        if item.client_package_id is not None:
            if appointment is None:
                raise ValidationFailed("Only a visit can be covered by a package.")
            package = packages.covering_package(client_id=case.client_id, session_type=appointment.session_type,
                                                on=to_local(appointment.starts_at, appointment.location.timezone).date(),
                                                lock=True)
            if package is None or package.id != item.client_package_id:
                raise Conflict("The package has no visit left for this session; charge the visit instead.",
                               [Problem("Package exhausted.", details={"reason": "package_exhausted"})])
            packages.use_package(appointment=appointment, package=package)
        charge = Charge(case=case, appointment=appointment, billing_item_id=item.billing_item_id,
                        provider_id=item.provider_id, kind=item.kind, description=item.description,
                        quantity=item.quantity, unit_price=item.unit_price, tax_rate=item.tax_rate,
                        is_default=is_default, client_package_id=item.client_package_id,
                        created_by_id=getattr(actor, "id", None))
        db.session.add(charge)
        charges.append(charge)
    db.session.flush()
    if appointment is not None:
        _resettle(appointment)
    return charges


def posted_defaults(appointment: Appointment) -> list[Charge]:
    return list(db.session.scalars(select(Charge).where(
        Charge.appointment_id == appointment.id, Charge.is_default.is_(True), Charge.voided_at.is_(None))))


def update(*, charge: Charge, changes: dict, actor) -> Charge:
    """Change a charge that is not invoiced yet (quantity, price, description, tax, provider)."""
    _lock(charge)
    _ensure_editable(charge)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationFailed("These fields cannot be changed.", [Problem("Not editable.", field=f) for f in sorted(unknown)])
    merged = {"description": charge.description, "unit_price": charge.unit_price, "quantity": charge.quantity,
              "tax_rate": charge.tax_rate, "provider_id": charge.provider_id, **changes}
    parsed = parse_input(merged)
    for key in EDITABLE:
        setattr(charge, key, getattr(parsed, key))
    db.session.flush()
    return charge


def remove(*, charge: Charge, actor) -> None:
    _lock(charge)
    _ensure_editable(charge)
    if charge.client_package_id is not None and charge.appointment_id is not None:
        packages.release_package(charge.appointment)
    if charge.kind == ChargeKind.package:
        raise Conflict("A package sale is removed by crediting it once invoiced; before that, remove the package.")
    charge.voided_at = utcnow()
    db.session.flush()
    if charge.appointment is not None:
        _resettle(charge.appointment)


def void_defaults(appointment: Appointment, *, actor) -> list[int]:
    """Remove the appointment's default charges that are not invoiced (arrival undone)."""
    removed = []
    for charge in uninvoiced(appointment, defaults_only=True):
        removed.append(charge.id)
        remove(charge=charge, actor=actor)
    if removed:
        audit.record(db.session, entity=appointment, action="default_charges_voided", after={"charge_ids": removed})
    return removed


def uninvoiced(appointment: Appointment, *, defaults_only: bool = False, kind: ChargeKind | None = None) -> list[Charge]:
    """The visit's charges not on an invoice, read under their row locks (PostgreSQL), so an
    invoice issued at the same moment cannot take a charge this transaction then changes."""
    lock_rows(Charge, db.session.scalars(select(Charge.id).where(Charge.appointment_id == appointment.id)).all())
    query = select(Charge).execution_options(populate_existing=True).where(
        Charge.appointment_id == appointment.id, Charge.invoice_id.is_(None), Charge.voided_at.is_(None))
    if defaults_only:
        query = query.where(Charge.is_default.is_(True))
    if kind is not None:
        query = query.where(Charge.kind == kind)
    return list(db.session.scalars(query.order_by(Charge.id)))


def invoiced(appointment: Appointment, *, kind: ChargeKind | None = None) -> list[Charge]:
    query = select(Charge).execution_options(populate_existing=True).where(
        Charge.appointment_id == appointment.id, Charge.invoice_id.is_not(None), Charge.voided_at.is_(None))
    if kind is not None:
        query = query.where(Charge.kind == kind)
    return list(db.session.scalars(query))


def _lock(charge: Charge) -> None:
    """Re-read the charge under its row lock: issuing an invoice locks it too."""
    lock_rows(Charge, [charge.id])
    db.session.refresh(charge)


def _resettle(appointment: Appointment) -> None:
    """A charge added to a paid visit reopens it; removing the last unpaid one settles it."""
    from app.billing import payments

    payments.settle_appointments({appointment.id})


def _ensure_editable(charge: Charge) -> None:
    if charge.invoice_id is not None:
        raise Conflict(f"“{charge.description}” is on invoice {charge.invoice.number}; issue a credit note to correct it.",
                       [Problem("Invoiced charges are frozen.", details={"reason": "charge_invoiced"})])


def _provider(value, prefix: str, problems: list[Problem]) -> int | None:
    if value in (None, ""):
        return None
    member = db.session.get(TeamMember, _int(value))
    if member is None or not member.is_provider:
        problems.append(Problem("Choose one of the clinic's providers.", field=prefix + "provider_id"))
        return None
    return member.id


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1
