"""Phone numbers as staff read them: one formatter (i18n.formatting.phone, ``|phone``),
national in the location's country and international from anywhere else; the grid's
panel, its client search, the client file and the lists use it."""
from __future__ import annotations

from datetime import time

import pytest

from app.i18n import formatting
from app.timeutil import to_utc
from tests import factories
from tests.calendar.test_feeds import DAY
from tests.views.helpers import login

TORONTO, LISBOA_MOBILE = "+14165550123", "+351912345678"


@pytest.mark.parametrize("number, where, expected", [
    (TORONTO, "CA", "(416) 555-0123"),
    (TORONTO, "PT", "+1 416-555-0123"),
    (LISBOA_MOBILE, "PT", "912 345 678"),
    (LISBOA_MOBILE, "CA", "+351 912 345 678"),
    (TORONTO, None, "(416) 555-0123"),  # no location: the clinic's country (PLINTH_LOCALE en_CA)
    ("ask at the desk", "CA", "ask at the desk"),  # not a number: as typed
    (None, "CA", ""),
])
def test_a_phone_is_national_at_home_and_international_elsewhere(app, number, where, expected):
    with app.app_context():
        assert formatting.phone(number, where) == expected


def test_a_location_gives_its_country(app, db, people):
    lisboa = factories.make_location(name="Lisboa", timezone="Europe/Lisbon")
    assert formatting.phone(LISBOA_MOBILE, lisboa) == "912 345 678"
    assert formatting.phone(LISBOA_MOBILE, people.location) == "+351 912 345 678"


def test_the_clinic_region_helper_is_still_importable_from_the_models():
    from app.models.clinic import DEFAULT_PHONE_REGION, clinic_phone_region

    assert clinic_phone_region is formatting.clinic_phone_region and DEFAULT_PHONE_REGION == "CA"


def _visit(db, people, phone):
    client = factories.make_client(first_name="Rita", last_name="Phone", phone=phone, home_location=people.location)
    case = factories.make_case(client=client, discipline=people.discipline)
    appointment = factories.make_appointment(people.provider_calendar, to_utc(DAY, time(9), "America/Toronto"),
                                             case=case)
    db.session.commit()
    return client, appointment


@pytest.mark.parametrize("number, shown", [(TORONTO, "(416) 555-0123"), (LISBOA_MOBILE, "+351 912 345 678")])
def test_the_grid_panel_and_client_search_show_the_number_formatted(client, db, people, number, shown):
    _, appointment = _visit(db, people, number)
    login(client, "frontdesk")
    assert client.get(f"/calendar/feed/appointment/{appointment.id}").json["client"]["phone"] == shown
    [found] = client.get("/calendar/feed/clients?q=rita phone").json
    assert found["phone"] == shown


def test_the_client_file_and_list_show_the_number_formatted(client, db, people):
    rita, _ = _visit(db, people, TORONTO)
    login(client, "manager")
    page = client.get(f"/clinical/clients/{rita.id}").get_data(as_text=True)
    assert f'<a href="tel:{TORONTO}">(416) 555-0123</a>' in page
    listing = client.get("/clientview/list/").get_data(as_text=True)
    assert "(416) 555-0123" in listing and TORONTO not in listing


def test_each_list_row_reads_its_number_in_its_own_locations_country(client, db, people):
    """A Lisboa client's mobile reads nationally on the clients list, as on their file; a
    Toronto client's Lisboa number internationally; a Lisboa location's and waitlist entry's
    numbers likewise."""
    from app.models import WaitlistEntry

    lisboa = factories.make_location(name="Lisboa", timezone="Europe/Lisbon", phone="+351213000100")
    factories.make_client(first_name="Inês", last_name="Lisboa", phone=LISBOA_MOBILE, home_location=lisboa)
    factories.make_client(first_name="Tom", last_name="Abroad", phone="+351912345679", home_location=people.location)
    entry = WaitlistEntry(location=lisboa, session_type=factories.make_session_type(discipline=people.discipline),
                          first_name="Rui", last_name="Espera", email="rui@example.com", phone="+351912345670")
    db.session.add(entry)
    db.session.commit()
    login(client, "manager")
    listing = client.get("/clientview/list/").get_data(as_text=True)
    assert "912 345 678" in listing and "+351 912 345 678" not in listing
    assert "+351 912 345 679" in listing
    assert "21 300 0100" in client.get("/locationview/list/").get_data(as_text=True)
    shown = client.get(f"/waitlistview/show/{entry.id}").get_data(as_text=True)
    assert "912 345 670" in shown and "+351 912 345 670" not in shown
