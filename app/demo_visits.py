"""The demo's appointment layout (`flask seed-demo`, ``app/demo.py``): day by day, each
provider's day filled with their cases' visits inside the shift and outside its breaks,
rooms and equipment taken first come first served, a few visits canceled or rebooked.

Laid out here directly, not through the booking service, but on the same invariants:
never two active exclusive occupancies of one calendar overlapping, one visit per
provider a day per client, never a client in two places at once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_appbuilder.security.sqla.models import User

from app import demo_data as data
from app.extensions import db
from app.models import (
    Appointment, AppointmentStatus, BookedVia, Calendar, CalendarKind, Case, Client, Discipline, Occupancy,
    SessionType, TeamMember,
)
from app.timeutil import to_utc

RELEASED = (AppointmentStatus.canceled, AppointmentStatus.rebooked)  # hold no time
KEPT = (AppointmentStatus.booked, AppointmentStatus.confirmed, AppointmentStatus.arrived,
        AppointmentStatus.paid)
S = AppointmentStatus
PAST_STATUSES = ((S.paid, 58), (S.arrived, 17), (S.no_show, 7), (S.canceled, 10), (S.rebooked, 8))
FUTURE_STATUSES = ((S.booked, 47), (S.confirmed, 40), (S.canceled, 7), (S.rebooked, 6))


def minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def clock(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


@dataclass(frozen=True)
class Hours:
    """A calendar's shift on one day, in local minutes since midnight."""

    start: int
    end: int
    breaks: tuple[tuple[int, int], ...]

    def windows(self) -> list[tuple[int, int]]:
        edges, cursor = [], self.start
        for b0, b1 in self.breaks:
            edges.append((cursor, b0))
            cursor = b1
        return edges + [(cursor, self.end)]

    def covers(self, a: int, b: int) -> bool:
        return self.start <= a and b <= self.end and all(b <= b0 or a >= b1 for b0, b1 in self.breaks)


@dataclass
class Provider:
    spec: data.ProviderSpec
    member: TeamMember
    calendar: Calendar


@dataclass
class CaseInfo:
    case: Case
    client: Client
    spec: data.CaseSpec
    provider: Provider
    opened_on: date
    assessed: bool  # a new case's first visit must be an initial assessment
    last_seen: date = date.min
    pending_rebook: bool = False


@dataclass
class Rebook:
    original: Appointment
    info: CaseInfo
    session_type: SessionType
    due: date


