"""Managers' templates render within limits: too big, too long a range, too much
repetition or time is refused with a clear message (a form error), never a 500."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.messaging import templates
from app.models import MessageTemplate
from tests.views.helpers import login

TOO_MUCH = [
    ("{{ range(200000)|length }}", "range() of 200000 items"),
    ("{{ ('A'*10**7) }}", "repeating text beyond"),
    ("A" * (10 * 1024 * 1024), "at most 20000"),
    ("{{ 'x'|center(10**9) }}", "width or count"),
    ("{{ '{:>999999999}'.format(1) }}", "format width too large"),
    ("{{ '%0999999d'|format(1) }}", "format width too large"),
    ("{{ ('x'*20000)|replace('x', 'y'*20000) }}", "replacement beyond"),
    ("{% set l = range(1000)|list %}{% for a in l %}{% for b in l %}{% endfor %}{% endfor %}", "too long to render"),
    ("{% macro f(n) %}{% if n %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}{% endmacro %}{{ f(40) }}", "too long to render"),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "calls itself"),
    ("{% for i in range(1000) %}{{ 'x' * 1000 }}{% endfor %}", "longer than 200000"),
    ("{{ 1/0 }}", "ZeroDivisionError"),
]


@pytest.mark.parametrize("source, reason", TOO_MUCH, ids=range(len(TOO_MUCH)))
def test_a_template_beyond_the_limits_is_refused_with_the_reason(source, reason):
    problems = templates.check(templates.Template(source, "Hello", "<p>Hello</p>"), "confirmation")
    assert len(problems) == 1 and reason in problems[0], problems


@pytest.mark.parametrize("source", [
    "{% for i in range(3) %}{{ i }}{% endfor %} {{ client_name|upper }}",
    "{{ '%5.2f'|format(3.14159) }} {{ '{:>5}'.format(3) }} {{ 'a b'|replace(' ', '-') }} {{ 'x' * 40 }}",
])
def test_ordinary_templates_are_untouched_by_the_limits(source):
    assert templates.check(templates.Template("Hi", "Hi", source), "confirmation") == []


@pytest.mark.parametrize("key", sorted(templates.DEFAULTS), ids=lambda key: "-".join(key))
def test_every_default_template_passes_the_limits(key):
    assert templates.check(templates.DEFAULTS[key], key[0]) == []


def test_the_limits_come_from_the_configuration(app_ctx, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "PLINTH_TEMPLATE_MAX_RANGE", 10)
    problems = templates.check(templates.Template("{{ range(11)|length }}", "x", "x"), "confirmation")
    assert "at most 10" in problems[0]


def test_the_edit_form_refuses_with_a_form_error_and_saves_nothing(client, people, db):
    templates.ensure_rows()
    db.session.commit()
    row = db.session.scalar(select(MessageTemplate).where(MessageTemplate.kind == "confirmation",
                                                          MessageTemplate.audience == "client"))
    before = row.body_html
    login(client, "manager")
    for body in ("{{ range(200000)|length }}", "{{ ('A'*10**7) }}"):
        response = client.post(f"/messagetemplateview/edit/{row.id}",
                               data={"subject": "Hi", "body_text": "Hi", "body_html": body})
        assert response.status_code == 200, response.status_code
        assert "The template cannot be used" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(MessageTemplate, row.id).body_html == before
