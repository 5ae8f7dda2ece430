from datetime import datetime, timezone

from tests import factories


def test_health_reports_database_and_redis(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "redis": "ok"}


def test_people_have_their_own_calendars(people):
    assert people.provider_calendar.location == people.location
    assert people.outsider_calendar.location == people.other_location
    appt = factories.make_appointment(people.provider_calendar, datetime(2026, 3, 9, 14, tzinfo=timezone.utc))
    assert appt.starts_at.tzinfo is not None
