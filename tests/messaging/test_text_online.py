"""The online booking's "text me" box records consent (source: online booking) and the
confirmation then goes by text too; unticked, the patient gets email only."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Client, LocationTextSettings, Message, NotificationSettings
from tests.booking.conftest import DETAILS, post_confirm, site, walk_to_review  # noqa: F401 (fixture)


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
