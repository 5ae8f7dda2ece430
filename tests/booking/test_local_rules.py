"""The public site reads a patient's details where the booking is: a local phone number
in the location's country (Location.phone_region)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import Appointment
from tests.booking.conftest import DETAILS, post_confirm, slot_values, walk_to_times


@pytest.mark.parametrize(("country", "phone", "saved"), [
    ("PT", "912 345 678", "+351912345678"),   # a Lisbon mobile, as a Lisbon patient writes it
    (None, "416 555 0199", "+14165550199"),   # Toronto's zone: Canada
])
def test_a_local_number_is_read_in_the_locations_country(client, site, db, country, phone, saved):
    site.location.country = country
    db.session.commit()
    page = walk_to_times(client, site)
    client.post("/book/times", data={"value": slot_values(page.get_data(as_text=True))[0]})
    response = client.post("/book/details", data={**DETAILS, "phone": phone})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert post_confirm(client).status_code == 302
    assert db.session.scalars(select(Appointment)).one().case.client.phone == saved


def test_a_lisbon_number_is_refused_at_a_canadian_location(client, site, db):
    page = walk_to_times(client, site)
    client.post("/book/times", data={"value": slot_values(page.get_data(as_text=True))[0]})
    response = client.post("/book/details", data={**DETAILS, "phone": "912 345 678"})
    assert response.status_code == 200 and "Please enter a valid phone number" in response.get_data(as_text=True)
