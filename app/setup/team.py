"""Team members and the calendars that come with being a provider."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import AccessLevel, Calendar, CalendarAccess, CalendarKind, Location, TeamMember


def provision_provider_calendars(
    member: TeamMember, *, extra_location: Location | None = None
) -> list[Calendar]:
    """A provider gets a provider calendar at their (first) location, and optionally one
    more at another location; they may book into each. Existing calendars are kept, so
    calling this again adds nothing twice."""
    if not member.is_provider:
        return []
    wanted: list[Location] = []
    if member.locations:
        wanted.append(member.locations[0])
    if extra_location is not None and extra_location not in wanted:
        wanted.append(extra_location)
    have = {cal.location_id for cal in member.calendars if cal.kind == CalendarKind.provider}
    created = []
    for location in wanted:
        if location.id in have:
            continue
        calendar = Calendar(
            name=member.display_name if not have and not created else f"{member.display_name} ({location.name})",
            kind=CalendarKind.provider,
            location=location,
            team_member=member,
            disciplines=list(member.disciplines),
            sort_order=_next_sort_order(location),
        )
        db.session.add(calendar)
        created.append(calendar)
    db.session.flush()
    for calendar in created:
        grant_access(member.user_id, calendar, AccessLevel.book)
    return created


def missing_calendar(member: TeamMember) -> str | None:
    """Why nobody can book this provider yet (no location, no active calendar), else None."""
    if not member.is_provider or not member.active:
        return None
    if not member.locations:
        return "no location"
    if not any(cal.active and cal.kind == CalendarKind.provider for cal in member.calendars):
        return "no calendar"
    return None


def locations_without_calendar(member: TeamMember) -> list[Location]:
    """The locations a bookable provider works at but has no active calendar at: they
    cannot be booked there (a location added on the edit form makes no calendar)."""
    if not member.is_provider or not member.active:
        return []
    have = {cal.location_id for cal in member.calendars if cal.active and cal.kind == CalendarKind.provider}
    return [location for location in member.locations if location.id not in have]


def grant_access(user_id: int, calendar: Calendar, level: AccessLevel) -> CalendarAccess:
    access = db.session.scalar(
        select(CalendarAccess).where(
            CalendarAccess.user_id == user_id, CalendarAccess.calendar_id == calendar.id
        )
    )
    if access is None:
        access = CalendarAccess(user_id=user_id, calendar=calendar, level=level)
        db.session.add(access)
    else:
        access.level = level
    db.session.flush()
    return access


def _next_sort_order(location: Location) -> int:
    highest = db.session.scalar(
        select(Calendar.sort_order)
        .where(Calendar.location_id == location.id, Calendar.kind == CalendarKind.provider)
        .order_by(Calendar.sort_order.desc())
        .limit(1)
    )
    return (highest or 0) + 10


def check_new_username(username: str) -> str:
    from app.setup.validation import InvalidValue

    username = (username or "").strip()
    sm = current_app.appbuilder.sm
    if db.session.scalar(select(sm.user_model.id).where(sm.user_model.username == username)):
        raise InvalidValue(f"The login name “{username}” is taken.")
    return username


def check_new_email(email: str) -> str:
    from app.setup.validation import InvalidValue

    sm = current_app.appbuilder.sm
    if email and db.session.scalar(select(sm.user_model.id).where(sm.user_model.email == email)):
        raise InvalidValue(f"Another login already uses {email}.")
    return email


def new_login(*, username: str, email: str, password: str, first_name: str, last_name: str, role_name: str):
    """A FAB user, hashed the way FAB hashes, added to the session for the caller's commit.

    (FAB's own add_user commits, or rolls the whole session back on error, which would
    break the caller's single transaction.)"""
    sm = current_app.appbuilder.sm
    role = sm.find_role(role_name)
    if role is None:
        raise ValueError(f"Unknown role {role_name!r}; run `flask sync-roles`.")
    user = sm.user_model(
        username=username, email=email, first_name=first_name, last_name=last_name,
        active=True, roles=[role],
        password=generate_password_hash(
            password, method=current_app.config["FAB_PASSWORD_HASH_METHOD"],
            salt_length=current_app.config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16),
        ),
    )
    db.session.add(user)
    return user


def add_team_member(
    member: TeamMember, *, username: str, email: str, password: str, role_name: str,
    extra_location: Location | None = None,
) -> TeamMember:
    """A new team member with their login and, for a provider, their calendars."""
    first, _, last = member.display_name.strip().partition(" ")
    member.user = new_login(
        username=username, email=email, password=password,
        first_name=first, last_name=last or "-", role_name=role_name,
    )
    db.session.add(member)
    db.session.flush()
    provision_provider_calendars(member, extra_location=extra_location)
    return member


def only_admins_make_admins(form, field) -> None:
    """A form validator: the Admin role (users, roles, permissions) is given only by an Admin."""
    from flask import g
    from wtforms.validators import ValidationError

    from app.security import ADMIN, role_names

    if field.data == ADMIN and ADMIN not in role_names(getattr(g, "user", None)):
        raise ValidationError("Only an administrator can create another administrator.")
