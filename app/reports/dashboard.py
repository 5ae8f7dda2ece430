"""The manager's home page: today at each location, and the last 30 days against the 30
before. A fixed number of grouped statements, whatever the clinic's size."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import case, func, select

from app.extensions import db
from app.i18n import N_
from app.models import Appointment, AppointmentStatus, Location
from app.reports import attendance, patients, revenue, sql
from app.reports.base import Filters, ratio
from app.timeutil import local_today, utcnow

S = AppointmentStatus
WINDOW_DAYS = 30


@dataclass
class LocationToday:
    name: str
    day: str
    by_status: dict[str, int] = field(default_factory=dict)
    expected: int = 0   # booked or confirmed, not yet arrived
    unpaid: int = 0     # arrived and not settled


@dataclass
class Trend:
    label: str
    current: float | Decimal | None
    previous: float | Decimal | None
    kind: str = "int"
    lower_is_better: bool = False  # a falling no-show rate is good news
    currency: str | None = None    # money figures: one trend per currency, never summed across
    name: str | None = None        # the figure's name without its currency ("Invoiced"), translated when shown

    @property
    def better(self) -> bool | None:
        """Whether the change is good news (None: no change to judge)."""
        if not self.change:
            return None
        return (self.change < 0) if self.lower_is_better else (self.change > 0)

    @property
    def change(self) -> float | None:
        if self.current is None or not self.previous:
            return None
        return float(self.current) / float(self.previous) - 1


def today(location_ids=None) -> list[LocationToday]:
    """Visits by status at each active location on its own today; one statement."""
    locations = db.session.scalars(select(Location).where(Location.active.is_(True)).order_by(Location.name)).all()
    if location_ids is not None:
        locations = [loc for loc in locations if loc.id in set(location_ids)]
    if not locations:
        return []
    days = {loc.id: local_today(loc) for loc in locations}
    now = utcnow()
    lower, upper = now - timedelta(days=2), now + timedelta(days=2)
    local_date = sql.local(Appointment.starts_at, Location.timezone, "date")
    wanted = case({loc_id: day.isoformat() for loc_id, day in days.items()}, value=Appointment.location_id)
    rows = db.session.execute(
        select(Appointment.location_id, Appointment.status, func.count(Appointment.id))
        .join(Location, Location.id == Appointment.location_id)
        .where(Appointment.location_id.in_(list(days)), Appointment.starts_at >= lower, Appointment.starts_at < upper,
               local_date == wanted)
        .group_by(Appointment.location_id, Appointment.status)).all()
    result = {loc.id: LocationToday(loc.name, days[loc.id].isoformat()) for loc in locations}
    for location_id, status, n in rows:
        entry = result[location_id]
        entry.by_status[status.value] = n
        if status in (S.booked, S.confirmed):
            entry.expected += n
        if status == S.arrived:
            entry.unpaid += n
    return list(result.values())


def trends(anchor_location: Location | None = None) -> list[Trend]:
    """The last 30 days (to today at the first location, or ``anchor_location``)
    against the 30 before, clinic-wide."""
    if anchor_location is None:
        anchor_location = db.session.scalars(select(Location).where(Location.active.is_(True))
                                             .order_by(Location.id)).first()
    end = local_today(anchor_location) if anchor_location else utcnow().date()
    current = Filters(end - timedelta(days=WINDOW_DAYS - 1), end)
    previous = Filters(end - timedelta(days=2 * WINDOW_DAYS - 1), end - timedelta(days=WINDOW_DAYS))

    def figures(filters: Filters):
        att = attendance.figures(filters, "provider")
        visits = sum(r["visits"] for r in att)
        no_shows = sum(r["no_shows"] for r in att)
        attended = sum(m["sessions"] for m in patients.new_and_returning(filters))
        new = patients.retention(filters)["new"]
        money = {"Invoiced": revenue.totals_by_currency(revenue.invoiced(filters, "payer")),
                 "Collected": revenue.totals_by_currency(revenue.collected(filters, "payer"))}
        return [attended, ratio(no_shows, visits), new], money

    (now, money_now), (before, money_before) = figures(current), figures(previous)
    labels = [(N_("Attended visits"), "int"), (N_("No-show rate"), "percent"), (N_("New patients"), "int")]
    result = [Trend(label, a, b, kind, lower_is_better=(label == "No-show rate"))
              for (label, kind), a, b in zip(labels, now, before)]
    for label in (N_("Invoiced"), N_("Collected")):
        currencies = sorted(set(money_now[label]) | set(money_before[label]))
        several = len(currencies) > 1
        for currency in currencies or [None]:
            result.append(Trend(f"{label} ({currency})" if several else label,
                                money_now[label].get(currency, Decimal(0)), money_before[label].get(currency, Decimal(0)),
                                "money", currency=currency, name=label))
    return result
