"""The Invoices and Payments lists of a reader who works at one location read that location's
rows in the list's order, a page at a time (issue 13, app/views/one_location.py): PostgreSQL,
a year of invoices and payments at the front desk's location and newer ones at a location it
does not work at, sequential scans off. Before, the page was read backwards through every
invoice of the clinic (the primary key), each other location's invoice checked and dropped
(at 150,000 clients: 5,946 of them for one page, 624 ms), or the location's whole history
read and sorted. Same rows as the scope alone gives."""
from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.billing import invoicing, payments
from app.extensions import db as ext_db
from app.models import Charge, Invoice, Payment, PaymentMethod
from app.security import invoice_scope, payment_scope
from app.security.scopes import scope_condition
from app.timeutil import to_utc
from tests import factories
from tests.calendar.test_bounded_lists import BLOCKING, billing_history, postgresql_only, selects_of  # noqa: F401 (fixture)
from tests.calendar.test_bounded_reads import DAY, some_history
from tests.views.helpers import login

PAGES = {"/invoiceview/list/": "invoice", "/paymentview/list/": "payment"}


def elsewhere(people, count: int) -> None:
    """``count`` invoices and payments at the location the front desk does not work at, newer
    than the year at theirs: a page read in the list's order meets them first."""
    calendar = people.outsider.calendars[0]
    for n in range(count):
        client = factories.make_client(home_location=people.other_location)
        case = factories.make_case(client=client, discipline=people.discipline)
        visit = factories.make_appointment(calendar, to_utc(DAY + timedelta(days=n + 1), time(10), "Europe/Lisbon"),
                                           case=case)
        charge = Charge(case=case, appointment=visit, description="Lisbon treatment", unit_price=Decimal("60.00"),
                        created_at=visit.starts_at)
        ext_db.session.add(charge)
        ext_db.session.flush()
        invoice = invoicing.issue(case=case, charge_ids=[charge.id], actor=people.manager, today=DAY + timedelta(days=n + 1),
                                  location=people.other_location)
        payments.record(location=people.other_location, method=PaymentMethod.cash, amount=invoice.total,
                        received_on=DAY + timedelta(days=n + 1), actor=people.manager, client=client,
                        allocations=[(invoice, None)])
    ext_db.session.commit()


def read_in_order_at_the_location(node: dict, table: str, under_limit: bool = False):
    """The scans of ``table`` (the list's own rows) in a plan and whether each reads an index on its location in the
    list's order under a LIMIT (nothing that reads every row first in between)."""
    kind = node["Node Type"]
    under_limit = True if kind == "Limit" else (False if kind in BLOCKING else under_limit)
    if node.get("Relation Name") == table and node.get("Alias") == table:  # not an invoice's credit notes
        yield (node.get("Index Name"), "location_id" in (node.get("Index Cond") or "") and under_limit)
    for child in node.get("Plans", []):
        yield from read_in_order_at_the_location(child, table, under_limit)


def plans_of(statements, table: str) -> list:
    import json

    connection = ext_db.session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    found = []
    for statement, parameters in statements:
        if f"FROM {table} " not in statement.split(" WHERE ")[0] + " ":
            continue  # not the page or its count (a row's relations, the reader's roles)
        plan = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()
        plan = json.loads(plan) if isinstance(plan, str) else plan
        found += list(read_in_order_at_the_location(plan[0]["Plan"], table))
    return found


def test_the_front_desk_reads_its_locations_invoices_and_payments_a_page_at_a_time(client, db, people,
                                                                                  postgresql_only):
    some_history(people)
    billing_history(people)
    elsewhere(people, 12)
    login(client, "frontdesk")
    for path, table in PAGES.items():
        scans = plans_of(selects_of(client, path), table)
        assert len(scans) == 2, (path, scans)  # the page and its pager total
        assert all(in_order for _index, in_order in scans), (path, scans)


def listed_ids(client, path: str) -> set[int]:
    import re

    page = client.get(path, query_string={"psize_" + ("InvoiceView" if "invoice" in path else "PaymentView"): 500})
    assert page.status_code == 200
    return {int(found) for found in re.findall(r'/show/(\d+)"', page.get_data(as_text=True))}


@pytest.mark.parametrize("works_at_both", (False, True))
def test_the_same_rows_as_the_scope(client, db, people, works_at_both):
    """A front desk at one location sees its scope's invoices and payments, no more, no fewer;
    one who works at both locations sees both (the equality is left out)."""
    from app.models import TeamMember

    some_history(people)
    billing_history(people)
    elsewhere(people, 3)
    desk = ext_db.session.scalar(select(TeamMember).where(TeamMember.user_id == people.frontdesk.id))
    if works_at_both:
        desk.locations.append(people.other_location)
    ext_db.session.commit()
    login(client, "frontdesk")
    for path, model, scope in (("/invoiceview/list/", Invoice, invoice_scope), ("/paymentview/list/", Payment,
                                                                                  payment_scope)):
        expected = set(ext_db.session.scalars(select(model.id).where(scope_condition(model, scope(people.frontdesk)))))
        at_other = set(ext_db.session.scalars(select(model.id).where(model.location_id == people.other_location.id)))
        assert listed_ids(client, path) == expected, path
        assert bool(expected & at_other) == works_at_both, path
