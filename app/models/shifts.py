"""Working time: shifts with breaks (local wall clock per date) and blocked time."""
from __future__ import annotations

from datetime import date, datetime, time
from typing import Optional

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Time, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.input_rules import format_breaks, parse_breaks
from app.models.calendars import Calendar
from app.timeutil import UTCDateTime


class Shift(db.Model):
    """A calendar's working hours on one local date, in the location's wall clock.

    Kept as local date + times (not instants) because that is what the clinic means:
    "08:00–16:00 on 8 March" is eight hours of work even on a DST change day.
    """

    __audited__ = True
    __tablename__ = "shift"

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendar.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    # Shifts generated together by one repeat pattern share this id.
    pattern_id: Mapped[Optional[str]] = mapped_column(String(36), index=True)

    calendar: Mapped[Calendar] = relationship()
    breaks: Mapped[list["ShiftBreak"]] = relationship(
        back_populates="shift", cascade="all, delete-orphan", order_by="ShiftBreak.start_time"
    )

    __table_args__ = (
        CheckConstraint("start_time < end_time", name="ck_shift_ends_after_start"),
        Index("ix_shift_calendar_day", "calendar_id", "day"),
        # The Shifts list: newest first, one page in index order (migration 0028).
        Index("ix_shift_day_id", "day", "id"),
    )

    def __repr__(self) -> str:
        return f"{self.calendar} {self.day} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    # Breaks as a manager types them ("12:00-12:30, 15:00-15:15"), for the setup form.
    @property
    def breaks_text(self) -> str:
        return format_breaks([(b.start_time, b.end_time) for b in self.breaks])

    @breaks_text.setter
    def breaks_text(self, text: str | None) -> None:
        self.breaks = [ShiftBreak(start_time=s, end_time=e) for s, e in parse_breaks(text)]


class ShiftBreak(db.Model):
    __audited__ = True
    __tablename__ = "shift_break"

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id", ondelete="CASCADE"), index=True)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    label: Mapped[Optional[str]] = mapped_column(String(80))

    shift: Mapped[Shift] = relationship(back_populates="breaks")

    __table_args__ = (CheckConstraint("start_time < end_time", name="ck_shift_break_ends_after_start"),)

    def __repr__(self) -> str:
        return f"{self.label or 'Break'} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class TimeBlock(db.Model):
    """Time taken out of a calendar (meeting, holiday, maintenance): drawn in the grid."""

    __audited__ = True
    __tablename__ = "time_block"

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendar.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(120))

    calendar: Mapped[Calendar] = relationship()

    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="ck_time_block_ends_after_start"),
        Index("ix_time_block_calendar_start", "calendar_id", "starts_at"),
        # The Blocked time list: newest first, one page in index order (migration 0028). Partial
        # on a condition only that list states (``reason`` is NOT NULL anyway): a plain index on
        # starts_at is taken by the engine's window reads instead of (calendar_id, starts_at).
        Index("ix_time_block_listed", "starts_at", "id", postgresql_where=text("reason IS NOT NULL"),
              sqlite_where=text("reason IS NOT NULL")),
    )

    def __repr__(self) -> str:
        return f"{self.reason} ({self.calendar})"
