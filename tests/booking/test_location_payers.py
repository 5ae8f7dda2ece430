"""Per-location accepted payers: online "Who pays" offers only the insurers the chosen
location bills, with its out-of-network message; a location that lists none offers all."""
from __future__ import annotations

from app.models import PayerKind
from tests import factories
from tests.booking.conftest import DETAILS, slot_values, walk_to_times


def _details_page(client, site) -> str:
    page = walk_to_times(client, site)
    client.post("/book/times", data={"value": slot_values(page.get_data(as_text=True))[0]})
    return client.get("/book/details").get_data(as_text=True)


def test_who_pays_lists_only_the_locations_insurers_and_its_message(client, db, site, people):
    lisbon_insurer = factories.make_payer(name="Seguros Tejo", kind=PayerKind.insurer)
    other = people.other_location
    other.accepted_payers = [lisbon_insurer]
    site.location.accepted_payers = [site.insurer]
    site.location.out_of_network_message = "Insurer not listed? Pay at the visit and claim with your receipt."
    db.session.commit()

    html = _details_page(client, site)
    assert "Maple Health" in html
    assert "Seguros Tejo" not in html
    assert "Insurer not listed? Pay at the visit" in html


def test_an_insurer_of_another_location_is_refused_when_posted(client, db, site, people):
    lisbon_insurer = factories.make_payer(name="Seguros Tejo", kind=PayerKind.insurer)
    site.location.accepted_payers = [site.insurer]
    db.session.commit()
    _details_page(client, site)
    response = client.post("/book/details", data={**DETAILS, "payer_id": str(lisbon_insurer.id), "policy_number": "X1"})
    assert response.status_code == 200  # the form again, not the review
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_a_location_listing_no_insurer_offers_every_one(client, db, site):
    factories.make_payer(name="Seguros Tejo", kind=PayerKind.insurer)
    db.session.commit()
    html = _details_page(client, site)
    assert "Maple Health" in html and "Seguros Tejo" in html
    assert "out-of-network" not in html
