"""Every list screen sends the same number of SQL statements however many rows it lists
and however many clients and cases the clinic has behind it (issue 13): no row's label
loads its relations one by one, and no search field lists every client or case."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest

from app.billing import invoicing, payments
from app.extensions import db as ext_db
from app.models import Charge, Message, PaymentMethod, TimeBlock
from app.timeutil import to_utc
from tests import factories
from tests.calendar.test_bounded_lists import LIST_PAGES, ROLES
from tests.sql import counting
from tests.views.helpers import login

DAY = date(2026, 3, 2)
ZONE = "America/Toronto"


def more_of_everything(people, count: int) -> None:
    """``count`` more clients, each with a case, a visit, a charge, an invoice, a payment,
    a reminder, a shift and a blocked hour, at the front desk's location."""
    calendar = people.provider.calendars[0]
    session = factories.make_session_type(discipline=people.discipline, duration_minutes=30)
    first = ext_db.session.query(Charge).count()
    for n in range(first, first + count):
        day = DAY - timedelta(days=n)
        client = factories.make_client(home_location=people.location)
        case = factories.make_case(client=client, discipline=people.discipline)
        visit = factories.make_appointment(calendar, to_utc(day, time(9), ZONE), session_type=session, case=case)
        factories.make_shift(calendar, day, time(8), time(18))
        ext_db.session.add(TimeBlock(calendar=calendar, starts_at=to_utc(day, time(15), ZONE),
                                     ends_at=to_utc(day, time(16), ZONE), reason="Meeting"))
        charge = Charge(case=case, appointment=visit, description="Treatment", unit_price=Decimal("80.00"),
                        created_at=visit.starts_at)
        ext_db.session.add(charge)
        ext_db.session.add(Message(kind="reminder_1", audience="client", to_address="c@example.test", client=client,
                                   appointment=visit, location=people.location, due_at=visit.starts_at,
                                   dedupe_key=f"more-{n}"))
        ext_db.session.flush()
        invoice = invoicing.issue(case=case, charge_ids=[charge.id], actor=people.manager, today=day,
                                  location=people.location)
        payments.record(location=people.location, method=PaymentMethod.cash, amount=invoice.total, received_on=day,
                        actor=people.manager, client=client, allocations=[(invoice, None)])
    ext_db.session.commit()


def statements_per_page(client) -> dict[str, int]:
    found = {}
    for path in LIST_PAGES:
        ext_db.session.commit()  # expired: each request reads its rows, as a fresh session of a server does
        with counting() as statements:
            response = client.get(path)
        assert response.status_code == 200, path
        found[path] = len(statements)
    return found


@pytest.mark.parametrize("role", ROLES)
def test_list_screens_send_a_constant_number_of_statements(client, db, people, role):
    more_of_everything(people, 2)
    login(client, role)
    statements_per_page(client)  # first reads (roles, settings) out of the way
    few = statements_per_page(client)
    more_of_everything(people, 6)
    many = statements_per_page(client)
    print(role, few, many)
    assert many == few


NAMED_PAGES = ("/invoiceview/list/", "/paymentview/list/", "/caseview/list/", "/clientpackageview/list/",
               "/chargeview/list/")


@pytest.mark.parametrize("role", ROLES)
def test_no_list_page_lists_every_client_or_case_to_search_by(client, db, people, role):
    """Search fields on a client or a case are typed, so a client or case that no listed row
    shows is nowhere on the page (FAB's dropdown listed every one of them)."""
    more_of_everything(people, 1)
    unseen = factories.make_client(first_name="Zebulon", last_name="Quux", home_location=people.location)
    factories.make_case(client=unseen, discipline=people.discipline, title="Unbilled sprain")
    ext_db.session.commit()
    login(client, role)
    for path in NAMED_PAGES:
        page = client.get(path).get_data(as_text=True)
        assert "Quux" not in page or path == "/caseview/list/", path  # the Cases list shows its case
        assert path == "/caseview/list/" or "Unbilled sprain" not in page, path


@pytest.mark.parametrize("role", ROLES)
def test_lists_are_searched_by_a_client_or_case_name(client, db, people, role):
    more_of_everything(people, 3)
    named = factories.make_client(first_name="Ada", last_name="O'Brien_%", home_location=people.location)
    case = factories.make_case(client=named, discipline=people.discipline, title="Shoulder")
    visit = factories.make_appointment(people.provider.calendars[0], to_utc(DAY + timedelta(days=1), time(9), ZONE),
                                       case=case)
    ext_db.session.add(Charge(case=case, appointment=visit, description="Named treatment", unit_price=Decimal("5"),
                              created_at=visit.starts_at))
    ext_db.session.commit()
    login(client, role)
    assert client.get("/chargeview/list/").get_data(as_text=True).count(">Treatment<") == 3
    for typed in ("o'brien_%", "ada o", "Shoulder"):
        page = client.get("/chargeview/list/", query_string={"_flt_0_case": typed}).get_data(as_text=True)
        assert "Named treatment" in page and ">Treatment<" not in page, typed
    page = client.get("/invoiceview/list/", query_string={"_flt_0_client": "nobody such"})
    assert page.status_code == 200 and "Treatment" not in page.get_data(as_text=True)
    assert client.get("/chargeview/list/", query_string={"_flt_1_case": "Ada"}).status_code == 400
