"""Recurring series: preview a pattern, book it all or nothing (part of SchedulingApi).
"""
from __future__ import annotations

from flask_appbuilder.api import expose
from flask_appbuilder.security.decorators import protect

from app.extensions import db
from app.models import SessionType
from app.models.settings import slot_step_minutes
from app.scheduling import series
from app.uow import unit_of_work
from app.api.edge import (
    acting_user,
    answers_domain_errors,
    bookable_calendars,
    get_or_404,
    json_body,
    visible_case,
)
from app.api.scheduling_io import PatternInput, appointment_json, local_iso


class SeriesEndpoints:
    """/api/v1/series... (SchedulingApi's endpoints)."""

    def _pattern_request(self):
        data = json_body(PatternInput())
        case = visible_case(data["case_id"])
        session_type = get_or_404(SessionType, data["session_type_id"], "session_type")
        calendar = bookable_calendars([data["calendar_id"]])[0]
        pattern = series.Pattern(first_day=data["first_day"], weekdays=frozenset(data["weekdays"]), at=data["at"],
                                 every_weeks=data["every_weeks"], count=data["count"], until=data["until"])
        return data, case, session_type, calendar, pattern

    @expose("/series/preview", methods=["POST"])
    @protect()
    @answers_domain_errors
    def series_preview(self):
        """Preview a recurring series.
        ---
        post:
          summary: Each date of the pattern, free or its reasons plus nearest alternatives
          responses: {200: {description: '{"occurrences": [...]}'}, 422: {description: Bad pattern}}
        """
        _, case, session_type, calendar, pattern = self._pattern_request()
        zone = calendar.location.timezone
        occurrences = series.preview(case=case, session_type=session_type, calendar=calendar, pattern=pattern,
                                     step_minutes=slot_step_minutes())
        db.session.rollback()
        return self.response(200, occurrences=[{
            "day": o.day.isoformat(), "start": local_iso(o.start, zone), "free": o.free,
            "problems": [p.as_json() for p in o.problems],
            "alternatives": [{"start": local_iso(s.start, zone), "end": local_iso(s.end, zone), "calendar_ids": list(s.calendar_ids)}
                             for s in o.alternatives],
        } for o in occurrences])

    @expose("/series", methods=["POST"])
    @protect()
    @answers_domain_errors
    def series_create(self):
        """Book a recurring series, all or nothing.
        ---
        post:
          summary: Book every date (minus skip_days) atomically; 409 lists each bad date
          responses: {201: {description: The appointments}, 409: {description: Some dates conflict}}
        """
        with unit_of_work():
            data, case, session_type, calendar, pattern = self._pattern_request()
            series_id, bookings = series.create(
                case=case, session_type=session_type, calendar=calendar, pattern=pattern, actor=acting_user(),
                skip_days=set(data["skip_days"]), notify=data["notify"], notes=data["notes"], step_minutes=slot_step_minutes())
            body = {"series_id": series_id,
                    "appointments": [appointment_json(b.appointment, b.warnings) for b in bookings]}
        return self.response(201, **body)
