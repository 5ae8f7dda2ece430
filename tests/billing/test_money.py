"""Money arithmetic: rounding half-up per line, totals equal the sum of lines, allocation."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.billing.pricing import allocate, line_amounts, money, percent_of, totals

D = Decimal


@pytest.mark.parametrize("quantity,price,rate,net,tax,total", [
    ("1", "95.00", "13", "95.00", "12.35", "107.35"),
    ("2", "4.50", "13", "9.00", "1.17", "10.17"),
    ("1", "0.05", "13", "0.05", "0.01", "0.06"),       # 0.0065 rounds half-up to 0.01
    ("3", "33.333", "0", "100.00", "0.00", "100.00"),  # net rounded once, after multiplying
    ("0.5", "85.00", "5", "42.50", "2.13", "44.63"),   # 2.125 → 2.13 (half-up, not banker's)
    ("1", "0.00", "13", "0.00", "0.00", "0.00"),
])
def test_line_amounts_round_half_up_to_the_cent(quantity, price, rate, net, tax, total):
    amounts = line_amounts(D(quantity), D(price), D(rate))
    assert (amounts.net, amounts.tax, amounts.total) == (D(net), D(tax), D(total))


def test_money_never_goes_through_binary_floating_point():
    assert money(2.675) == D("2.68")  # float 2.675 is 2.67499999...; repr keeps what was meant
    assert money("1.005") == D("1.01")
    with pytest.raises(ValueError):
        money("twelve")


def test_percent_of_a_price():
    assert percent_of(D("95.00"), D("50")) == D("47.50")
    assert percent_of(D("85.00"), D("33.333")) == D("28.33")


amounts = st.decimals(min_value=D("0"), max_value=D("5000"), places=2, allow_nan=False, allow_infinity=False)
quantities = st.decimals(min_value=D("0.25"), max_value=D("20"), places=2, allow_nan=False, allow_infinity=False)
rates = st.sampled_from([D("0"), D("5"), D("13"), D("15"), D("20")])


@given(st.lists(st.tuples(quantities, amounts, rates), min_size=1, max_size=12))
def test_an_invoice_total_is_exactly_the_sum_of_its_rounded_lines(lines):
    computed = [line_amounts(q, p, r) for q, p, r in lines]
    result = totals(computed)
    assert result.total == sum(line.total for line in computed)
    assert result.total == result.subtotal + result.tax
    assert all(line.total.as_tuple().exponent == -2 for line in computed)


@given(amounts, st.lists(amounts, max_size=8))
def test_allocation_never_exceeds_the_payment_or_any_balance(payment, balances):
    shares = allocate(payment, balances)
    assert sum(shares) <= payment
    assert all(D("0") <= share <= balance for share, balance in zip(shares, balances))
    # Oldest first: a later invoice gets money only when every earlier one is settled.
    for i, share in enumerate(shares):
        if share > 0:
            assert all(shares[j] == balances[j] for j in range(i))
    # What is not allocated is exactly the credit left over.
    assert payment - sum(shares) == max(D("0"), payment - sum(balances))
