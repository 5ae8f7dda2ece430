"""REST resources for the clinic's setup: locations, disciplines, team, calendars and who
may use them, shifts with their breaks, blocked time, session types, billing, payers."""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from flask_appbuilder.models.sqla.interface import SQLAInterface
from marshmallow import ValidationError, fields
from marshmallow_sqlalchemy import SQLAlchemySchema, auto_field
from marshmallow_sqlalchemy.fields import Related

from app.i18n import N_
from app.api.base import PlinthModelApi, ReadOnlyApi
from app.api.edge import acting_user
from app.api.rules import (
    COLOUR,
    EMAIL,
    PHONE,
    SLUG,
    TIMEZONE,
    Rule,
    in_range,
    money,
    non_negative_int,
    positive_int,
)
from app.errors import Forbidden, Problem
from app.setup.validation import check_phone
from app.extensions import db
from app.models import (
    BillingItem,
    Calendar,
    CalendarAccess,
    CalendarKind,
    Discipline,
    Location,
    Payer,
    SessionType,
    SessionTypeBillingItem,
    Shift,
    ShiftBreak,
    TeamMember,
    TimeBlock,
)
from app.security import (
    BILLING_ITEMS,
    CALENDAR_ACCESS,
    CALENDARS,
    DISCIPLINES,
    LOCATIONS,
    PAYERS,
    SESSION_TYPES,
    SHIFTS,
    TEAM,
    TIME_BLOCKS,
    bookable_calendar_ids,
    calendar_access_scope,
    sees_everything,
    shift_scope,
    time_block_scope,
    visible_calendar_ids,
    writable,
)
from app.scheduling.calendar_time import MAX_BLOCK
from app.scheduling.shifts import overlap_problems
from app.plausible_dates import schedule_date_problem
from app.setup.validation import shift_problems


# --- scopes built on the one helper ---------------------------------------------
# --- locations, disciplines, team -------------------------------------------------
_LOCATION_FIELDS = [
    "name", "timezone", "address_line1", "address_line2", "city", "region", "postal_code",
    "country", "phone", "email", "tax_id", "invoice_prefix", "grid_start", "grid_end",
    "active", "notes",
]


def _location_region(body: dict, row: Location | None) -> dict:
    """A location's phone is read in its own country: the one the body gives (or its time
    zone's), else the row's (Location.region_for)."""
    country = body["country"] if "country" in body else (row.country if row is not None else None)
    zone = body["timezone"] if "timezone" in body else (row.timezone if row is not None else None)
    return {"default_region": Location.region_for(country if isinstance(country, str) else None,
                                                 zone if isinstance(zone, str) else None)}


class LocationApi(PlinthModelApi):
    resource_name = "location"
    class_permission_name = LOCATIONS
    datamodel = SQLAInterface(Location)
    list_columns = ["id", "name", "timezone", "city", "country", "phone", "email", "invoice_prefix", "active"]
    show_columns = ["id", *_LOCATION_FIELDS]
    add_columns = edit_columns = _LOCATION_FIELDS
    search_columns = ["name", "city", "timezone", "active"]
    field_rules = {"timezone": TIMEZONE, "phone": Rule(check_phone, normalises=True, context=_location_region),
                   "email": EMAIL}

    def validate_item(self, item: Location) -> Iterable[Problem]:
        if item.grid_start and item.grid_end and item.grid_end <= item.grid_start:
            yield Problem("The grid's last hour must come after its first hour.", "grid_end")


class DisciplineApi(PlinthModelApi):
    resource_name = "discipline"
    class_permission_name = DISCIPLINES
    datamodel = SQLAInterface(Discipline)
    list_columns = show_columns = ["id", "name", "colour"]
    add_columns = edit_columns = ["name", "colour"]
    search_columns = ["name"]
    field_rules = {"colour": COLOUR}


class TeamMemberApi(ReadOnlyApi):
    """Read-only: team members are created with their login and calendars by the
    setup service (app/setup/team.py), not by a generic write."""

    resource_name = "team_member"
    class_permission_name = TEAM
    datamodel = SQLAInterface(TeamMember)
    list_columns = show_columns = [
        "id", "user_id", "display_name", "is_provider", "title", "registration_number", "phone",
        "active", "locations.id", "locations.name", "disciplines.id", "disciplines.name",
    ]
    search_columns = ["display_name", "is_provider", "active"]


# --- calendars and access ------------------------------------------------------------
_CALENDAR_FIELDS = [
    "name", "kind", "location", "team_member", "colour", "sort_order", "active", "overlap_policy",
    "online_enabled", "slug", "lead_time_minutes", "buffer_before_minutes", "buffer_after_minutes",
    "cancellation_window_hours", "booking_horizon_days", "disciplines",
]
_CALENDAR_COLUMNS = [
    "id", "name", "kind", "location_id", "team_member_id", "colour", "sort_order", "active",
    "overlap_policy", "online_enabled", "slug", "lead_time_minutes", "buffer_before_minutes",
    "buffer_after_minutes", "cancellation_window_hours", "booking_horizon_days",
    "disciplines.id", "disciplines.name",
]


