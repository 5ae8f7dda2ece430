"""A client's treatment episode: discipline, payer, claim and authorised visits."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Optional

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String, Text, or_
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.clients import Client
from app.models.clinic import Discipline
from app.models.payers import Payer
from app.models.team import TeamMember


# The lengths a case's title and claim number may have: the columns, and every form and
# API schema that takes them, read them here.
CASE_TITLE_LENGTH = 160
CLAIM_NUMBER_LENGTH = 60


class Case(db.Model):
    __audited__ = True
    __tablename__ = "case_file"  # "case" is an SQL keyword

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(CASE_TITLE_LENGTH))
    discipline_id: Mapped[int] = mapped_column(ForeignKey("discipline.id"))
    payer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("payer.id"))
    # The treating provider; a provider sees the clients of their own cases.
    provider_id: Mapped[Optional[int]] = mapped_column(ForeignKey("team_member.id"), index=True)
    claim_number: Mapped[Optional[str]] = mapped_column(String(CLAIM_NUMBER_LENGTH))
    referral_source: Mapped[Optional[str]] = mapped_column(String(120))
    prescriber: Mapped[Optional[str]] = mapped_column(String(120))
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[Optional[date]] = mapped_column(Date)
    authorised_visits: Mapped[Optional[int]] = mapped_column(Integer)
    authorised_amount: Mapped[Optional[Decimal]] = mapped_column(Numeric(12, 2))
    authorisation_expires_on: Mapped[Optional[date]] = mapped_column(Date)
    notes: Mapped[Optional[str]] = mapped_column(Text)

    client: Mapped[Client] = relationship(back_populates="cases")
    discipline: Mapped[Discipline] = relationship()
    payer: Mapped[Optional[Payer]] = relationship()
    provider: Mapped[Optional[TeamMember]] = relationship()

    __table_args__ = (
        # The Cases list's order (newest first, the key last as the list adds it): a page is
        # read in index order instead of sorting every case the reader may see.
        Index("ix_case_file_opened_on_id", "opened_on", "id"),
        CheckConstraint(
            "closed_on IS NULL OR closed_on >= opened_on", name="ck_case_closed_after_opened"
        ),
        CheckConstraint(
            "authorised_visits IS NULL OR authorised_visits >= 0",
            name="ck_case_authorised_visits_non_negative",
        ),
        CheckConstraint(
            "authorised_amount IS NULL OR authorised_amount >= 0",
            name="ck_case_authorised_amount_non_negative",
        ),
    )

    def __repr__(self) -> str:
        return f"{self.title} ({self.client})"

    @hybrid_method
    def is_open_on(self, day: date) -> bool:
        """The one rule for "the case is open": on ``day`` (a location's date) it has no
        closing date, or closes after that day (``closed_on`` is the first day it is
        closed). ``Case.is_open_on(day)`` is the same rule as an SQL condition."""
        return self.closed_on is None or self.closed_on > day

    @is_open_on.expression
    def is_open_on(cls, day: date):
        return or_(cls.closed_on.is_(None), cls.closed_on > day)
