"""The online booking's "text me" box records consent (source: online booking) and the
confirmation then goes by text too; unticked, the patient gets email only."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Client, LocationTextSettings, Message, NotificationSettings
from tests.booking.conftest import DETAILS, code_jobs, post_confirm, site, walk_to_review  # noqa: F401 (fixtures)


@pytest.mark.parametrize("ticked, channels", [(True, {"email", "sms"}), (False, {"email"})])
def test_the_text_me_box_records_online_consent(client, site, ticked, channels):  # noqa: F811
    db.session.add(NotificationSettings(id=1, confirmation_enabled=True))
    db.session.add(LocationTextSettings(location_id=site.location.id, sender_number="+14165550000",
                                        text_kinds="confirmation,reminder"))
    db.session.commit()
    walk_to_review(client, site, details={**DETAILS, **({"texts": "y"} if ticked else {})})
    assert post_confirm(client).status_code == 302
    patient = db.session.scalars(select(Client)).one()
    assert (patient.text_consent_source, patient.message_channel) == (
        ("online", "both") if ticked else (None, "email"))
    sent_by = {m.channel for m in db.session.scalars(select(Message).where(Message.audience == "client"))}
    db.session.rollback()
    assert sent_by == channels


def test_a_returning_patient_who_chose_texts_gets_the_login_code_by_sms_too(app, site, code_jobs, twilio):  # noqa: F811
    from app.booking import codes
    from app.messaging import consent
    from app.messaging.delivery import deliver
    from app.uow import unit_of_work
    from tests import factories
    from tests.booking.conftest import run_code_jobs

    with unit_of_work():
        texting = factories.make_client(email="sam@example.com", phone="+14165550177", message_channel="sms",
                                        home_location_id=site.location.id)
        consent.give_consent(texting, "staff")
        factories.make_client(email="eve@example.com", phone="+14165550178", message_channel="email")
        db.session.add(LocationTextSettings(location_id=site.location.id, sender_number="+14165550000",
                                            text_kinds="reminder"))  # (login codes need no kind)
    for email in ("sam@example.com", "eve@example.com"):
        with unit_of_work():
            codes.request_code(email)
    assert run_code_jobs() == 2
    rows = db.session.scalars(select(Message).where(Message.kind == "login_code").order_by(Message.id)).all()
    db.session.rollback()
    assert [(m.channel, m.to_address) for m in rows] == [
        ("email", "sam@example.com"), ("sms", "+14165550177"), ("email", "eve@example.com")]
    assert deliver(rows[1].id) == "sent"
    [request] = twilio.accepted()
    assert request["form"]["To"] == "+14165550177" and rows[0].context["code"] in request["form"]["Body"]
