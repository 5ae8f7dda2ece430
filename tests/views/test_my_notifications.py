"""Each provider chooses which appointment events they are emailed about."""
from __future__ import annotations

from app.messaging.settings import provider_wants
from app.models import TeamMember
from tests.views.helpers import login


def test_a_provider_turns_off_no_show_notices_for_themselves_only(client, db, people):
    db.session.commit()
    login(client, "provider")
    page = client.get("/my/notifications/")
    assert page.status_code == 200 and "A client of mine did not show" in page.get_data(as_text=True)
    saved = client.post("/my/notifications/", data={"notify_new_booking": "on", "notify_rescheduled": "on",
                                                     "notify_canceled": "on"}, follow_redirects=True)
    assert saved.status_code == 200 and "saved" in saved.get_data(as_text=True)
    db.session.expire_all()
    me = db.session.get(TeamMember, people.provider.id)
    assert (me.notify_new_booking, me.notify_no_show) == (True, False)
    assert not provider_wants(me, "no_show") and provider_wants(me, "confirmation")
    assert db.session.get(TeamMember, people.outsider.id).notify_no_show is True
