"""Appointments and the calendar time they occupy.

Availability and conflicts are computed from Occupancy rows, never from appointments:
one row per calendar held (provider, room, equipment), spanning the interval including
buffers. On PostgreSQL an exclusion constraint forbids two active exclusive occupancies
of one calendar from overlapping; it is the backstop behind the booking service's lock.
"""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.calendars import Calendar
from app.models.cases import Case
from app.models.clinic import Location
from app.models.services import SessionType
from app.timeutil import UTCDateTime, to_local, utcnow


class AppointmentStatus(str, enum.Enum):
    booked = "booked"
    confirmed = "confirmed"
    arrived = "arrived"
    paid = "paid"
    no_show = "no_show"
    canceled = "canceled"
    rebooked = "rebooked"

    def __str__(self) -> str:
        return self.value


class BookedVia(str, enum.Enum):
    staff = "staff"
    online = "online"

    def __str__(self) -> str:
        return self.value


class Appointment(db.Model):
    __audited__ = True
    __tablename__ = "appointment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    # Where it happens: every calendar it holds is at this location, and its times are
    # read in this location's zone.
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    session_type_id: Mapped[int] = mapped_column(ForeignKey("session_type.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[AppointmentStatus] = mapped_column(
        Enum(AppointmentStatus, name="appointment_status", native_enum=False, length=20),
        default=AppointmentStatus.booked,
    )
    booked_via: Mapped[BookedVia] = mapped_column(
        Enum(BookedVia, name="booked_via", native_enum=False, length=10), default=BookedVia.staff
    )
    notify: Mapped[bool] = mapped_column(Boolean, default=True)
    # Canceled inside the location's late-cancel window (a fee may apply).
    late_cancel: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[Optional[str]] = mapped_column(Text)
    series_id: Mapped[Optional[str]] = mapped_column(String(36), index=True)
    rebooked_from_id: Mapped[Optional[int]] = mapped_column(ForeignKey("appointment.id"))
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Optimistic concurrency: a stale edit (someone changed it meanwhile) is refused.
    version: Mapped[int] = mapped_column(Integer, default=1)

    case: Mapped[Case] = relationship()
    location: Mapped[Location] = relationship(lazy="joined")
    session_type: Mapped[SessionType] = relationship()
    created_by: Mapped[Optional[User]] = relationship(User)
    rebooked_from: Mapped[Optional["Appointment"]] = relationship(remote_side=[id])
    occupancies: Mapped[list["Occupancy"]] = relationship(
        back_populates="appointment", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="ck_appointment_ends_after_start"),
        Index("ix_appointment_location_start", "location_id", "starts_at"),
        # Reports over all locations read one period (tests/calendar/test_bounded_reads.py).
        Index("ix_appointment_starts_at", "starts_at"),
    )

    def __repr__(self) -> str:
        return f"Appointment {self.id}"

    @property
    def local_times(self) -> str:
        """“Tue 10 Mar 2026, 09:30–10:15 EDT” in the location's own clock."""
        start = to_local(self.starts_at, self.location.timezone)
        end = to_local(self.ends_at, self.location.timezone)
        return f"{start:%a %d %b %Y, %H:%M}–{end:%H:%M} {end:%Z}"


class Occupancy(db.Model):
    __tablename__ = "occupancy"

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(
        ForeignKey("appointment.id", ondelete="CASCADE"), index=True
    )
    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendar.id"))
    # The occupied interval, buffers included.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    exclusive: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    appointment: Mapped[Appointment] = relationship(back_populates="occupancies")
    calendar: Mapped[Calendar] = relationship()

    def __str__(self) -> str:
        from app.i18n.formatting import local_span

        return f"{self.calendar}, {local_span(self.starts_at, self.ends_at, self.calendar.location.timezone)}"

    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="ck_occupancy_ends_after_start"),
        Index("ix_occupancy_calendar_start", "calendar_id", "starts_at"),
        ExcludeConstraint(
            ("calendar_id", "="),
            (func.tstzrange(text("starts_at"), text("ends_at")), "&&"),
            name="ex_occupancy_no_overlap",
            using="gist",
            where=text("exclusive AND active"),
        ).ddl_if(dialect="postgresql"),
    )
