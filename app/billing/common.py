"""Small helpers the billing services share: row locks and input checks."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from app.billing.pricing import money
from app.errors import Problem
from app.extensions import db
from app.i18n import formatting


def lock_rows(model, ids) -> None:
    """Lock rows in id order so concurrent writers queue instead of racing (FOR UPDATE
    on PostgreSQL; SQLite needs nothing and SQLAlchemy leaves it out: every Plinth
    transaction there begins IMMEDIATE, one writer)."""
    ids = sorted(set(ids))
    if ids:
        db.session.execute(select(model.id).where(model.id.in_(ids)).order_by(model.id).with_for_update())


# What one charge may cost: far above any clinic's price, far below the column's limit,
# so quantity × price and the totals always fit.
MAX_PRICE = Decimal("1000000.00")


def amount(value, field: str, problems: list[Problem], *, positive: bool = False,
           most: Decimal = MAX_PRICE) -> Decimal | None:
    """Parse a money amount, collecting a problem instead of raising."""
    try:
        parsed = money(value)
    except ValueError:
        problems.append(Problem("Enter an amount such as 45.00.", field=field))
        return None
    if parsed > most:
        problems.append(Problem(f"At most {formatting.amount(most)}.", field=field))
        return None
    if parsed < 0 or (positive and parsed == 0):
        problems.append(Problem("Must be more than zero." if positive else "Cannot be negative.", field=field))
        return None
    return parsed


def decimal(value, field: str, problems: list[Problem], *, low: Decimal, high: Decimal | None = None,
            low_inclusive: bool = True, places: int = 2) -> Decimal | None:
    """Parse a number with at most ``places`` decimals (what its column keeps)."""
    try:
        parsed = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        problems.append(Problem("Enter a number.", field=field))
        return None
    if parsed.is_finite() and parsed != parsed.quantize(Decimal(1).scaleb(-places)):
        problems.append(Problem(f"Use at most {places} decimals.", field=field))
        return None
    if not parsed.is_finite() or (parsed < low if low_inclusive else parsed <= low) or (high is not None and parsed > high):
        bound = f"between {low} and {high}" if high is not None else (f"at least {low}" if low_inclusive else f"more than {low}")
        problems.append(Problem(f"Must be {bound}.", field=field))
        return None
    return parsed
