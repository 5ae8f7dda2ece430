"""The public booking journey through HTTP: what is offered, what gets booked."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.booking import catalogue
from app.models import Appointment, BookedVia, Case, Client
from app.scheduling.availability import ONLINE, find_slots
from tests.booking.conftest import DETAILS, slot_values, start_of, walk_to_review, walk_to_times, post_confirm


def _book(client, site, **kw):
    value = walk_to_review(client, site, **kw)
    response = post_confirm(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/book/confirmed"), \
        response.get_data(as_text=True)
    return value


def test_new_patient_books_and_gets_a_confirmation_with_a_manage_link(client, site, db):
    value = _book(client, site)
    page = client.get("/book/confirmed").get_data(as_text=True)
    assert "You're booked!" in page
    manage = re.search(r'id="manage-link" href="([^"]+)"', page).group(1)
    appointment = db.session.scalars(select(Appointment)).one()
    assert appointment.booked_via == BookedVia.online
    assert appointment.starts_at == start_of(value)
    assert appointment.notes == "Left knee"
    client_row = appointment.case.client
    assert (client_row.first_name, client_row.email, client_row.phone) == ("Nora", "nora@example.com", "+14165550199")
    assert str(client_row.date_of_birth) == "1988-04-02"
    assert appointment.case.payer.name == "Self-pay" and appointment.case.claim_number is None
    assert appointment.case.discipline_id == site.initial.discipline_id
    assert client.get(manage).status_code == 200


def test_insurance_opens_a_case_with_that_payer_and_policy_number(client, site, db):
    details = {**DETAILS, "payer_id": str(site.insurer.id), "policy_number": "MH-778812"}
    _book(client, site, details=details)
    case = db.session.scalars(select(Case)).one()
    assert (case.payer_id, case.claim_number) == (site.insurer.id, "MH-778812")


def test_insurer_without_policy_number_is_asked_for_it(client, site, db):
    walk_to_times(client, site)
    client.post("/book/times", data={"value": slot_values(client.get(
        f"/book/times?day={site.days[0]}").get_data(as_text=True))[0]})
    response = client.post("/book/details", data={**DETAILS, "payer_id": str(site.insurer.id)})
    assert response.status_code == 200
    assert "policy or member number" in response.get_data(as_text=True)
    assert db.session.scalar(select(Client.id)) is None


def test_services_by_category_with_price_duration_and_providers(client, site):
    client.get(f"/book/l/{site.location.id}")
    client.get("/book/new")
    page = client.get("/book/services").get_data(as_text=True)
    assert "Initial assessment" in page and "60 min" in page and "$142.00" in page
    assert "With Maya Chen, Dan Okafor" in page or "With Dan Okafor, Maya Chen" in page
    assert "Follow-up" not in page          # returning patients only
    assert "Shockwave" not in page          # not bookable online
    assert "Massage 60" not in page         # its only provider's calendar is not online


def test_times_offered_are_exactly_the_engines_online_slots(client, site, db):
    html = walk_to_times(client, site, provider=str(site.maya.id)).get_data(as_text=True)
    shown = [start_of(v) for v in slot_values(html)]
    expected = [s.start for s in find_slots(session_type=site.initial, provider_calendars=[site.maya],
                                            start_day=site.days[0], end_day=site.days[0], channel=ONLINE,
                                            is_new_client=True, any_provider=False)]
    assert shown == expected and len(shown) > 4


def test_direct_link_books_only_that_calendar(client, site, db):
    assert client.get("/book/dan-okafor").status_code == 302
    client.get("/book/new")
    client.get(f"/book/service/{site.initial.id}")
    html = client.get(f"/book/times?day={site.days[0]}").get_data(as_text=True)
    assert {v.split("|")[1] for v in slot_values(html)} == {str(site.dan.id)}
    client.post("/book/times", data={"value": slot_values(html)[0]})
    client.post("/book/details", data=DETAILS)
    assert post_confirm(client).status_code == 302
    appointment = db.session.scalars(select(Appointment)).one()
    assert [o.calendar_id for o in appointment.occupancies] == [site.dan.id]


def test_unknown_or_disabled_direct_link_is_not_found(client, site):
    assert client.get("/book/nobody-here").status_code == 404
    site.dan.online_enabled = False
    from app.extensions import db

    db.session.commit()
    assert client.get("/book/dan-okafor").status_code == 404


def test_no_personal_data_in_any_url(client, site):
    """Every redirect target and link of the journey carries ids and tokens only."""
    seen = []
    original_get, original_post = client.get, client.post

    def spy(method):
        def call(url, *a, **kw):
            response = method(url, *a, **kw)
            seen.append(url)
            if response.headers.get("Location"):
                seen.append(response.headers["Location"])
            seen.extend(re.findall(r'href="([^"]+)"', response.get_data(as_text=True)))
            return response
        return call

    client.get, client.post = spy(original_get), spy(original_post)
    _book(client, site)
    client.get("/book/confirmed")
    for url in seen:
        for secret in ("nora", "patel", "5550199", "1988", "knee"):
            assert secret not in url.lower(), url


def test_steps_out_of_order_send_the_patient_back(client, site):
    assert client.get("/book/review").headers["Location"].endswith("/book/")
    client.get(f"/book/l/{site.location.id}")
    assert client.get("/book/times").headers["Location"].endswith("/book/who")
    client.get("/book/new")
    assert client.get("/book/details").headers["Location"].endswith("/book/services")


def test_the_catalogue_reads_a_fixed_number_of_statements(app, site, db):
    from tests.sql import counting

    with counting() as one:
        catalogue.services(site.location.id, is_new=True)
    for n in range(6):  # more providers and services must not mean more statements
        from tests import factories

        member = factories.make_team_member(locations=[site.location], disciplines=[site.initial.discipline])
        member.calendars[0].online_enabled = True
        factories.make_session_type(name=f"Extra {n}", discipline=site.initial.discipline, online_bookable=True)
    db.session.flush()
    db.session.expire_all()
    with counting() as many:
        catalogue.services(site.location.id, is_new=True)
    selects = lambda statements: [s for s in statements if s.lstrip().upper().startswith("SELECT")]  # noqa: E731
    assert len(selects(many)) == len(selects(one)) <= 4


def test_the_confirmation_offers_the_forms_to_fill_before_the_visit(client, site, db):
    from app.intake.defaults import ensure_defaults
    from app.models import FormRule, FormTemplate

    ensure_defaults()
    consent = db.session.scalar(select(FormTemplate.id).where(FormTemplate.name.startswith("Consent")))
    db.session.add(FormRule(template_id=consent, patient_kind="new", active=True))
    db.session.commit()
    _book(client, site)
    page = client.get("/book/confirmed").get_data(as_text=True)
    section = page[page.index('id="before-your-visit"'):]
    assert "Consent to treatment" in section
    link = re.search(r'href="(/forms/[^"]+)"', section).group(1)
    assert client.get(link).status_code == 200


def test_the_confirmation_leaves_a_form_its_rule_sends_later_to_its_email(client, site, db):
    from app.intake.defaults import ensure_defaults
    from app.models import FormRule, FormTemplate, Message

    ensure_defaults()
    names = dict(db.session.execute(select(FormTemplate.name, FormTemplate.id)).all())
    consent = next(i for name, i in names.items() if name.startswith("Consent"))
    later = next(name for name in names if not name.startswith("Consent"))
    db.session.add_all([FormRule(template_id=consent, patient_kind="any", active=True),
                        FormRule(template_id=names[later], patient_kind="any", days_before=2, active=True)])
    db.session.commit()
    _book(client, site)  # the visit is more than 2 days ahead
    page = client.get("/book/confirmed").get_data(as_text=True)
    section = page[page.index('id="before-your-visit"'):]
    assert "Consent to treatment" in section and later not in section
    held = db.session.scalars(select(Message.due_at).where(Message.kind == "form_request",
                                                           Message.dedupe_key.like("form_request:%"))).all()
    assert len(held) == 2  # the later form still goes out, by its own email
