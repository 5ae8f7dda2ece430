"""Calendars (provider, room, equipment) and who may see or book them."""
from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Optional

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Enum,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.clinic import Discipline, Location

if TYPE_CHECKING:
    from flask_appbuilder.security.sqla.models import User

    from app.models.team import TeamMember


class CalendarKind(str, enum.Enum):
    provider = "provider"
    room = "room"
    equipment = "equipment"

    def __str__(self) -> str:
        return self.value


class OverlapPolicy(str, enum.Enum):
    # Staff may knowingly double-book (the overlap is audited); online never may.
    staff_may_overlap = "staff_may_overlap"
    never = "never"

    def __str__(self) -> str:
        return self.value


class AccessLevel(str, enum.Enum):
    view = "view"
    book = "book"

    def __str__(self) -> str:
        return self.value


calendar_discipline = Table(
    "calendar_discipline",
    db.Model.metadata,
    Column("calendar_id", ForeignKey("calendar.id", ondelete="CASCADE"), primary_key=True),
    Column("discipline_id", ForeignKey("discipline.id", ondelete="CASCADE"), primary_key=True),
)


class Calendar(db.Model):
    __audited__ = True
    __tablename__ = "calendar"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[CalendarKind] = mapped_column(
        Enum(CalendarKind, name="calendar_kind", native_enum=False, length=20)
    )
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    team_member_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("team_member.id", ondelete="SET NULL"), index=True
    )
    colour: Mapped[str] = mapped_column(String(7), default="#3a87ad")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    overlap_policy: Mapped[OverlapPolicy] = mapped_column(
        Enum(OverlapPolicy, name="overlap_policy", native_enum=False, length=20),
        default=OverlapPolicy.never,
    )
    # Online booking settings.
    online_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    slug: Mapped[Optional[str]] = mapped_column(String(80), unique=True)
    lead_time_minutes: Mapped[int] = mapped_column(Integer, default=120)
    buffer_before_minutes: Mapped[int] = mapped_column(Integer, default=0)
    buffer_after_minutes: Mapped[int] = mapped_column(Integer, default=0)
    cancellation_window_hours: Mapped[int] = mapped_column(Integer, default=24)
    booking_horizon_days: Mapped[int] = mapped_column(Integer, default=60)

    location: Mapped[Location] = relationship()
    team_member: Mapped[Optional["TeamMember"]] = relationship(back_populates="calendars")
    disciplines: Mapped[list[Discipline]] = relationship(secondary=calendar_discipline)

    __table_args__ = (
        CheckConstraint("lead_time_minutes >= 0", name="ck_calendar_lead_time_non_negative"),
        CheckConstraint("buffer_before_minutes >= 0", name="ck_calendar_buffer_before_non_negative"),
        CheckConstraint("buffer_after_minutes >= 0", name="ck_calendar_buffer_after_non_negative"),
        CheckConstraint(
            "cancellation_window_hours >= 0", name="ck_calendar_cancellation_window_non_negative"
        ),
        CheckConstraint("booking_horizon_days > 0", name="ck_calendar_horizon_positive"),
    )

    def __repr__(self) -> str:
        return self.name


KIND_ORDER = {CalendarKind.provider: 0, CalendarKind.room: 1, CalendarKind.equipment: 2}


def calendar_order(calendar: "Calendar") -> tuple:
    """How a clinic lists calendars everywhere: providers, then rooms, then equipment,
    each by its configured order, then name."""
    return (KIND_ORDER[calendar.kind], calendar.sort_order or 0, calendar.name.casefold(), calendar.id)


class CalendarAccess(db.Model):
    """Grants one user one calendar: to look at it, or also to book into it."""

    __audited__ = True
    __tablename__ = "calendar_access"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), index=True)
    calendar_id: Mapped[int] = mapped_column(
        ForeignKey("calendar.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[AccessLevel] = mapped_column(
        Enum(AccessLevel, name="access_level", native_enum=False, length=10),
        default=AccessLevel.book,
    )

    user: Mapped["User"] = relationship("User")
    calendar: Mapped[Calendar] = relationship()

    __table_args__ = (UniqueConstraint("user_id", "calendar_id", name="uq_calendar_access_user_calendar"),)

    def __repr__(self) -> str:
        return f"{self.user} → {self.calendar} ({self.level})"
