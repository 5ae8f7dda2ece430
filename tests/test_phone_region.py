"""A local phone number is read in its location's country: Location.phone_region is the
one rule (the location's country, else its time zone's, else Canada)."""
from __future__ import annotations

import pytest

from app.models import Location
from app.setup.validation import InvalidValue, check_phone


@pytest.mark.parametrize(("country", "zone", "region"), [
    ("PT", "America/Toronto", "PT"),     # the country given wins
    ("pt", "America/Toronto", "PT"),
    (None, "Europe/Lisbon", "PT"),       # else the time zone's country
    (None, "America/Toronto", "CA"),
    (None, "Europe/Paris", "FR"),
    (None, "UTC", "CA"),                 # a zone of no country: the default
])
def test_the_phone_region_is_the_locations_country_else_its_zones(country, zone, region):
    assert Location(name="L", timezone=zone, country=country, invoice_prefix="L").phone_region == region


@pytest.mark.parametrize(("number", "zone", "e164"), [
    ("912 345 678", "Europe/Lisbon", "+351912345678"),   # a Lisbon mobile, written locally
    ("(416) 555-0123", "America/Toronto", "+14165550123"),
    ("+351 912 345 678", "America/Toronto", "+351912345678"),  # a country code is read anywhere
])
def test_local_numbers_are_read_in_the_locations_country(number, zone, e164):
    region = Location(name="L", timezone=zone, invoice_prefix="L").phone_region
    assert check_phone(number, region) == e164


def test_a_lisbon_number_is_not_a_canadian_one():
    with pytest.raises(InvalidValue):
        check_phone("912 345 678", "CA")


def test_location_phone_region_of_no_location_is_the_default():
    from app.models.clinic import DEFAULT_PHONE_REGION

    assert Location.phone_region_of(None) == DEFAULT_PHONE_REGION
    assert Location.phone_region_of(Location(name="L", timezone="Europe/Lisbon", invoice_prefix="L")) == "PT"


def test_the_staff_client_form_reads_a_local_number_in_the_usual_locations_country(client, db, people):
    """The client screen (FAB form) asks Location.phone_region too: a Lisbon client's
    number written locally is a Portuguese number, a Toronto client's a Canadian one."""
    from sqlalchemy import select

    from app.models import Client
    from tests import factories
    from tests.views.helpers import login

    lisbon = factories.make_location(name="Lisboa", timezone="Europe/Lisbon")
    db.session.commit()
    login(client, "manager")
    response = client.post("/clientview/add", data={"first_name": "Ana", "last_name": "Lisboa",
                                                    "phone": "912 345 678", "home_location": str(lisbon.id)})
    assert response.status_code == 302
    ana = db.session.scalars(select(Client).where(Client.last_name == "Lisboa")).one()
    assert ana.phone == "+351912345678"
    refused = client.post("/clientview/add", data={"first_name": "Rui", "last_name": "Semcasa", "phone": "912 345 678"})
    assert refused.status_code == 200 and b"phone number" in refused.data  # no location: read as Canadian



def test_a_number_of_no_location_is_read_in_the_clinics_country(app):
    """Payers, the clinic's own and text senders' numbers: the country of PLINTH_LOCALE."""
    from app.models.clinic import clinic_phone_region

    with app.app_context():
        app.config["PLINTH_LOCALE"] = "pt_PT"
        try:
            assert clinic_phone_region() == "PT" == Location.phone_region_of(None)
            assert check_phone("912 345 678") == "+351912345678"
        finally:
            app.config["PLINTH_LOCALE"] = "en_CA"
        assert check_phone("(416) 555-0123") == "+14165550123"


@pytest.mark.parametrize(("fields", "e164"), [
    ({"timezone": "Europe/Lisbon"}, "+351212345678"),                      # the zone's country
    ({"timezone": "America/Toronto", "country": "PT"}, "+351212345678"),   # the country typed wins
])
def test_a_locations_own_phone_is_read_in_its_country_on_the_screen(client, db, people, fields, e164):
    from sqlalchemy import select

    from tests.views.helpers import login

    login(client, "manager")
    response = client.post("/locationview/add", data={"name": "Lisboa 2", "invoice_prefix": "L2-",
                                                      "phone": "21 234 5678", **fields})
    assert response.status_code == 302
    assert db.session.scalar(select(Location.phone).where(Location.name == "Lisboa 2")) == e164
