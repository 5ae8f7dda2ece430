""""The case is open" is one rule (Case.is_open_on) for booking, charges and the public
site: open on a day unless it closed on or before that day."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.models import Case

DAY = date(2026, 3, 16)
RULE = [  # closed_on, open on DAY?
    (None, True),
    (date(2026, 3, 17), True),   # closes tomorrow: still open today
    (DAY, False),                # the closing day is the first closed day
    (date(2026, 3, 1), False),
]


@pytest.mark.parametrize(("closed_on", "open_"), RULE)
def test_a_case_is_open_on_a_day_unless_closed_by_then(closed_on, open_):
    assert Case(closed_on=closed_on).is_open_on(DAY) is open_


def test_the_sql_form_of_the_rule_selects_the_same_cases(db):
    from tests import factories

    cases = {}
    for closed_on, open_ in RULE:
        case = factories.make_case()
        case.opened_on, case.closed_on = date(2026, 1, 1), closed_on
        cases[case] = open_
    db.session.commit()
    selected = set(db.session.scalars(select(Case.id).where(Case.is_open_on(DAY))))
    assert selected == {case.id for case, open_ in cases.items() if open_}
