"""Copy forward keeps a checklist's ticks on the option they named."""
import pytest

from app.clinical.templates import carried_answer


def _checklist(*options):
    return {"kind": "checklist", "options": list(options)}


@pytest.mark.parametrize("value, source, target, expected", [
    # the target offers the ticked option, elsewhere in its list: the tick stays on it
    (["Neck"], _checklist("Neck", "Shoulders", "Hips"), _checklist("Shoulders", "Neck", "Hips"), ["Neck"]),
    (["Neck", "Hips"], _checklist("Neck", "Shoulders", "Hips"), _checklist("Hips", "Neck", "Shoulders"),
     ["Neck", "Hips"]),
    # the same list in another language: the tick follows its place
    (["Neck"], _checklist("Neck", "Shoulders"), _checklist("Pescoço", "Ombros"), ["Pescoço"]),
    # an option the target does not offer (lists of different lengths) is left behind
    (["Neck"], _checklist("Neck", "Shoulders"), _checklist("Shoulders"), []),
    # not a checklist: the answer is carried as it is
    ("text", None, {"kind": "text"}, "text"),
])
def test_carried_ticks(value, source, target, expected):
    assert carried_answer(value, source, target) == expected
