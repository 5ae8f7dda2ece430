"""Calendar setup screens: calendars, who may use them, shifts, blocked time, and a
read-only list of appointments (their writes go through the scheduling services)."""
from __future__ import annotations


from flask_appbuilder.fieldwidgets import BS3TextFieldWidget, DatePickerWidget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.models.filters import BaseFilter
from wtforms import DateField, StringField, TimeField
from wtforms.validators import DataRequired, ValidationError

from app.i18n import N_
from app.models import Appointment, Calendar, CalendarAccess, CalendarKind, Shift, TimeBlock
from app.security import (
    APPOINTMENTS,
    CALENDAR_ACCESS,
    CALENDARS,
    SHIFTS,
    TIME_BLOCKS,
    bookable_calendar_ids,
)
from app.scheduling.shifts import overlap_problems
from app.setup.validation import InvalidValue, check_colour, check_non_negative_int, check_positive_int, check_shift, check_slug, parse_breaks
from app.timeutil import to_local, to_utc
from app.views.base import PlinthModelView, ReadOnlyModelView, scoped
from app.plausible_dates import check_schedule_date
from app.views.forms import AtLeastOne, EndsAfter, Rule


def _provider_needs_team_member(form, field) -> None:
    kind = form.kind.data
    kind = kind.value if hasattr(kind, "value") else kind
    if kind == CalendarKind.provider.value and not field.data:
        raise ValidationError("A provider calendar belongs to a team member.")
    if kind != CalendarKind.provider.value and field.data:
        raise ValidationError("Only provider calendars belong to a team member.")


class CalendarView(PlinthModelView):
    datamodel = SQLAInterface(Calendar)
    class_permission_name = CALENDARS
    base_order = ("sort_order", "asc")
    list_columns = ["name", "kind", "location", "team_member", "sort_order", "online_enabled", "active"]
    search_columns = ["name", "kind", "location", "team_member", "online_enabled", "active"]
    add_columns = edit_columns = [
        "name", "kind", "location", "team_member", "disciplines", "colour", "sort_order", "active",
        "overlap_policy", "online_enabled", "slug", "lead_time_minutes", "buffer_before_minutes",
        "buffer_after_minutes", "cancellation_window_hours", "booking_horizon_days",
    ]
    show_columns = add_columns
    label_columns = {
        "team_member": "Provider", "sort_order": "Order", "overlap_policy": "Overlaps",
        "online_enabled": "Online booking", "slug": "Booking link name",
        "lead_time_minutes": "Lead time (minutes)", "buffer_before_minutes": "Buffer before (minutes)",
        "buffer_after_minutes": "Buffer after (minutes)",
        "cancellation_window_hours": "Client may cancel until (hours before)",
        "booking_horizon_days": "Bookable up to (days ahead)",
    }
    description_columns = {
        "disciplines": "The disciplines this calendar accepts (at least one).",
        "overlap_policy": "Whether staff may knowingly double-book this calendar. Online bookings never overlap.",
        "slug": "Used in the direct booking link /book/<name>.",
    }
    validators_columns = {
        "disciplines": [AtLeastOne("A calendar must accept at least one discipline.")],
        "colour": [Rule(check_colour)],
        "slug": [Rule(check_slug)],
        "team_member": [_provider_needs_team_member],
        "lead_time_minutes": [Rule(check_non_negative_int, "The lead time")],
        "buffer_before_minutes": [Rule(check_non_negative_int, "The buffer before")],
        "buffer_after_minutes": [Rule(check_non_negative_int, "The buffer after")],
        "cancellation_window_hours": [Rule(check_non_negative_int, "The cancellation window")],
        "booking_horizon_days": [Rule(check_positive_int, "How far ahead")],
    }


class CalendarAccessView(PlinthModelView):
    datamodel = SQLAInterface(CalendarAccess)
    class_permission_name = CALENDAR_ACCESS
    list_columns = ["user", "calendar", "level"]
    search_columns = ["user", "calendar", "level"]
    add_columns = edit_columns = list_columns
    label_columns = {"level": "May"}


def _no_other_shift_then(form, field) -> None:
    calendar = form.calendar.data
    problems = overlap_problems(calendar_id=getattr(calendar, "id", None), day=form.day.data,
                                start=form.start_time.data, end=form.end_time.data,
                                exclude_id=getattr(form, "_id", None))
    if problems:
        raise ValidationError(" ".join(problems))


