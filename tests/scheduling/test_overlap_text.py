"""A double booking is refused naming who is already there and when, on the location's
clock and in the reader's language; never "overlaps appointment 123"."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from app.errors import Conflict
from app.scheduling import booking
from tests.scheduling.conftest import NOW, at


def _refusal(clinic, **kw) -> str:
    booking.book(case=clinic.case, session_type=clinic.physio, calendar=clinic.provider, start=at(14, 15),
                 actor=None, now=NOW)
    with pytest.raises(Conflict) as refused:
        booking.book(case=clinic.case, session_type=clinic.physio, calendar=clinic.provider, start=at(14, 30),
                     actor=None, now=NOW)
    (problem,) = refused.value.problems
    assert problem.details["reason"] == "overlaps_appointment"
    return problem.message


@pytest.mark.parametrize("locale, expected", [
    ("en", "{provider} already has {client} 14:15–14:45."),
    ("fr_CA", "{provider} a déjà {client} de 14:15 à 14:45."),
    ("pt_PT", "{provider} já tem {client} das 14:15 às 14:45."),
])
def test_an_overlap_names_the_client_and_their_time_on_the_locations_clock(app, clinic, db, locale, expected):
    provider, client = clinic.provider.team_member.display_name, clinic.case.client.full_name
    with app.test_request_context(), force_locale(locale):
        message = _refusal(clinic)
    # 14:15 in Toronto (EDT) is 18:15 UTC: the location's clock, not the server's.
    assert message == expected.format(provider=provider, client=client)
    assert "appointment" not in message and "18:15" not in message
