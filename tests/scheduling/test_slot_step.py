"""The calendar's time step has one home (slot_step_minutes: the clinic's setting, else
PLINTH_SLOT_STEP_MINUTES), and a repeat's alternatives use it."""
from __future__ import annotations

from datetime import time

import pytest

from app.models import ClinicSettings
from app.models.settings import slot_step_minutes
from app.scheduling import series
from tests import factories
from tests.scheduling.conftest import MONDAY, NOW, at


@pytest.mark.parametrize(("configured", "setting", "expected"), [
    (15, None, 15),   # no settings row: the installation's default
    (15, 0, 15),      # a row without a step: the same
    (15, 10, 10),     # the clinic's setting wins
    (20, 30, 30),
    (5, None, 5),
])
def test_the_step_is_the_clinics_setting_else_the_configured_default(app, db, monkeypatch, configured, setting,
                                                                    expected):
    monkeypatch.setitem(app.config, "PLINTH_SLOT_STEP_MINUTES", configured)
    if setting is not None:
        db.session.add(ClinicSettings(id=1, clinic_name="C", slot_step_minutes=setting or None))
        db.session.flush()
    assert slot_step_minutes() == expected


@pytest.mark.parametrize(("step", "nearest"), [(10, time(10, 20)), (15, time(10, 30))])
def test_a_repeats_alternatives_lie_on_the_clinics_step(clinic, db, step, nearest):
    # 09:50–10:20 is taken, so 10:00 is not free; the nearest free start depends on the step.
    factories.make_appointment(clinic.provider, at(9, 50), end=at(10, 20), session_type=clinic.physio,
                               case=clinic.case)
    db.session.add(ClinicSettings(id=1, clinic_name="C", slot_step_minutes=step))
    db.session.commit()
    occurrences = series.preview(case=clinic.case, session_type=clinic.physio, calendar=clinic.provider,
                                 pattern=series.Pattern(first_day=MONDAY, weekdays=frozenset({0}), at=time(10),
                                                        count=1), now=NOW)
    assert not occurrences[0].free
    assert occurrences[0].alternatives[0].start == at(nearest.hour, nearest.minute)
