"""A provider's Clients and Cases lists read the provider's own cases and visits, never every
client or case of the clinic (issue 13, ``security.scopes._own_cases``). PostgreSQL, plans
run under EXPLAIN ANALYZE: the client and case rows each page's statements read (returned or
filtered out, every loop) stay within a few times what the provider sees, with 3,000 clients
and cases of the clinic they do not see behind them. Before, each list was read in its order
and every client or case was asked whether the provider may see it: the count read all of
them (at 150,000 clients, 555 ms for the Clients page)."""
from __future__ import annotations

import json

import pytest

from app.extensions import db as ext_db
from tests import factories
from tests.calendar.test_bounded_lists import postgresql_only, selects_of  # noqa: F401 (fixture)
from tests.calendar.test_bounded_reads import some_history
from tests.views.helpers import login

PAGES = ("/clientview/list/", "/caseview/list/")
UNSEEN = 3000


def rows_read(node: dict, tables: set[str]) -> int:
    """Rows of ``tables`` the plan's scans touched: returned or removed by a filter, every loop."""
    loops = node.get("Actual Loops", 1)
    own = 0
    if node.get("Relation Name") in tables:
        own = (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
               + node.get("Rows Removed by Index Recheck", 0)) * loops
    return own + sum(rows_read(child, tables) for child in node.get("Plans", []))


def rows_read_by(statements, tables: set[str]) -> int:
    connection = ext_db.session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    total = 0
    for statement, parameters in statements:
        plan = connection.exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters).scalar()
        plan = json.loads(plan) if isinstance(plan, str) else plan
        total += rows_read(plan[0]["Plan"], tables)

    return total


def unseen_clinic(people, count: int) -> None:
    """``count`` clients of the clinic, each with a case the provider never saw (inserted in bulk)."""
    from datetime import date, datetime, timezone

    from sqlalchemy import insert, select

    from app.models import Case, Client

    ext_db.session.execute(insert(Client), [
        {"first_name": f"Unseen{n}", "last_name": f"Client{n:05d}", "online_booking_blocked": False,
         "home_location_id": people.location.id, "created_at": datetime(2026, 1, 1, tzinfo=timezone.utc),
         "message_channel": "email"} for n in range(count)])
    ids = ext_db.session.scalars(select(Client.id).where(Client.first_name.like("Unseen%"))).all()
    ext_db.session.execute(insert(Case), [{"client_id": client_id, "title": "Unseen case", "opened_on": date(2026, 1, 5),
                                           "discipline_id": people.discipline.id} for client_id in ids])
    ext_db.session.commit()


def test_a_providers_lists_read_their_own_clients_and_cases(client, db, people, postgresql_only):
    some_history(people)  # a year of the provider's visits: their clients and cases
    unseen_clinic(people, UNSEEN)
    login(client, "provider")
    for path in PAGES:
        page = client.get(path)
        assert page.status_code == 200
        read = rows_read_by(selects_of(client, path), {"client", "case_file"})
        # some_history's 52 visits, each with its client and case: read a few times over at most.
        assert read < 500, (path, read)


@pytest.mark.parametrize("path", PAGES)
def test_a_provider_sees_the_same_clients_and_cases(client, db, people, path):
    """Their treated cases, the cases of visits on their calendars, those cases' clients: no
    other (the meaning of ``case_scope`` / ``client_scope``, unchanged)."""
    from datetime import time, timedelta

    from app.timeutil import to_utc
    from tests.calendar.test_bounded_reads import DAY, ZONE

    treated = factories.make_case(client=factories.make_client(last_name="Treatedonly", home_location=people.location),
                                  discipline=people.discipline, provider=people.provider, title="Treated case")
    visited = factories.make_case(client=factories.make_client(last_name="Visitedonly", home_location=people.location),
                                  discipline=people.discipline, title="Visited case")
    factories.make_appointment(people.provider.calendars[0], to_utc(DAY + timedelta(days=1), time(9), ZONE),
                               case=visited)
    elsewhere = factories.make_case(client=factories.make_client(last_name="Elsewhereonly",
                                                                 home_location=people.other_location),
                                    discipline=people.discipline, title="Elsewhere case")
    factories.make_appointment(people.outsider.calendars[0], to_utc(DAY + timedelta(days=1), time(9), "Europe/Lisbon"),
                               case=elsewhere)
    ext_db.session.commit()
    assert treated.id and visited.id
    login(client, "provider")
    page = client.get(path).get_data(as_text=True)
    shown = ("Treatedonly", "Visitedonly") if "client" in path else ("Treated case", "Visited case")
    assert all(name in page for name in shown), path
    assert "Elsewhere" not in page, path