class CalendarApi(PlinthModelApi):
    resource_name = "calendar"
    class_permission_name = CALENDARS
    datamodel = SQLAInterface(Calendar)
    row_scope = staticmethod(visible_calendar_ids)
    list_columns = show_columns = _CALENDAR_COLUMNS
    add_columns = edit_columns = _CALENDAR_FIELDS
    search_columns = ["name", "kind", "location", "active", "online_enabled", "slug"]
    base_order = ("sort_order", "asc")
    field_rules = {
        "colour": COLOUR,
        "slug": SLUG,
        "lead_time_minutes": non_negative_int("The lead time"),
        "buffer_before_minutes": non_negative_int("The buffer before"),
        "buffer_after_minutes": non_negative_int("The buffer after"),
        "cancellation_window_hours": non_negative_int("The cancellation window"),
        "booking_horizon_days": positive_int("How far ahead clients may book"),
    }

    def validate_item(self, item: Calendar) -> Iterable[Problem]:
        if not item.disciplines:
            yield Problem("A calendar must accept at least one discipline.", "disciplines")
        if item.online_enabled and not item.slug:
            yield Problem("Online booking needs a link name (slug).", "slug")


class CalendarAccessApi(PlinthModelApi):
    resource_name = "calendar_access"
    class_permission_name = CALENDAR_ACCESS
    datamodel = SQLAInterface(CalendarAccess)
    row_scope = staticmethod(calendar_access_scope)
    list_columns = show_columns = ["id", "user_id", "calendar_id", "level", "calendar.name", "user.username"]
    add_columns = edit_columns = ["user", "calendar", "level"]
    search_columns = ["user", "calendar", "level"]

    def check_may_write(self, item, *, creating: bool) -> None:
        # Granting calendars is how scope is given: only those who see everything may.
        if not sees_everything(acting_user()):
            raise Forbidden("Only a manager may grant or change access to calendars.")


# --- shifts and blocked time -----------------------------------------------------------
class ShiftBreakSchema(SQLAlchemySchema):
    class Meta:
        model = ShiftBreak
        load_instance = True
        transient = True  # a break is always written anew with its shift, never looked up

    start_time = auto_field(required=True)
    end_time = auto_field(required=True)
    label = auto_field()


class ShiftWriteSchema(SQLAlchemySchema):
    """A shift with its breaks, written as one: the breaks sent replace the old ones."""

    class Meta:
        model = Shift
        load_instance = True

    calendar = Related(required=True)
    day = auto_field(required=True)
    start_time = auto_field(required=True)
    end_time = auto_field(required=True)
    breaks = fields.Nested(ShiftBreakSchema, many=True, load_default=list)


class ShiftEditSchema(ShiftWriteSchema):
    """The same fields for PUT (a class of its own: OpenAPI names one schema per class)."""


class ShiftApi(PlinthModelApi):
    write_scope = staticmethod(writable(shift_scope))
    resource_name = "shift"
    class_permission_name = SHIFTS
    datamodel = SQLAInterface(Shift)
    row_scope = staticmethod(shift_scope)
    reference_scopes = {"calendar": bookable_calendar_ids}
    list_columns = show_columns = [
        "id", "calendar_id", "day", "start_time", "end_time", "pattern_id",
        "breaks.start_time", "breaks.end_time", "breaks.label",
    ]
    add_columns = edit_columns = ["calendar", "day", "start_time", "end_time", "breaks"]
    search_columns = ["calendar", "day"]
    base_order = ("day", "asc")

    def _init_model_schemas(self) -> None:
        self.add_model_schema = ShiftWriteSchema(session=db.session)
        self.edit_model_schema = ShiftEditSchema(session=db.session)
        super()._init_model_schemas()

    def validate_item(self, item: Shift) -> Iterable[Problem]:
        implausible = schedule_date_problem(item.day, what=N_("The shift's date"))
        if implausible:
            yield Problem(implausible, "day")
            return
        breaks = [(b.start_time, b.end_time) for b in item.breaks]
        # The API names the shift's own times "end_time" (as it always has) and the breaks "breaks".
        for field, message in shift_problems(item.start_time, item.end_time, breaks):
            yield Problem(message, "breaks" if field == "breaks" else "end_time")
        for message in overlap_problems(calendar_id=item.calendar_id or getattr(item.calendar, "id", None),
                                        day=item.day, start=item.start_time, end=item.end_time, exclude_id=item.id):
            yield Problem(message, "start_time")


