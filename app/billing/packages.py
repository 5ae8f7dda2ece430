"""Prepaid packages and insurer authorisations, drawn down by visits.

A package (e.g. 10 massages) is sold as a charge; each visit of an eligible session type
that arrives while the package has visits left is covered by it (a PackageUse and a zero
price charge). A case's authorisation (approved visits and/or amount, expiry) is drawn
down by its visits and charges. Both report what remains, with the alerts the front desk
needs: two or fewer left, exhausted, and an authorisation about to expire.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from flask_babel import gettext as _

from app import audit
from app.billing.common import lock_rows
from app.billing.pricing import ZERO, line_amounts
from app.errors import ValidationFailed
from app.extensions import db
from app.i18n.formatting import money
from app.models import (
    Appointment,
    AppointmentStatus,
    Case,
    Charge,
    ChargeKind,
    ClientPackage,
    PackageType,
    PackageUse,
    SessionType,
)

LOW_REMAINING = 2
EXPIRY_WARNING_DAYS = 14
# Visits that used an authorised visit (booked ahead ones are counted separately).
VISITED = (AppointmentStatus.arrived, AppointmentStatus.paid)
AHEAD = (AppointmentStatus.booked, AppointmentStatus.confirmed)


@dataclass
class Remaining:
    label: str
    total: int | Decimal | None
    used: int | Decimal
    booked_ahead: int = 0
    expires_on: date | None = None
    alerts: list[str] = field(default_factory=list)

    @property
    def left(self):
        return None if self.total is None else self.total - self.used

    def as_dict(self) -> dict:
        return {"label": self.label, "total": _plain(self.total), "used": _plain(self.used),
                "booked_ahead": self.booked_ahead, "left": _plain(self.left),
                "expires_on": self.expires_on.isoformat() if self.expires_on else None, "alerts": self.alerts}


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value


# --- packages ------------------------------------------------------------------------------------
def sell(*, case: Case, package_type: PackageType, actor, provider_id: int | None = None,
         today: date) -> ClientPackage:
    """Sell ``package_type`` to the case's client: the package and its charge on the case."""
    if not package_type.active:
        raise ValidationFailed(f"The package “{package_type.name}” is no longer sold.")
    package = ClientPackage(client_id=case.client_id, package_type=package_type,
                            sessions_total=package_type.sessions, purchased_on=today,
                            expires_on=today + timedelta(days=package_type.valid_days) if package_type.valid_days else None)
    db.session.add(package)
    db.session.flush()
    db.session.add(Charge(case=case, kind=ChargeKind.package, description=f"Package: {package_type.name}",
                          quantity=Decimal("1"), unit_price=package_type.price, tax_rate=package_type.tax_rate,
                          client_package_id=package.id, provider_id=provider_id, created_by_id=getattr(actor, "id", None)))
    db.session.flush()
    return package


def self_paid(case: Case) -> bool:
    from app.models import PayerKind

    return case.payer is None or case.payer.kind == PayerKind.self_pay


def withdraw(*, package: ClientPackage, actor) -> None:
    """Take back a package sold by mistake: only while no visit used it and its sale is not
    invoiced (afterwards, credit the sale's invoice line)."""
    from app.errors import Conflict

    lock_rows(ClientPackage, [package.id])
    if visits_used(package):
        raise Conflict("Visits already used this package; it cannot be withdrawn.")
    sale = db.session.scalars(select(Charge).where(Charge.client_package_id == package.id,
                                                   Charge.kind == ChargeKind.package,
                                                   Charge.voided_at.is_(None))).all()
    if any(c.invoice_id for c in sale):
        raise Conflict("The package's sale is invoiced; credit that invoice line first.")
    from app.timeutil import utcnow

    for charge in sale:
        charge.voided_at = utcnow()
    package.withdrawn_at = utcnow()
    db.session.flush()


def visits_used(package: ClientPackage) -> int:
    return db.session.scalar(select(func.count(PackageUse.id)).where(PackageUse.package_id == package.id))


def covering_package(*, client_id: int, session_type: SessionType, on: date, lock: bool = False) -> ClientPackage | None:
    """The client's oldest package that covers ``session_type`` on ``on`` with a visit left."""
    candidates = db.session.scalars(
        select(ClientPackage).join(PackageType).where(
            ClientPackage.client_id == client_id,
            PackageType.session_types.any(SessionType.id == session_type.id),
            ClientPackage.withdrawn_at.is_(None),
            (ClientPackage.expires_on.is_(None)) | (ClientPackage.expires_on >= on),
        ).order_by(ClientPackage.purchased_on, ClientPackage.id)).all()
    if lock:
        lock_rows(ClientPackage, [p.id for p in candidates])
    for package in candidates:
        if visits_used(package) < package.sessions_total:
            return package
    return None


def package_status(package: ClientPackage, *, today: date, used: int | None = None) -> Remaining:
    used = visits_used(package) if used is None else used
    status = Remaining(label=package.package_type.name, total=package.sessions_total, used=used,
                       expires_on=package.expires_on)
    _visit_alerts(status, today)
    return status


def use_package(*, appointment: Appointment, package: ClientPackage) -> PackageUse:
    use = PackageUse(package=package, appointment_id=appointment.id)
    db.session.add(use)
    db.session.flush()
    audit.record(db.session, entity=appointment, action="package_used",
                 after={"package_id": package.id, "visit": visits_used(package), "of": package.sessions_total})
    return use


