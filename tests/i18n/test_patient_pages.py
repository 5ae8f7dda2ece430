"""The booking site speaks the patient's language: chosen, remembered, or from the browser."""
from __future__ import annotations

import pytest

from tests.booking.conftest import _limits, site  # noqa: F401  (the open-for-booking clinic, fresh rate limits)


@pytest.mark.parametrize("how, expected_lang, heading", [
    ({"query_string": {"lang": "pt_PT"}}, "pt-PT", "Marcar uma consulta"),
    ({"query_string": {"lang": "fr"}}, "fr-CA", "Prendre rendez-vous"),
    ({"headers": {"Accept-Language": "pt-PT,pt;q=0.9,en;q=0.5"}}, "pt-PT", "Marcar uma consulta"),
    ({"headers": {"Accept-Language": "de-DE,fr-CA;q=0.8"}}, "fr-CA", "Prendre rendez-vous"),
    ({"headers": {"Accept-Language": "de-DE"}}, "en", "Book an appointment"),
    ({}, "en", "Book an appointment"),
])
def test_the_first_page_in_the_patients_language(client, site, how, expected_lang, heading):  # noqa: F811
    page = client.get("/book/", follow_redirects=True, **how).get_data(as_text=True)
    assert f'<html lang="{expected_lang}">' in page
    assert heading in page


def test_a_chosen_language_is_kept_for_the_next_pages(client, site):  # noqa: F811
    client.get("/book/?lang=pt_PT", follow_redirects=True)
    page = client.get("/book/", follow_redirects=True, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="pt-PT">' in page and "Português (Portugal)" in page


def test_staff_pages_keep_the_staff_language(client, site):  # noqa: F811
    client.get("/book/?lang=pt_PT", follow_redirects=True)
    page = client.get("/login/").get_data(as_text=True)
    assert "Marcar" not in page


def test_a_new_patient_keeps_the_language_they_booked_in(client, site, db):  # noqa: F811
    from sqlalchemy import select

    from app.models import Client
    from tests.booking.conftest import post_confirm, walk_to_review

    client.get("/book/?lang=pt_PT", follow_redirects=True)
    walk_to_review(client, site)
    assert post_confirm(client).status_code == 302
    assert db.session.scalars(select(Client.preferred_language)).one() == "pt_PT"


def test_prices_are_in_the_chosen_locations_currency(client, site, db):  # noqa: F811
    site.location.currency = "EUR"
    db.session.commit()
    page = client.get("/book/?lang=pt_PT", follow_redirects=True)
    page = client.get("/book/new", follow_redirects=True).get_data(as_text=True)
    assert "€" in page and "$" not in page


def test_the_chosen_locations_phone_is_the_one_to_call(client, site, db):  # noqa: F811
    site.location.phone = "+351213000100"
    db.session.commit()
    page = client.get("/book/new", follow_redirects=True).get_data(as_text=True)
    assert "tel:+351213000100" in page
