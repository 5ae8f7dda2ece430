"""Forms where staff look for a person: a section of the client file, alerts on the
provider's day (the clinical record's extension points, app/clinical), the forms to fill on the
booking's confirmation and the outcome measures' table of the Patients report."""
from __future__ import annotations

from app.intake import service


def client_file_section(user, client, file) -> dict:
    """Status for whoever sees the client, answers and score series for managers and the
    client's providers, and "Send form…" (a form, for one of the visits ahead) for who may send."""
    from app.intake.by_hand import OPEN_VISIT
    from app.intake.outcomes import readable_series
    from app.security import FORMS, WRITE, may, may_read_form_answers
    from app.timeutil import utcnow

    readable = may_read_form_answers(user, client.id)
    cases = {row.case.id: row.case for row in file.cases}
    series = readable_series(user, {case_id: client.id for case_id in cases}) if readable else {}
    may_send = may(user, WRITE, FORMS)
    now = utcnow()
    return {"title": "Forms", "template": "intake/_client_file_section.html",
            "form_statuses": service.form_status([client.id]).get(client.id, []),
            "form_answers_readable": readable, "may_send": may_send,
            "send_templates": [t for t in service.templates_in_use() if t.current is not None] if may_send else [],
            "send_visits": [v for v in file.visits if v.starts_at > now and v.status in OPEN_VISIT][:10],
            "case_scores": [(cases[case_id], found) for case_id, found in sorted(series.items())]}


def day_alerts(visits) -> dict[int, list[str]]:
    """ "Intake not completed" beside each visit whose client has a form still to fill (one query)."""
    statuses = service.form_status({v.client_id for v in visits})
    alerts: dict[int, list[str]] = {}
    for visit in visits:
        pending = [s.form for s in statuses.get(visit.client_id, []) if s.status == "pending"]
        if pending:
            alerts[visit.appointment_id] = [f"form to fill: {', '.join(pending)}"]
    return alerts


def forms_to_fill(appointment) -> list[tuple[str, str]]:
    """The forms this patient has to fill now, offered on the booking's confirmation page
    (not those a rule sends later: their email brings them when it is time)."""
    from app.intake.links import fill_path
    from app.intake.public import form_text
    from app.intake.sending import sent_later
    from app.timeutil import utcnow

    client_id = appointment.case.client_id
    pending = [s for s in service.form_status([client_id]).get(client_id, []) if s.status == "pending"]
    later = sent_later([s.request_id for s in pending], utcnow())
    return [(form_text(s.form), fill_path(s.request_id)) for s in pending if s.request_id not in later]


def register() -> None:
    from app.booking import CONFIRMATION_LINKS
    from app.clinical import client_file, day
    from app.intake.outcomes import readable_series, report_table
    from app.reports.patients import CASE_TABLES

    if report_table not in CASE_TABLES:
        CASE_TABLES.append(report_table)
    if forms_to_fill not in CONFIRMATION_LINKS:
        CONFIRMATION_LINKS.append(forms_to_fill)
    if client_file_section not in client_file.SECTIONS:
        client_file.SECTIONS.append(client_file_section)
    if readable_series not in client_file.SCORE_SERIES:
        client_file.SCORE_SERIES.append(readable_series)
    if day_alerts not in day.VISIT_ALERTS:
        day.VISIT_ALERTS.append(day_alerts)
