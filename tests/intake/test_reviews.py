"""Review requests: after completed or paid visits only, delayed, once per N days per
client, never after no-show or cancellation, and opting out is honoured."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.intake import reviews
from app.messaging.delivery import still_wanted
from app.models import AppointmentStatus, Message, MessageState
from tests import factories

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=timezone.utc)


@pytest.fixture()
def clinic(db, people):
    settings = reviews.review_settings()
    settings.enabled, settings.review_url, settings.delay_hours, settings.min_days_between = (
        True, "https://example.com/review", 3, 90)
    client = factories.make_client(email="ana@example.com")
    case = factories.make_case(client=client, discipline=people.discipline)
    db.session.flush()
    return {"people": people, "case": case, "client": client}


def visit(clinic, day, status):
    return factories.make_appointment(clinic["people"].provider_calendar,
                                      datetime(2026, 3, day, 14, 0, tzinfo=timezone.utc), case=clinic["case"],
                                      status=status)


def requests(db):
    return list(db.session.scalars(select(Message).where(Message.kind == "review_request").order_by(Message.id)))


@pytest.mark.parametrize("status, asked", [
    (AppointmentStatus.arrived, True), (AppointmentStatus.paid, True), (AppointmentStatus.no_show, False),
    (AppointmentStatus.canceled, False), (AppointmentStatus.confirmed, False),
])
def test_only_completed_or_paid_visits_ask_for_a_review_after_the_delay(clinic, db, status, asked):
    appointment = visit(clinic, 10, status)
    reviews.on_status_changed(appointment, new=status, now=NOW)
    found = requests(db)
    assert bool(found) == asked
    if asked:
        assert found[0].due_at == NOW + timedelta(hours=3)
        assert found[0].context["review_url"] == "https://example.com/review"
        assert "/forms/reviews/opt-out/" in found[0].context["opt_out_url"]


def test_at_most_once_per_client_in_the_window(clinic, db):
    first = visit(clinic, 10, AppointmentStatus.arrived)
    reviews.on_status_changed(first, new=AppointmentStatus.arrived, now=NOW)
    reviews.on_status_changed(first, new=AppointmentStatus.paid, now=NOW)  # the same visit, paid later
    second = visit(clinic, 17, AppointmentStatus.arrived)
    reviews.on_status_changed(second, new=AppointmentStatus.arrived, now=NOW + timedelta(days=7))
    assert len(requests(db)) == 1


def test_a_visit_undone_to_no_show_before_the_delay_sends_nothing(clinic, db):
    appointment = visit(clinic, 10, AppointmentStatus.arrived)
    reviews.on_status_changed(appointment, new=AppointmentStatus.arrived, now=NOW)
    appointment.status = AppointmentStatus.no_show
    db.session.flush()
    assert still_wanted(requests(db)[0]) == "The appointment is no show."


def test_opting_out_by_the_link_cancels_pending_requests_and_stops_new_ones(app, clinic, db):
    appointment = visit(clinic, 10, AppointmentStatus.arrived)
    reviews.on_status_changed(appointment, new=AppointmentStatus.arrived, now=NOW)
    link = requests(db)[0].context["opt_out_url"]
    db.session.commit()
    path = link.split("://", 1)[1].split("/", 1)[1]
    with app.app_context():
        browser = app.test_client()
        assert "Stop review requests" in browser.get("/" + path).get_data(as_text=True)
        assert browser.post("/" + path).status_code == 200
    db.session.expire_all()
    assert requests(db)[0].state == MessageState.canceled
    later = visit(clinic, 28, AppointmentStatus.paid)
    reviews.on_status_changed(later, new=AppointmentStatus.paid, now=NOW + timedelta(days=200))
    assert len(requests(db)) == 1 and reviews.opted_out(clinic["client"].id)


def test_nothing_is_sent_while_review_requests_are_off(clinic, db):
    reviews.review_settings().enabled = False
    appointment = visit(clinic, 10, AppointmentStatus.arrived)
    reviews.on_status_changed(appointment, new=AppointmentStatus.arrived, now=NOW)
    assert requests(db) == []


def test_the_opt_out_page_speaks_the_clients_language(app, clinic, db):
    """The link in a Portuguese review email opened a page in the browser's language (English
    for a browser without one): it knows its client, as a form link does."""
    clinic["client"].preferred_language = "pt_PT"
    appointment = visit(clinic, 10, AppointmentStatus.arrived)
    reviews.on_status_changed(appointment, new=AppointmentStatus.arrived, now=NOW)
    path = requests(db)[0].context["opt_out_url"].split("://", 1)[1].split("/", 1)[1]
    db.session.commit()
    with app.app_context():
        page = app.test_client().get("/" + path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="pt-PT">' in page and "Stop review requests" not in page