def release_package(appointment: Appointment) -> None:
    """Give the visit back to its package (arrival undone)."""
    use = db.session.scalar(select(PackageUse).where(PackageUse.appointment_id == appointment.id))
    if use is not None:
        db.session.delete(use)
        db.session.flush()


def client_packages(client_id: int, *, today: date) -> list[Remaining]:
    """Every package of the client with what is left, in two statements."""
    rows = db.session.execute(
        select(ClientPackage, func.count(PackageUse.id)).outerjoin(PackageUse, PackageUse.package_id == ClientPackage.id)
        .where(ClientPackage.client_id == client_id, ClientPackage.withdrawn_at.is_(None)).group_by(ClientPackage.id)
        .options(selectinload(ClientPackage.package_type)).order_by(ClientPackage.purchased_on, ClientPackage.id)).all()
    return [package_status(package, today=today, used=used) for package, used in rows]


# --- authorisations ------------------------------------------------------------------------------
def authorisation_status(case: Case, *, today: date, currency: str | None = None) -> Remaining | None:
    """What is left of the case's authorisation: visits (visited + booked ahead) and/or
    amount (charged, fees and package sales excluded; in ``currency``, else the clinic's),
    with expiry alerts."""
    if case.authorised_visits is None and case.authorised_amount is None and case.authorisation_expires_on is None:
        return None
    counts = dict(db.session.execute(
        select(Appointment.status, func.count(Appointment.id)).where(Appointment.case_id == case.id)
        .group_by(Appointment.status)).all())
    visited = sum(counts.get(s, 0) for s in VISITED)
    ahead = sum(counts.get(s, 0) for s in AHEAD)
    status = Remaining(label="Authorised visits", total=case.authorised_visits, used=visited, booked_ahead=ahead,
                       expires_on=case.authorisation_expires_on)
    if case.authorised_visits is not None:
        _count_alerts(status, ahead=ahead)
    if case.authorised_amount is not None:
        charged = authorised_amount_used(case)
        left = case.authorised_amount - charged
        total = money(case.authorised_amount, currency)
        status.alerts.append(_("%(left)s of the authorised %(total)s remains.", left=money(left, currency), total=total)
                             if left > 0 else _("The authorised amount of %(total)s is used up.", total=total))
    _expiry_alerts(status, today)
    return status


def authorised_amount_used(case: Case) -> Decimal:
    rows = db.session.execute(select(Charge.quantity, Charge.unit_price, Charge.tax_rate).where(
        Charge.case_id == case.id, Charge.voided_at.is_(None),
        Charge.kind.in_([ChargeKind.service, ChargeKind.product]))).all()
    return sum((line_amounts(q, p, r).total for q, p, r in rows), ZERO)


def _visit_alerts(status: Remaining, today: date) -> None:
    _count_alerts(status)
    _expiry_alerts(status, today)


def _count_alerts(status: Remaining, *, ahead: int = 0) -> None:
    left = status.total - status.used - ahead
    if left <= 0:
        status.alerts.append(f"{status.label}: all {status.total} used" + (" or booked." if ahead else "."))
    elif left <= LOW_REMAINING:
        status.alerts.append(f"{status.label}: only {left} of {status.total} left.")


def _expiry_alerts(status: Remaining, today: date) -> None:
    if status.expires_on is not None:
        if status.expires_on < today:
            status.alerts.append(f"{status.label}: expired on {status.expires_on:%d %b %Y}.")
        elif status.expires_on <= today + timedelta(days=EXPIRY_WARNING_DAYS):
            status.alerts.append(f"{status.label}: expires on {status.expires_on:%d %b %Y}; book a reassessment or renewal.")


def remaining_notes(cases: list[Case], client_ids: list[int]) -> dict[int, str]:
    """Per case, what the booking form shows beside it: authorised visits left (booked ones
    counted) and the client's prepaid package visits left, in three statements."""
    counted = (AppointmentStatus.booked, AppointmentStatus.confirmed, *VISITED)
    authorised = [c for c in cases if c.authorised_visits is not None]
    taken = dict(db.session.execute(
        select(Appointment.case_id, func.count(Appointment.id))
        .where(Appointment.case_id.in_([c.id for c in authorised]), Appointment.status.in_(counted))
        .group_by(Appointment.case_id)).all()) if authorised else {}
    package_left: dict[int, int] = {}
    if client_ids:
        used = (select(PackageUse.package_id, func.count(PackageUse.id).label("used"))
                .group_by(PackageUse.package_id).subquery())
        for client_id, total, spent in db.session.execute(
                select(ClientPackage.client_id, ClientPackage.sessions_total, func.coalesce(used.c.used, 0))
                .outerjoin(used, used.c.package_id == ClientPackage.id)
                .where(ClientPackage.client_id.in_(client_ids), ClientPackage.withdrawn_at.is_(None))):
            package_left[client_id] = package_left.get(client_id, 0) + max(total - spent, 0)
    notes = {}
    for case in cases:
        parts = []
        if case.authorised_visits is not None:
            left = case.authorised_visits - taken.get(case.id, 0)
            parts.append(f"{max(left, 0)} of {case.authorised_visits} authorised visits left")
        if case.authorisation_expires_on is not None:
            parts.append(f"authorisation until {case.authorisation_expires_on:%d %b %Y}")
        if package_left.get(case.client_id) and self_paid(case):
            parts.append(f"{package_left[case.client_id]} prepaid visit(s) left")
        notes[case.id] = "; ".join(parts)
    return notes
