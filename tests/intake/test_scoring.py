"""The shipped outcome measures score as computed by hand; series over a case."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from app.intake.defaults import DEFAULT_FORMS
from app.intake.definition import definition_problems
from app.intake.scoring import ScorePoint, ScoreSeries, check_scoring, score

FORMS = {spec["name"].split("(")[-1].rstrip(")"): spec for spec in DEFAULT_FORMS}


@pytest.mark.parametrize("instrument, answers, expected", [
    ("NPRS", {"pain_now": "7"}, "7.00"),
    ("NPRS", {"pain_now": "0"}, "0.00"),
    ("PSFS", {"ability_1": "3", "ability_2": "5", "ability_3": "4"}, "4.00"),
    ("PSFS", {"ability_1": "2", "ability_2": "7"}, "4.50"),  # two activities: mean of two
    ("PSFS", {"ability_1": "1", "ability_2": "2", "ability_3": "2"}, "1.67"),  # 5/3 half-up
    ("GROC", {"change": "-3"}, "-3.00"),
    ("GROC", {"change": "5"}, "5.00"),
])
def test_each_shipped_instrument_scores_as_by_hand(instrument, answers, expected):
    spec = FORMS[instrument]
    assert score(spec["scoring"], spec["fields"], answers) == Decimal(expected)


def test_percent_of_maximum_counts_from_each_items_minimum():
    fields = [{"key": "a", "kind": "number", "label": "a", "min": 0, "max": 4},
              {"key": "b", "kind": "number", "label": "b", "min": 1, "max": 5}]
    rule = {"method": "percent_of_max", "items": ["a", "b"], "better": "lower"}
    assert score(rule, fields, {"a": "2", "b": "3"}) == Decimal("50.00")  # (2 + 2) / (4 + 4)
    assert score(rule, fields, {}) is None


def test_every_shipped_form_is_a_valid_definition():
    for spec in DEFAULT_FORMS:
        assert definition_problems(spec["fields"]) == [], spec["name"]
        assert check_scoring(spec.get("scoring"), spec["fields"]) == [], spec["name"]


def at(day):
    return datetime(2026, 3, day, tzinfo=timezone.utc)


@pytest.mark.parametrize("better, scores, summary", [
    ("lower", ["7", "5", "3"], "NPRS 7 → 3 over 3 forms (better)"),
    ("lower", ["3", "6"], "NPRS 3 → 6 over 2 forms (not better)"),
    ("higher", ["3", "6"], "NPRS 3 → 6 over 2 forms (better)"),
    ("higher", ["4", "4"], "NPRS 4 → 4 over 2 forms (no change)"),
    ("lower", ["7"], "NPRS 7"),
])
def test_a_series_says_how_the_score_moved(better, scores, summary):
    series = ScoreSeries("NPRS", better, [ScorePoint(at(n + 1), Decimal(s), n) for n, s in enumerate(scores)])
    assert series.summary() == summary
