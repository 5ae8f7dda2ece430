"""Clinic-wide settings: one row, edited by managers, read everywhere.

Branding (name, logo, colour) appears on invoices, emails and the public booking site;
the policy switches are read by the services that enforce them. Settings that belong to
one area only (message templates, reminder offsets, fee policies, embedding origins) live
with that area's models.
"""
from __future__ import annotations

from typing import Optional

from sqlalchemy import Boolean, CheckConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, validates

from app.extensions import db


class ClinicSettings(db.Model):
    __audited__ = True
    __tablename__ = "clinic_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_name: Mapped[str] = mapped_column(String(160), default="Plinth Clinic")
    legal_name: Mapped[Optional[str]] = mapped_column(String(200))
    # A path under the app's static folder or a data: URI; never a remote URL (pages load
    # nothing from other hosts).
    logo: Mapped[Optional[str]] = mapped_column(Text)
    brand_colour: Mapped[str] = mapped_column(String(7), default="#2f6f8f")
    phone: Mapped[Optional[str]] = mapped_column(String(20))
    email: Mapped[Optional[str]] = mapped_column(String(254))
    website: Mapped[Optional[str]] = mapped_column(String(200))
    # ISO 4217; every amount in Plinth is in this currency.
    currency: Mapped[str] = mapped_column(String(3), default="CAD")
    # Whether "send notification" is ticked when staff open the booking form.
    notify_by_default: Mapped[bool] = mapped_column(Boolean, default=True)
    # After this many no-shows a client may no longer book online (None: never blocked).
    no_show_block_after: Mapped[Optional[int]] = mapped_column(Integer, default=3)
    # The calendar's time step in minutes: the grid, the times offered and the alternatives
    # for a repeat (None: PLINTH_SLOT_STEP_MINUTES). Read through slot_step_minutes().
    slot_step_minutes: Mapped[Optional[int]] = mapped_column(Integer)
    # Minutes a team member needs between appointments at two different locations
    # (clinic-wide, the same for every pair of locations). Read through travel_minutes().
    travel_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    __table_args__ = (
        CheckConstraint("no_show_block_after IS NULL OR no_show_block_after > 0",
                        name="ck_clinic_settings_no_show_block_positive"),
        CheckConstraint("slot_step_minutes IS NULL OR (slot_step_minutes > 0 AND slot_step_minutes <= 120)",
                        name="ck_clinic_settings_slot_step_range"),
        CheckConstraint("travel_minutes >= 0 AND travel_minutes <= 240",
                        name="ck_clinic_settings_travel_minutes_range"),
    )

    @validates("travel_minutes")
    def _travel_minutes_or_none(self, key, value):
        return 0 if value is None else value  # left empty on the settings form: no travel time

    def __repr__(self) -> str:
        return self.clinic_name


def singleton(model, **values):
    """The one settings row of ``model`` (id 1), created on first use. Two requests on a
    fresh install may both find it missing: the insert does nothing when the other wins,
    so neither fails."""
    row = db.session.get(model, 1)
    if row is None:
        from app.dialect import insert

        db.session.execute(insert(model).values(id=1, **values).on_conflict_do_nothing(index_elements=["id"]))
        row = db.session.get(model, 1, populate_existing=True)
    return row


def unsaved(model, **values):
    """A row of ``model`` (id 1) holding its column defaults and ``values``, not added to the
    session: what a settings screen shows before the first save, which then inserts it."""
    from sqlalchemy import inspect

    row = model(id=1)
    for attribute in inspect(model).column_attrs:
        default = attribute.columns[0].default
        if default is not None and default.is_scalar and getattr(row, attribute.key) is None:
            setattr(row, attribute.key, default.arg)
    for key, value in values.items():
        setattr(row, key, value)
    return row


def saved_or_defaults(model, **values):
    """The settings row of ``model`` if it was saved, else its defaults (``unsaved``):
    reading settings writes nothing."""
    return db.session.get(model, 1) or unsaved(model, **values)


def _clinic_defaults() -> dict:
    from flask import current_app

    return {"clinic_name": current_app.config.get("PLINTH_CLINIC_NAME") or "Plinth Clinic",
            "currency": current_app.config.get("PLINTH_CURRENCY") or "CAD"}


def clinic_settings() -> ClinicSettings:
    """The settings row, created with the installation's configured name and currency."""
    return singleton(ClinicSettings, **_clinic_defaults())


def read_clinic_settings() -> ClinicSettings:
    """The settings to read: the row, else the installation's configured name and currency
    with the column defaults, unsaved (reading creates no row; the settings screen's first
    save does)."""
    return saved_or_defaults(ClinicSettings, **_clinic_defaults())


def slot_step_minutes() -> int:
    """The one home of the calendar's time step: the clinic's setting (Setup → Clinic
    settings), else the installation's PLINTH_SLOT_STEP_MINUTES. Edges (the API, the grid,
    the booking site) read it once per request and pass it down. Reading creates no row."""
    from flask import current_app

    row = db.session.get(ClinicSettings, 1)
    if row is not None and row.slot_step_minutes:
        return row.slot_step_minutes
    return current_app.config.get("PLINTH_SLOT_STEP_MINUTES", 15)


def travel_minutes() -> int:
    """The one home of the travel time between two locations: a team member booked at one
    location is kept free this long before and after at every other location (0: none).
    Reading creates no row."""
    row = db.session.get(ClinicSettings, 1)
    return (row.travel_minutes or 0) if row is not None else 0
