"""Where and what: the clinic's locations and the disciplines it practises."""
from __future__ import annotations

from datetime import time
from typing import Optional

from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, String, Table, Text, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
# The clinic's phone region lives with the phone formatter; these names stay importable from here.
from app.i18n.formatting import DEFAULT_PHONE_REGION, clinic_phone_region  # noqa: F401
from app.timeutil import zone_country

# The insurers and other third parties a location bills (its "network"); online booking
# offers only these. A location that lists none accepts every active third party.
location_payer = Table(
    "location_payer",
    db.Model.metadata,
    Column("location_id", ForeignKey("location.id", ondelete="CASCADE"), primary_key=True),
    Column("payer_id", ForeignKey("payer.id", ondelete="CASCADE"), primary_key=True),
)


class Location(db.Model):
    __audited__ = True
    __tablename__ = "location"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    address_line1: Mapped[Optional[str]] = mapped_column(String(200))
    address_line2: Mapped[Optional[str]] = mapped_column(String(200))
    city: Mapped[Optional[str]] = mapped_column(String(100))
    region: Mapped[Optional[str]] = mapped_column(String(100))
    postal_code: Mapped[Optional[str]] = mapped_column(String(20))
    country: Mapped[Optional[str]] = mapped_column(String(2))  # ISO 3166 (CA, PT); read through phone_region
    phone: Mapped[Optional[str]] = mapped_column(String(20))
    email: Mapped[Optional[str]] = mapped_column(String(254))
    tax_id: Mapped[Optional[str]] = mapped_column(String(50))
    # Defaults for this location's patients and documents; None = the clinic's (app/i18n).
    language: Mapped[Optional[str]] = mapped_column(String(10))
    currency: Mapped[Optional[str]] = mapped_column(String(3))
    invoice_prefix: Mapped[str] = mapped_column(String(12))
    # Manual override of the calendar grid's visible hours (else derived from shifts).
    grid_start: Mapped[Optional[time]] = mapped_column(Time)
    grid_end: Mapped[Optional[time]] = mapped_column(Time)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    notes: Mapped[Optional[str]] = mapped_column(Text)
    # Shown online under "Who pays" to a patient whose insurer this location does not bill.
    out_of_network_message: Mapped[Optional[str]] = mapped_column(Text)

    accepted_payers: Mapped[list["Payer"]] = relationship(secondary=location_payer, order_by="Payer.name")

    @property
    def phone_region(self) -> str:
        """The one rule for the country a local phone number is read in: the location's
        country, else its time zone's (Lisboa -> PT), else DEFAULT_PHONE_REGION."""
        return Location.region_for(self.country, self.timezone)

    @staticmethod
    def region_for(country: str | None, timezone: str | None) -> str:
        """``phone_region`` of a location being written (the form's country and time zone)."""
        return (country or zone_country(timezone) or clinic_phone_region()).upper()

    @staticmethod
    def phone_region_of(location: "Location | None") -> str:
        """``phone_region`` of a location that may be missing (a client with no home
        location, a page with none chosen): the clinic's (clinic_phone_region) then."""
        return location.phone_region if location is not None else clinic_phone_region()

    __table_args__ = (
        CheckConstraint(
            "grid_start IS NULL OR grid_end IS NULL OR grid_start < grid_end",
            name="ck_location_grid_hours_ordered",
        ),
    )

    def __repr__(self) -> str:
        return self.name

    @property
    def address(self) -> str:
        parts = [self.address_line1, self.address_line2, self.city, self.region, self.postal_code]
        return ", ".join(p for p in parts if p)


class Discipline(db.Model):
    __audited__ = True
    __tablename__ = "discipline"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    colour: Mapped[Optional[str]] = mapped_column(String(7))

    def __repr__(self) -> str:
        return self.name
