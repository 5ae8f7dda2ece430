"""Money arithmetic, in one place: amounts are Decimal, rounded half-up to the cent.

Tax is computed per line (net × rate, rounded) and totals are sums of rounded lines, so
an invoice's total always equals the sum of what its lines show.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# The largest amount a Numeric(12, 2) column holds.
MAX_AMOUNT = Decimal("9999999999.99")


def money(value) -> Decimal:
    """``value`` as a Decimal rounded half-up to the cent (never through float)."""
    if isinstance(value, float):
        value = repr(value)
    try:
        parsed = Decimal(str(value).strip()) if isinstance(value, str) else Decimal(value)
        if not parsed.is_finite() or abs(parsed) > MAX_AMOUNT:
            raise ValueError
        return parsed.quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValueError(f"{value!r} is not an amount of money.") from exc


@dataclass(frozen=True)
class LineAmounts:
    net: Decimal
    tax: Decimal
    total: Decimal


def line_amounts(quantity: Decimal, unit_price: Decimal, tax_rate_percent: Decimal) -> LineAmounts:
    net = money(Decimal(quantity) * Decimal(unit_price))
    tax = money(net * Decimal(tax_rate_percent) / 100)
    return LineAmounts(net, tax, net + tax)


def negate(amounts: LineAmounts) -> LineAmounts:
    return LineAmounts(-amounts.net, -amounts.tax, -amounts.total)


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    tax: Decimal
    total: Decimal


def totals(lines: list[LineAmounts]) -> Totals:
    subtotal = sum((line.net for line in lines), ZERO)
    tax = sum((line.tax for line in lines), ZERO)
    return Totals(subtotal, tax, subtotal + tax)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    return money(Decimal(amount) * Decimal(percent) / 100)


def allocate(amount: Decimal, balances: list[Decimal]) -> list[Decimal]:
    """Spread ``amount`` over ``balances`` in order, oldest first, never more than each
    balance; what is left over is not allocated (it becomes credit)."""
    left = money(amount)
    shares = []
    for balance in balances:
        share = min(left, max(balance, ZERO))
        shares.append(share)
        left -= share
    return shares