class VisitLayout:
    """The appointment half of the demo's builder (``demo_builder.ClinicBuilder`` mixes it in): reads
    its days, providers, cases, session types, resources and shift hours; keeps in-memory
    busy lists."""

    # --- appointments -------------------------------------------------------------
    def _add_appointments(self) -> None:
        # Day by day across all providers, so rooms go to whoever asks first that day.
        for key, days in self.days.items():
            for day in days:
                for provider in (p for p in self.providers if p.spec.location == key):
                    self._fill_day(provider, day)
        for rebooks in self.pending.values():  # moved past the demo weeks: call it a cancellation
            for rebook in rebooks:
                rebook.original.status = AppointmentStatus.canceled

    def _fill_day(self, provider: Provider, day: date) -> None:
        hours = self.hours.get((id(provider.calendar), day))
        if hours is None:
            return
        target = self.rng.randint(5, 8)  # a few will be canceled or moved, leaving 4–8
        free = sum(b - a for a, b in hours.windows())
        spare_gap = max(0, free - target * 45) // (target + 1)  # spreads visits over the day
        placed = 0
        for a, b in hours.windows():
            t = a + self._gap(spare_gap)
            while placed < target and t < b:
                end = self._book_one(provider, day, t, b)
                if end is None:
                    t += 15
                    continue
                placed += 1
                t = end + self._gap(spare_gap)

    def _gap(self, spare: int) -> int:
        return 15 * self.rng.randint(0, (2 * spare) // 15) if spare >= 15 else 0

    def _book_one(self, provider: Provider, day: date, t: int, window_end: int) -> int | None:
        """Book the first candidate that fits at ``t``; its end (minutes) or None."""
        due = [r for r in self.pending[id(provider)] if r.due <= day]
        for rebook in due:
            if self._fits(rebook.info, rebook.session_type, day, t, window_end):
                self.pending[id(provider)].remove(rebook)
                return self._place(rebook.info, rebook.session_type, day, t, rebook.original)
        for info in self._candidates(provider, day):
            for session_type in self._session_options(info):
                if self._fits(info, session_type, day, t, window_end):
                    return self._place(info, session_type, day, t, None)
        return None

    def _candidates(self, provider: Provider, day: date) -> list[CaseInfo]:
        mine = [i for i in self.cases if i.provider is provider and i.opened_on <= day
                and not i.pending_rebook]
        # Whoever was seen least recently comes first; ties broken at random.
        return sorted(mine, key=lambda i: (i.last_seen, self.rng.random()))[:4]

    def _session_options(self, info: CaseInfo) -> list[SessionType]:
        st, rng, discipline = self.session_types, self.rng, info.spec.discipline
        if discipline == data.MASSAGE:
            return [st["mt_90"], st["mt_60"]] if rng.random() < 0.3 else [st["mt_60"]]
        if discipline == data.CHIRO:
            return [st["dc_adjustment"] if info.assessed else st["dc_initial"]]
        if not info.assessed:
            return [st["pt_initial"]]
        if info.spec.post_surgical and rng.random() < 0.7:
            return [st["pt_post_surgical"], st["pt_follow_45"], st["pt_follow_30"]]
        if info.spec.shockwave and rng.random() < 0.3:
            return [st["pt_shockwave"], st["pt_follow_30"]]
        return [st["pt_follow_45"], st["pt_follow_30"]] if rng.random() < 0.4 else [st["pt_follow_30"]]

    def _fits(self, info: CaseInfo, session_type: SessionType, day: date, t: int, window_end: int) -> bool:
        end = t + session_type.duration_minutes
        if end > window_end or info.opened_on > day:
            return False
        visits = self.client_busy[(id(info.client), day)]
        if any(who == id(info.provider) or (t < b and a < end) for a, b, who in visits):
            return False  # one visit per provider a day, and never in two places at once
        return all(cal is not None for cal in self._resources_for(info, session_type, day, t, end))

    def _resources_for(self, info: CaseInfo, session_type: SessionType, day: date, t: int,
                       end: int) -> list[Calendar | None]:
        """The room and/or equipment the session needs, None where none is free."""
        key = info.provider.spec.location
        wanted = [(session_type.needs_room, CalendarKind.room),
                  (session_type.needs_equipment, CalendarKind.equipment)]
        return [self._free_resource(key, kind, session_type.discipline, day, t, end)
                for needed, kind in wanted if needed]

    def _free_resource(self, key: str, kind: CalendarKind, discipline: Discipline, day: date,
                       t: int, end: int) -> Calendar | None:
        # Specialised rooms first: a rehab session takes the gym before the general room.
        for calendar in sorted(self.resources[key], key=lambda c: len(c.disciplines)):
            hours = self.hours.get((id(calendar), day))
            if (calendar.kind == kind and discipline in calendar.disciplines and hours is not None
                    and hours.covers(t, end) and self._is_free(calendar, day, t, end)):
                return calendar
        return None

    def _is_free(self, calendar: Calendar, day: date, t: int, end: int) -> bool:
        return all(end <= a or t >= b for a, b in self.busy[(id(calendar), day)])

    def _place(self, info: CaseInfo, session_type: SessionType, day: date, t: int,
               rebooked_from: Appointment | None) -> int:
        rng, key, provider = self.rng, info.provider.spec.location, info.provider
        end = t + session_type.duration_minutes
        calendars = [provider.calendar, *self._resources_for(info, session_type, day, t, end)]
        zone = self.zones[key]
        starts_at, ends_at = to_utc(day, clock(t), zone), to_utc(day, clock(end), zone)
        status = self._status(starts_at, ends_at)
        online = session_type.online_bookable and rng.random() < 0.2
        created_at = min(self.now, starts_at - timedelta(days=rng.randint(1, 21), hours=rng.randint(0, 8)))
        if rebooked_from is not None:
            created_at = max(created_at, rebooked_from.created_at)
        appointment = Appointment(
            case=info.case, location=provider.calendar.location, session_type=session_type,
            starts_at=starts_at, ends_at=ends_at, status=status,
            booked_via=BookedVia.online if online else BookedVia.staff,
            created_by=None if online else self._booker(provider),
            notes=rng.choice(data.APPOINTMENT_NOTES) if rng.random() < 0.08 else None,
            rebooked_from=rebooked_from, created_at=created_at,
            occupancies=[Occupancy(calendar=c, starts_at=starts_at, ends_at=ends_at, exclusive=True,
                                   active=status not in RELEASED) for c in calendars],
        )
        db.session.add(appointment)
        self.appointments.append(appointment)
        for calendar in calendars:  # released time stays blocked here too, to keep it simple
            self.busy[(id(calendar), day)].append((t, end))
        self.client_busy[(id(info.client), day)].append((t, end, id(provider)))
        info.last_seen, info.pending_rebook = day, False
        if status in KEPT:
            info.assessed = True
        if status == AppointmentStatus.rebooked:
            info.pending_rebook = True
            self.pending[id(provider)].append(
                Rebook(appointment, info, session_type, day + timedelta(days=rng.randint(1, 6))))
        return end

    def _status(self, starts_at: datetime, ends_at: datetime) -> AppointmentStatus:
        if starts_at <= self.now < ends_at:
            return AppointmentStatus.arrived
        table = PAST_STATUSES if ends_at <= self.now else FUTURE_STATUSES
        statuses, weights = zip(*table)
        return self.rng.choices(statuses, weights)[0]

    def _booker(self, provider: Provider) -> User:
        if provider.spec.location == data.TORONTO and self.rng.random() < 0.7:
            return self.users["frontdesk"]
        return provider.member.user if self.rng.random() < 0.6 else self.users["manager"]
