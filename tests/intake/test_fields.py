"""Each kind of question checks its answer (table-driven; pure)."""
from __future__ import annotations

import pytest

from app.intake.fields import check_answer, validate
from app.setup.validation import InvalidValue

PNG = "data:image/png;base64,iVBORw0KGgo="


def q(kind, required=False, **extra):
    return {"key": "q", "kind": kind, "label": "Q", "required": required, **extra}


VALID = [
    (q("short_text"), {"q": "  Ana  "}, "Ana"),
    (q("short_text"), {"q": ""}, None),
    (q("long_text"), {"q": "x" * 5000}, "x" * 5000),
    (q("single_choice", options=["A", "B"]), {"q": "B"}, "B"),
    (q("multiple_choice", options=["A", "B", "C"]), {"q": ["C", "A"]}, ["A", "C"]),
    (q("multiple_choice", options=["A", "B"]), {"q": "A"}, ["A"]),
    (q("body_area"), {"q": ["Neck", "Lower back"]}, ["Neck", "Lower back"]),
    (q("yes_no", True), {"q": "no"}, "no"),
    (q("yes_no", follow_up={"label": "Which?", "when": "yes"}), {"q": "yes", "q__detail": "Latex"},
     {"answer": "yes", "detail": "Latex"}),
    (q("yes_no", follow_up={"label": "Which?", "when": "yes"}), {"q": "no", "q__detail": "ignored"}, "no"),
    (q("date"), {"q": "1980-05-17"}, "1980-05-17"),
    (q("number", min=0, max=10, integer=True), {"q": "7"}, "7"),
    (q("number", min=-7, max=7), {"q": "-3"}, "-3"),
    (q("number"), {"q": "2,5"}, "2.5"),
    (q("signature", True), {"q__name": "Ana Silva", "q__image": PNG}, {"name": "Ana Silva", "image": PNG}),
    (q("signature"), {}, None),
]

INVALID = [
    (q("short_text", True), {"q": "  "}, "needs an answer"),
    (q("short_text"), {"q": "x" * 201}, "At most 200 characters"),
    (q("long_text"), {"q": "x" * 5001}, "At most 5000 characters"),
    (q("single_choice", options=["A", "B"]), {"q": "Z"}, "not one of the choices"),
    (q("multiple_choice", True, options=["A", "B"]), {}, "Choose at least one"),
    (q("multiple_choice", options=["A", "B"]), {"q": ["A", "Z"]}, "“Z” is not one of the choices"),
    (q("body_area"), {"q": ["Tail"]}, "not one of the choices"),
    (q("yes_no", True), {}, "Answer yes or no"),
    (q("yes_no"), {"q": "maybe"}, "Answer yes or no"),
    (q("yes_no", follow_up={"label": "Which allergies?", "when": "yes"}), {"q": "yes"}, "Which allergies?"),
    (q("date"), {"q": "17/05/1980"}, "Enter a date"),
    (q("date"), {"q": "1980-02-30"}, "Enter a date"),
    (q("number", min=0, max=10), {"q": "11"}, "from 0 to 10"),
    (q("number", min=0, max=10), {"q": "-1"}, "from 0 to 10"),
    (q("number", min=0), {"q": "-1"}, "at least 0"),
    (q("number", integer=True), {"q": "2.5"}, "whole number"),
    (q("number"), {"q": "ten"}, "Enter a number"),
    (q("number"), {"q": "NaN"}, "Enter a number"),
    (q("signature", True), {}, "Type your full name and sign"),
    (q("signature", True), {"q__name": "Ana"}, "Sign in the box"),
    (q("signature", True), {"q__image": PNG}, "Type your full name"),
    (q("signature"), {"q__name": "Ana", "q__image": "javascript:alert(1)"}, "could not be read"),
]


@pytest.mark.parametrize("spec, raw, expected", VALID)
def test_valid_answers_are_cleaned(spec, raw, expected):
    assert check_answer(spec, raw) == expected


@pytest.mark.parametrize("spec, raw, message", INVALID)
def test_invalid_answers_say_why(spec, raw, message):
    with pytest.raises(InvalidValue, match=message):
        check_answer(spec, raw)


def test_validate_collects_every_problem_by_field_and_skips_headings():
    fields = [{"key": "h", "kind": "heading", "label": "Part 1"}, q("short_text", True),
              {"key": "pain", "kind": "number", "label": "Pain", "min": 0, "max": 10, "required": True}]
    answers, errors = validate(fields, {"pain": "12"})
    assert answers == {} and set(errors) == {"q", "pain"}
