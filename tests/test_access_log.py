"""The access log of patient records: one row per read, one insert per request, append-only."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app import access_log
from app.models import AccessEvent, AuditEvent
from tests import factories
from tests.sql import counting

def serve(app, user, path: str, *, reads: list[tuple[str, int, int]], status: int = 200,
          remote: str = "10.1.2.3"):
    """One request by ``user`` that shows ``reads`` (subject, id, client) and answers ``status``."""
    from flask import g

    with app.test_request_context(path, environ_base={"REMOTE_ADDR": remote}):
        g.user = user
        for subject, subject_id, client_id in reads:
            access_log.record_read(subject, subject_id, client_id=client_id)
        return access_log._write_reads(app.response_class("ok", status=status))


def page_of(client_id: int, cases: int) -> list[tuple[str, int, int]]:
    """A page that shows the same client several times and several of their cases."""
    reads = []
    for n in range(cases):
        reads += [("client", client_id, client_id), ("case", 1000 + n, client_id)]
    return reads


def rows(db):
    return db.session.execute(
        select(AccessEvent.subject_type, AccessEvent.subject_id, AccessEvent.client_id, AccessEvent.actor_id)
        .order_by(AccessEvent.id)).all()


def test_each_record_shown_is_logged_once_with_who_and_where(app, db, people):
    db.session.commit()
    serve(app, people.manager, "/clients/7", reads=page_of(7, 3))
    got = rows(db)
    assert sorted(got) == sorted([("client", 7, 7, people.manager.id)]
                                 + [("case", 1000 + n, 7, people.manager.id) for n in range(3)])
    entry = db.session.scalars(select(AccessEvent).where(AccessEvent.subject_type == "client")).one()
    assert (entry.ip, entry.route, entry.action) == ("10.1.2.3", "/clients/7", "view")


def test_a_request_writes_its_reads_in_one_statement_whatever_their_number(app, db, people):
    db.session.commit()
    counts = {}
    for times in (1, 20):
        with counting() as statements:
            serve(app, people.manager, "/clients/8", reads=page_of(8, times))
        counts[times] = sum(1 for s in statements if s.lstrip().upper().startswith("INSERT INTO ACCESS_EVENT"))
    assert counts == {1: 1, 20: 1}


def test_a_refused_request_logs_nothing(app, db, people):
    db.session.commit()
    serve(app, people.manager, "/clients/9", reads=[("client", 9, 9)], status=403)
    assert rows(db) == []


def test_reads_of_a_client_newest_first(db, people):
    from datetime import timedelta

    from app.timeutil import utcnow

    now = utcnow()
    db.session.add_all([
        AccessEvent(at=now - timedelta(hours=2), actor_id=people.frontdesk.id, subject_type="client",
                    subject_id=11, client_id=11),
        AccessEvent(at=now - timedelta(hours=1), actor_id=people.manager.id, subject_type="invoice_pdf",
                    subject_id=5, client_id=11),
        AccessEvent(at=now, actor_id=people.manager.id, subject_type="client", subject_id=12, client_id=12),
    ])
    db.session.commit()
    entries = access_log.reads_of_client(11)
    assert [(e.actor_id, e.what) for e in entries] == [(people.manager.id, "invoice PDF"),
                                                       (people.frontdesk.id, "client record")]
    assert access_log.reads_of_client(13) == []


def test_unknown_subjects_are_a_programming_error(app_ctx):
    with pytest.raises(ValueError):
        access_log.record_read("diary", 1, client_id=None)


@pytest.mark.parametrize("table", ["access_event", "audit_event"])
@pytest.mark.parametrize("statement", ["UPDATE {t} SET subject_id = 2", "DELETE FROM {t}"])
def test_log_rows_cannot_be_changed_on_postgresql(backend, db, people, table, statement):
    if backend != "postgresql":
        return  # SQLite has no triggers here; the application only ever inserts
    factories.make_client(first_name="Logged")  # an audit row
    db.session.commit()
    db.session.execute(text("INSERT INTO access_event (at, subject_type, subject_id, action) "
                            "VALUES (now(), 'client', 1, 'view')"))
    db.session.commit()
    sql = statement.format(t=table)
    if table == "audit_event":
        sql = sql.replace("subject_id", "entity_id")
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(sql))
        db.session.flush()
    db.session.rollback()


def test_deleting_a_user_keeps_their_log_rows_without_the_actor(backend, db, people):
    sam = factories.make_team_member(username="sam-log")
    db.session.commit()
    db.session.add(AccessEvent(actor_id=sam.user_id, subject_type="client", subject_id=1, client_id=1))
    db.session.commit()
    user_id = sam.user_id
    db.session.delete(sam)
    db.session.flush()
    db.session.execute(text("DELETE FROM ab_user_role WHERE user_id = :u"), {"u": user_id})
    db.session.execute(text("DELETE FROM ab_user WHERE id = :u"), {"u": user_id})
    db.session.commit()
    assert db.session.execute(select(AccessEvent.actor_id)).scalars().all() == [None]
    assert db.session.scalars(select(AuditEvent)).first() is not None