def _breaks_fit_the_shift(form, field) -> None:
    try:
        breaks = parse_breaks(field.data)
    except InvalidValue as exc:
        raise ValidationError(str(exc)) from exc
    problems = check_shift(form.start_time.data, form.end_time.data, breaks)
    if problems:
        raise ValidationError(" ".join(problems))


class ShiftView(PlinthModelView):
    datamodel = SQLAInterface(Shift)
    class_permission_name = SHIFTS
    base_order = ("day", "desc")
    list_columns = ["calendar", "day", "start_time", "end_time", "breaks_text"]
    search_columns = ["calendar", "day"]
    add_columns = edit_columns = ["calendar", "day", "start_time", "end_time", "breaks_text"]
    show_columns = list_columns
    label_columns = {"day": "Date", "start_time": "Starts", "end_time": "Ends", "breaks_text": "Breaks"}
    description_columns = {
        "breaks_text": "Times in the location's clock, e.g. 12:00-12:30, 15:00-15:15",
    }
    validators_columns = {"day": [Rule(check_schedule_date, None, N_("The shift's date"))]}
    add_form_extra_fields = edit_form_extra_fields = {
        "start_time": TimeField("Starts", validators=[DataRequired()]),
        "end_time": TimeField("Ends", validators=[DataRequired(), EndsAfter("start_time", "A shift"),
                                                  _no_other_shift_then]),
        "breaks_text": StringField("Breaks", validators=[_breaks_fit_the_shift], widget=BS3TextFieldWidget()),
    }

    def prefill_form(self, form, pk) -> None:
        item = self.datamodel.get(pk, self._base_filters)
        form.breaks_text.data = item.breaks_text if item else ""


class ListedBlocks(BaseFilter):
    """Every block (``reason`` is NOT NULL): stated so the list reads its own partial index,
    ix_time_block_listed, newest first (migration 0028)."""

    name = "Listed"
    arg_name = None

    def apply(self, query, value):
        return query.filter(TimeBlock.reason.is_not(None))


class TimeBlockView(PlinthModelView):
    base_filters = [["reason", ListedBlocks, None]]
    # Blocking time is writing to the calendar: only calendars the user may book into.
    add_form_query_rel_fields = edit_form_query_rel_fields = {"calendar": [scoped(bookable_calendar_ids)]}
    datamodel = SQLAInterface(TimeBlock)
    class_permission_name = TIME_BLOCKS
    base_order = ("starts_at", "desc")
    list_columns = ["calendar", "starts_at", "ends_at", "reason"]
    search_columns = ["calendar", "reason"]
    add_columns = edit_columns = ["calendar", "day", "local_start", "local_end", "reason"]
    label_columns = {"starts_at": "From", "ends_at": "Until", "local_start": "From", "local_end": "Until", "day": "Date"}
    description_columns = {"local_start": "In the calendar location's clock."}
    add_form_extra_fields = edit_form_extra_fields = {
        "day": DateField("Date", validators=[DataRequired()], widget=DatePickerWidget()),
        "local_start": TimeField("From", validators=[DataRequired()]),
        "local_end": TimeField("Until", validators=[DataRequired(), EndsAfter("local_start", "Blocked time")]),
    }

    def prefill_form(self, form, pk) -> None:
        item = self.datamodel.get(pk, self._base_filters)
        if item:
            start = to_local(item.starts_at, item.calendar.location.timezone)
            end = to_local(item.ends_at, item.calendar.location.timezone)
            form.day.data, form.local_start.data, form.local_end.data = start.date(), start.time(), end.time()

    def pre_add(self, item: TimeBlock) -> None:
        self._set_instants(item)

    def pre_update(self, item: TimeBlock) -> None:
        self._set_instants(item)

    @staticmethod
    def _set_instants(item: TimeBlock) -> None:
        zone = item.calendar.location.timezone
        item.starts_at = to_utc(item.day, item.local_start, zone)
        item.ends_at = to_utc(item.day, item.local_end, zone)


class AppointmentView(ReadOnlyModelView):
    datamodel = SQLAInterface(Appointment)
    class_permission_name = APPOINTMENTS
    base_order = ("starts_at", "desc")
    list_columns = ["local_times", "location", "case.client", "session_type", "status", "booked_via"]
    search_columns = ["location", "status", "booked_via", "session_type", "starts_at"]
    show_columns = [
        "local_times", "location", "case", "session_type", "status", "booked_via", "notify", "notes",
        "series_id", "rebooked_from", "created_by", "created_at", "updated_at", "occupancies",
    ]
    label_columns = {"local_times": "When (local time)", "case.client": "Client", "starts_at": "Starts"}
    order_columns = ["location", "session_type", "status", "booked_via"]
