"""The clinic's people who log in: providers, front desk, managers."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Boolean, Column, ForeignKey, String, Table, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.clinic import Discipline, Location

if TYPE_CHECKING:
    from app.models.calendars import Calendar

team_member_discipline = Table(
    "team_member_discipline",
    db.Model.metadata,
    Column("team_member_id", ForeignKey("team_member.id", ondelete="CASCADE"), primary_key=True),
    Column("discipline_id", ForeignKey("discipline.id", ondelete="CASCADE"), primary_key=True),
)

# The locations a team member works at; front desk sees the calendars of these.
team_member_location = Table(
    "team_member_location",
    db.Model.metadata,
    Column("team_member_id", ForeignKey("team_member.id", ondelete="CASCADE"), primary_key=True),
    Column("location_id", ForeignKey("location.id", ondelete="CASCADE"), primary_key=True),
)


class TeamMember(db.Model):
    __audited__ = True
    __tablename__ = "team_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    is_provider: Mapped[bool] = mapped_column(Boolean, default=False)
    registration_number: Mapped[Optional[str]] = mapped_column(String(50))
    title: Mapped[Optional[str]] = mapped_column(String(80))
    phone: Mapped[Optional[str]] = mapped_column(String(20))
    # Per-event notification preferences (the messaging issue reads these).
    notify_new_booking: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_rescheduled: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_canceled: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_no_show: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The language of their screens (en, fr_CA, pt_PT): their own choice from the language menu,
    # else their first location's language (app/i18n/staff.py).
    language: Mapped[Optional[str]] = mapped_column(String(10))

    user: Mapped[User] = relationship(User)
    disciplines: Mapped[list[Discipline]] = relationship(secondary=team_member_discipline)
    locations: Mapped[list[Location]] = relationship(secondary=team_member_location)
    calendars: Mapped[list["Calendar"]] = relationship(back_populates="team_member")

    def __repr__(self) -> str:
        return self.display_name


def team_member_of(user_id: int) -> TeamMember | None:
    """The team member a login belongs to (None: a login that is no team member)."""
    return db.session.scalar(select(TeamMember).where(TeamMember.user_id == user_id))
