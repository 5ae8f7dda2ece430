"""A case opened by an online booking is titled for the location's staff, in their
language, whatever language the patient booked in."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import Case
from tests.booking.conftest import post_confirm, site, walk_to_review  # noqa: F401  (fixtures)


@pytest.mark.parametrize("location_language, title_ends", [
    (None, "(booked online)"), ("pt_PT", "(marcado online)"), ("fr_CA", "(réservé en ligne)")])
def test_an_online_case_is_titled_in_the_locations_language(client, site, db, location_language, title_ends):
    site.location.language = location_language
    db.session.commit()
    walk_to_review(client, site)
    assert post_confirm(client).status_code == 302
    title = db.session.scalars(select(Case.title)).one()
    assert title.endswith(title_ends), title
