from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from decimal import Decimal

import pytest

from app.models import Appointment, BillingItem, Case, FeeMode, FeePolicy, Payer, PayerKind, SessionType
from app.timeutil import to_utc
from tests import factories
from tests.api.conftest import as_user  # noqa: F401  (the API client fixture)

DAY = date(2026, 3, 16)  # a Monday; Toronto on EDT
TODAY = date(2026, 3, 16)
NOW = datetime(2026, 3, 16, 23, tzinfo=timezone.utc)  # 19:00 in Toronto: every scene visit has started


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return to_utc(day, time(hour, minute), "America/Toronto")


@dataclass
class Scene:
    people: factories.People
    treatment: BillingItem
    tape: BillingItem
    session: SessionType
    insurer: Payer
    case: Case          # billed to the insurer
    own_case: Case      # self-pay, same client
    appointment: Appointment
    policy: FeePolicy

    @property
    def actor(self):
        return self.people.frontdesk

    def book(self, hour: int, minute: int = 0, case: Case | None = None, **kw) -> Appointment:
        return factories.make_appointment(self.people.provider_calendar, at(hour, minute), session_type=self.session,
                                          case=case or self.case, **kw)


@pytest.fixture()
def scene(db, people) -> Scene:
    people.location.invoice_prefix = "DT-"
    people.provider.registration_number = "PT-4411"
    treatment = factories.make_billing_item(code="PT-FU", name="Physiotherapy follow-up", unit_price=Decimal("95.00"),
                                            tax_rate=Decimal("13"))
    tape = factories.make_billing_item(code="TAPE", name="Kinesiology tape", unit_price=Decimal("4.50"),
                                       tax_rate=Decimal("13"), is_product=True)
    session = factories.make_session_type(name="Follow-up", discipline=people.discipline, price=Decimal("95.00"),
                                          billing_items=[(treatment, Decimal("1")), (tape, Decimal("2"))])
    insurer = factories.make_payer(name="Sun Life", kind=PayerKind.insurer, address="PO Box 1, Waterloo")
    client = factories.make_client(first_name="Ana", last_name="Silva", address_line1="12 King St", city="Toronto",
                                    home_location=people.location)
    case = factories.make_case(client=client, discipline=people.discipline, payer=insurer, claim_number="CL-778",
                               provider=people.provider)
    own_case = factories.make_case(client=client, discipline=people.discipline, title="Neck")
    policy = factories._add(FeePolicy(location=people.location, no_show_mode=FeeMode.fixed,
                                      no_show_amount=Decimal("40.00"), late_cancel_mode=FeeMode.percent,
                                      late_cancel_amount=Decimal("50"), late_cancel_hours=24))
    appointment = factories.make_appointment(people.provider_calendar, at(10), session_type=session, case=case)
    db.session.commit()
    return Scene(people, treatment, tape, session, insurer, case, own_case, appointment, policy)