class TimeBlockApi(PlinthModelApi):
    write_scope = staticmethod(writable(time_block_scope))
    resource_name = "time_block"
    class_permission_name = TIME_BLOCKS
    datamodel = SQLAInterface(TimeBlock)
    row_scope = staticmethod(time_block_scope)
    reference_scopes = {"calendar": bookable_calendar_ids}
    list_columns = show_columns = ["id", "calendar_id", "starts_at", "ends_at", "reason"]
    add_columns = edit_columns = ["calendar", "starts_at", "ends_at", "reason"]
    search_columns = ["calendar", "starts_at", "ends_at", "reason"]
    base_order = ("starts_at", "asc")

    def validate_item(self, item: TimeBlock) -> Iterable[Problem]:
        if item.starts_at and item.ends_at and item.ends_at <= item.starts_at:
            yield Problem("The blocked time ends before it starts.", "ends_at")
        elif item.starts_at and item.ends_at and item.ends_at - item.starts_at > MAX_BLOCK:
            # Reads of blocks are bounded by this length (app/scheduling/availability.py).
            yield Problem(f"Blocked time lasts at most {MAX_BLOCK.days} days; enter a longer absence "
                          "as several blocks.", "ends_at")


# --- what is booked and billed -----------------------------------------------------------
_SESSION_TYPE_FIELDS = [
    "name", "category", "description", "discipline", "duration_minutes", "price", "colour",
    "online_bookable", "for_new_clients", "for_returning_clients", "needs_room",
    "needs_equipment", "active", "resources",
]


class SessionTypeApi(PlinthModelApi):
    resource_name = "session_type"
    class_permission_name = SESSION_TYPES
    datamodel = SQLAInterface(SessionType)
    list_columns = show_columns = [
        "id", *[f for f in _SESSION_TYPE_FIELDS if f not in ("discipline", "resources")],
        "discipline_id", "resources.id", "resources.name",
    ]
    add_columns = edit_columns = _SESSION_TYPE_FIELDS
    search_columns = ["name", "category", "discipline", "online_bookable", "active"]
    field_rules = {
        "price": money("The price"),
        "colour": COLOUR,
        "duration_minutes": positive_int("The duration"),
    }

    def validate_item(self, item: SessionType) -> Iterable[Problem]:
        if item.for_new_clients is False and item.for_returning_clients is False:
            yield Problem("A session type must be open to new clients, returning clients or both.",
                          "for_returning_clients")
        for resource in item.resources:
            if resource.kind == CalendarKind.provider:
                yield Problem(f"“{resource.name}” is a provider's calendar, not a room or equipment.",
                              "resources")


def _positive_quantity(value) -> None:
    if value is not None and value <= 0:
        raise ValidationError("The quantity must be more than zero.")


class SessionTypeBillingItemApi(PlinthModelApi):
    """The billing items a session type charges by default, with their quantities."""

    resource_name = "session_type_billing_item"
    class_permission_name = SESSION_TYPES
    datamodel = SQLAInterface(SessionTypeBillingItem)
    list_columns = show_columns = ["id", "session_type_id", "billing_item_id", "quantity", "billing_item.code"]
    add_columns = edit_columns = ["session_type", "billing_item", "quantity"]
    search_columns = ["session_type", "billing_item"]
    field_rules = {"quantity": _positive_quantity}
    entity_label = "billing line"


class BillingItemApi(PlinthModelApi):
    resource_name = "billing_item"
    class_permission_name = BILLING_ITEMS
    datamodel = SQLAInterface(BillingItem)
    list_columns = show_columns = ["id", "code", "name", "unit_price", "tax_rate", "is_product", "active"]
    add_columns = edit_columns = ["code", "name", "unit_price", "tax_rate", "is_product", "active"]
    search_columns = ["code", "name", "is_product", "active"]
    field_rules = {
        "unit_price": money("The unit price"),
        "tax_rate": in_range(Decimal(0), Decimal(100), "The tax rate (percent)"),
    }


class PayerApi(PlinthModelApi):
    resource_name = "payer"
    class_permission_name = PAYERS
    datamodel = SQLAInterface(Payer)
    list_columns = ["id", "name", "kind", "contact_name", "email", "phone", "active"]
    show_columns = ["id", "name", "kind", "contact_name", "email", "phone", "address", "tax_id", "active"]
    add_columns = edit_columns = ["name", "kind", "contact_name", "email", "phone", "address", "tax_id", "active"]
    search_columns = ["name", "kind", "active"]
    field_rules = {"email": EMAIL, "phone": PHONE}


SETUP_APIS = (
    LocationApi, DisciplineApi, TeamMemberApi, CalendarApi, CalendarAccessApi, ShiftApi,
    TimeBlockApi, SessionTypeApi, SessionTypeBillingItemApi, BillingItemApi, PayerApi,
)
