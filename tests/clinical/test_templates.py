"""Note templates: field values checked by kind (properties), the shipped defaults valid,
summaries short."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.clinical.templates import DEFAULT_TEMPLATES, check_sections, clean_content, summary
from app.errors import ValidationFailed

SECTIONS = [{"title": "S", "fields": [
    {"key": "pain", "label": "Pain", "kind": "pain"},
    {"key": "rom", "label": "ROM", "kind": "measure", "unit": "°"},
    {"key": "done", "label": "Done", "kind": "checklist", "options": ["A", "B", "C"]},
    {"key": "text", "label": "Text", "kind": "text"}]}]


@given(st.one_of(st.integers(-50, 50), st.text(max_size=4), st.floats(allow_nan=True)))
def test_pain_is_accepted_exactly_when_it_is_a_whole_number_from_0_to_10(value):
    valid = str(value).strip() in {str(n) for n in range(11)} and not isinstance(value, bool)
    if value == "":  # a cleared field is no answer
        assert clean_content(SECTIONS, {"pain": value}) == {}
    elif valid:
        assert clean_content(SECTIONS, {"pain": value}) == {"pain": int(str(value).strip())}
    else:
        with pytest.raises(ValidationFailed):
            clean_content(SECTIONS, {"pain": value})


@given(st.decimals(min_value=-99999, max_value=99999, allow_nan=False, allow_infinity=False, places=2))
def test_measurements_keep_their_exact_decimal_value(value):
    assert Decimal(clean_content(SECTIONS, {"rom": str(value)})["rom"]) == value


@given(st.lists(st.sampled_from(["A", "B", "C", "D"]), max_size=4))
def test_checklists_keep_offered_options_in_the_templates_order(chosen):
    if "D" in chosen:
        with pytest.raises(ValidationFailed):
            clean_content(SECTIONS, {"done": chosen})
    else:
        assert clean_content(SECTIONS, {"done": chosen}).get("done", []) == [o for o in "ABC" if o in chosen]


@pytest.mark.parametrize("template", DEFAULT_TEMPLATES, ids=lambda t: t["name"])
def test_the_shipped_templates_are_valid(template):
    assert check_sections(template["sections"])


def test_a_template_with_duplicate_keys_or_unknown_kinds_is_refused_with_every_problem():
    with pytest.raises(ValidationFailed) as refused:
        check_sections([{"title": "A", "fields": [{"key": "x", "label": "X", "kind": "text"},
                                                  {"key": "x", "label": "X2", "kind": "colour"},
                                                  {"key": "m", "label": "M", "kind": "measure"}]}])
    assert len(refused.value.problems) == 3


def test_the_summary_is_one_short_line():
    line = summary(SECTIONS, {"pain": 3, "text": "word " * 100})
    assert line.startswith("Pain: 3/10 · word") and len(line) <= 160 and "\n" not in line
