"""Returning patients: a one-time code by email, no enumeration, limited guesses."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.booking import codes
from app.models import Appointment, Case, Client, LoginCode, Message
from tests import factories
from tests.booking.conftest import run_code_jobs, slot_values, post_confirm


def _start(client, site):
    client.get(f"/book/l/{site.location.id}")
    client.get("/book/who")


def _codes_sent(db, email):
    run_code_jobs()
    return db.session.scalars(select(Message).where(Message.kind == "login_code", Message.to_address == email)).all()


def test_known_and_unknown_email_get_the_same_answer(client, site, db):
    factories.make_client(email="known@example.com")
    db.session.commit()
    answers = []
    for email in ("known@example.com", "stranger@example.com"):
        _start(client, site)
        posted = client.post("/book/returning", data={"email": email})
        page = client.get(posted.headers["Location"]).get_data(as_text=True)
        answers.append((posted.status_code, posted.headers["Location"], page.replace(email, "EMAIL")))
    assert answers[0] == answers[1]
    # a row either way (the same work), an email only to the known address
    assert db.session.scalar(select(func.count(LoginCode.id))) == 2
    assert len(_codes_sent(db, "known@example.com")) == 1
    assert _codes_sent(db, "stranger@example.com") == []


def test_codes_are_stored_hashed_and_expire(client, site, db):
    factories.make_client(email="known@example.com")
    db.session.commit()
    _start(client, site)
    client.post("/book/returning", data={"email": "known@example.com"})
    code = _codes_sent(db, "known@example.com")[0].context["code"]
    row = db.session.scalars(select(LoginCode)).one()
    assert code not in row.code_hash and "known" not in row.email_hash
    assert timedelta(minutes=9) < row.expires_at - row.created_at <= timedelta(minutes=10)
    row.expires_at = row.created_at  # expired
    db.session.commit()
    page = client.post("/book/returning/code", data={"code": code}).get_data(as_text=True)
    assert "not right, or it has expired" in page


def test_guesses_are_limited_even_the_right_code_fails_after(client, site, db):
    factories.make_client(email="known@example.com")
    db.session.commit()
    _start(client, site)
    client.post("/book/returning", data={"email": "known@example.com"})
    code = _codes_sent(db, "known@example.com")[0].context["code"]
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(codes.MAX_ATTEMPTS):
        assert client.post("/book/returning/code", data={"code": wrong}).status_code == 200
    response = client.post("/book/returning/code", data={"code": code})
    assert response.status_code == 200 and "not right" in response.get_data(as_text=True)


def test_a_new_code_supersedes_the_old_one(client, site, db):
    factories.make_client(email="known@example.com")
    db.session.commit()
    _start(client, site)
    client.post("/book/returning", data={"email": "known@example.com"})
    run_code_jobs()  # the worker sends the first before the second is asked for
    client.post("/book/returning", data={"email": "known@example.com"})
    first, second = [m.context["code"] for m in sorted(_codes_sent(db, "known@example.com"), key=lambda m: m.id)]
    if first != second:
        assert "not right" in client.post("/book/returning/code", data={"code": first}).get_data(as_text=True)
    assert client.post("/book/returning/code", data={"code": second}).status_code == 302


def test_verified_patient_books_into_their_existing_client_and_open_case(client, site, db):
    person = factories.make_client(email="Known@Example.com", first_name="Olga", phone="+14165550123")
    factories.make_case(client=person, discipline=site.follow_up.discipline, title="Old closed",
                        closed_on=factories.date(2026, 2, 1))
    open_case = factories.make_case(client=person, discipline=site.follow_up.discipline, title="Knee")
    db.session.commit()
    _start(client, site)
    client.post("/book/returning", data={"email": "known@example.com"})
    code = _codes_sent(db, "known@example.com")[0].context["code"]
    assert client.post("/book/returning/code", data={"code": code}).headers["Location"].endswith("/book/services")
    services = client.get("/book/services").get_data(as_text=True)
    assert "Follow-up" in services and "Initial assessment" not in services  # eligibility for returning
    client.get(f"/book/service/{site.follow_up.id}")
    client.get("/book/provider/any")
    value = slot_values(client.get(f"/book/times?day={site.days[0]}").get_data(as_text=True))[0]
    client.post("/book/times", data={"value": value})
    details = client.get("/book/details").get_data(as_text=True)
    assert "Hello Olga" in details and 'name="first_name"' not in details
    assert 'name="payer_id"' not in details  # an open case exists: no insurance question
    assert client.post("/book/details", data={"notes": "same knee"}).status_code == 302
    assert "Olga" in client.get("/book/review").get_data(as_text=True)
    assert post_confirm(client).status_code == 302
    appointment = db.session.scalars(select(Appointment)).one()
    assert appointment.case_id == open_case.id
    assert db.session.scalar(select(func.count(Client.id))) == 1
    assert db.session.scalar(select(func.count(Case.id))) == 2


def test_a_shared_email_asks_which_person(client, site, db):
    factories.make_client(email="family@example.com", first_name="Ana")
    kid = factories.make_client(email="family@example.com", first_name="Rui")
    db.session.commit()
    _start(client, site)
    client.post("/book/returning", data={"email": "family@example.com"})
    code = _codes_sent(db, "family@example.com")[0].context["code"]
    assert client.post("/book/returning/code", data={"code": code}).headers["Location"].endswith("/book/returning/who")
    page = client.get("/book/returning/who").get_data(as_text=True)
    assert "Ana" in page and "Rui" in page
    assert client.post("/book/returning/who", data={"value": str(kid.id)}).headers["Location"].endswith("/book/services")
    assert client.post("/book/returning/who", data={"value": "999999"}).status_code in (200, 302)
