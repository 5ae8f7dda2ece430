"""Issue 19: a patient's email gives the number of the location they visit (a Lisboa
patient is not sent Toronto's), else the clinic's: in the footer and in the invite."""
from __future__ import annotations

from datetime import time

import pytest

from app.extensions import db
from app.messaging.delivery import deliver
from app.models import clinic_settings
from app.scheduling import booking
from app.timeutil import to_utc
from app.uow import unit_of_work
from tests import factories
from tests.messaging.test_delivery import due_now, fresh, invite_of

CLINIC, TORONTO, LISBOA = "+14165550100", "+14165550111", "+351213000100"


@pytest.mark.parametrize("where, lisboa_phone, expected", [
    ("Downtown", LISBOA, TORONTO),
    ("Lisbon", LISBOA, LISBOA),
    ("Lisbon", None, CLINIC),  # a location without a number of its own: the clinic's
])
def test_the_patients_email_gives_the_number_of_their_visits_location(scene, sendgrid, where, lisboa_phone, expected):
    people = scene.people
    clinic_settings().phone = CLINIC
    people.location.phone, people.other_location.phone = TORONTO, lisboa_phone
    if where == "Lisbon":
        calendar, zone = people.outsider.calendars[0], "Europe/Lisbon"
        case = factories.make_case(client=scene.client, discipline=people.discipline, provider=people.outsider)
        factories.make_shift(calendar, scene.day, time(8), time(18))
    else:
        calendar, zone, case = scene.calendar, "America/Toronto", scene.case
    db.session.commit()
    with unit_of_work():
        appointment = booking.book(case=case, session_type=scene.session_type, calendar=calendar,
                                   start=to_utc(scene.day, time(10), zone), actor=people.manager).appointment
    message_id = due_now(appointment.id, "confirmation")
    assert deliver(message_id) == "sent"
    message = fresh(message_id)
    others = {CLINIC, TORONTO, LISBOA} - {expected}
    for body in (message.body_text, message.body_html):
        assert expected in body and not any(other in body for other in others), body
    [request] = sendgrid.accepted()
    description = str(invite_of(request).walk("VEVENT")[0]["DESCRIPTION"])
    assert f"Phone: {expected}" in description and not any(other in description for other in others), description


def test_an_invoice_email_gives_the_number_of_the_invoices_location(db, people, sendgrid):
    """An invoice email has no visit: the invoice's location (Lisboa) is named, not the clinic's."""
    from app.messaging import attachments, outbox

    clinic_settings().phone = CLINIC
    people.location.phone, people.other_location.phone = TORONTO, LISBOA
    client = factories.make_client(first_name="Maria", email="maria@example.pt", preferred_language="pt_PT")
    db.session.commit()
    billing_pdf = attachments._REGISTRY.get("invoice")  # registered by create_app; no invoice row here
    attachments.register("invoice", lambda message: [("LIS-1.pdf", "application/pdf", b"%PDF-1.4 test")])
    try:
        with unit_of_work():
            message = outbox.queue_email("invoice", client.email, {"client_name": "Maria", "invoice_number": "LIS-1",
                                                                   "amount": "110,00 €"}, "invoice:lisboa",
                                         client_id=client.id, invoice_id=1, location_id=people.other_location.id)
        assert deliver(message.id) == "sent"
    finally:
        attachments.register("invoice", billing_pdf)
    sent = fresh(message.id)
    assert LISBOA in sent.body_text and CLINIC not in sent.body_text and TORONTO not in sent.body_text


def test_the_manage_page_gives_the_number_of_the_visits_location(client, scene, monkeypatch):
    """Opened from the confirmation email, with no booking steps behind it."""
    from app.booking import tokens

    people = scene.people
    clinic_settings().phone = CLINIC
    people.location.phone, people.other_location.phone = TORONTO, LISBOA
    calendar = people.outsider.calendars[0]
    case = factories.make_case(client=scene.client, discipline=people.discipline, provider=people.outsider)
    factories.make_shift(calendar, scene.day, time(8), time(18))
    db.session.commit()
    with unit_of_work():
        appointment = booking.book(case=case, session_type=scene.session_type, calendar=calendar,
                                   start=to_utc(scene.day, time(10), "Europe/Lisbon"), actor=people.manager,
                                   notify=False).appointment
    page = client.get(f"/book/manage/{tokens.make_token(tokens.MANAGE, appointment.id)}").get_data(as_text=True)
    assert LISBOA in page and CLINIC not in page and TORONTO not in page
