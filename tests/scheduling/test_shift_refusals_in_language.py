"""Shift refusals are said in the reader's language, as the other scheduling refusals are
(overlap_text): the service, the setup screen's checks and the planner's, each problem
still pointing at the input it is about."""
from __future__ import annotations

from datetime import date, time

import pytest
from flask_babel import force_locale

from app.errors import ValidationFailed
from app.scheduling import shifts
from app.setup.validation import check_shift
from tests import factories

MON = date(2026, 3, 2)

SAID = {
    "pt_PT": {"saved": "O turno não pode ser guardado.", "ends": "O turno termina (08:00) antes de começar (16:00).",
              "break": "A pausa 16:30–17:00 está fora do turno 08:00–16:00.", "week": "Escolha uma semana.",
              "overlap": "Sobrepõe-se ao turno 07:00–12:00 de 02/03/2026.",
              "far": "A data do turno 2040-01-01 está a mais de 10 anos de distância."},
    "fr_CA": {"saved": "Le quart ne peut pas être enregistré.",
              "ends": "Le quart finit (08:00) avant de commencer (16:00).",
              "break": "La pause 16:30–17:00 est en dehors du quart 08:00–16:00.", "week": "Choisissez une semaine.",
              "overlap": "Il chevauche le quart 07:00–12:00 du 2 mars 2026.",
              "far": "La date du quart 2040-01-01 est à plus de 10 ans."},
}


@pytest.mark.parametrize("code", list(SAID))
def test_shift_refusals_speak_the_readers_language(app, db, code):
    said = SAID[code]
    calendar = factories.make_calendar()
    factories.make_shift(calendar, MON, start=time(7), end=time(12))
    with app.test_request_context(), force_locale(code):
        with pytest.raises(ValidationFailed) as refused:
            shifts.add_shift(calendar=calendar, day=MON + shifts.timedelta(days=1), start=time(16), end=time(8))
        assert refused.value.message == said["saved"]
        assert [(p.field, p.message) for p in refused.value.problems] == [("end", said["ends"])]

        with pytest.raises(ValidationFailed) as refused:
            shifts.add_shift(calendar=calendar, day=MON + shifts.timedelta(days=1), start=time(8), end=time(16),
                             breaks=[(time(16, 30), time(17))])
        assert [(p.field, p.message) for p in refused.value.problems] == [("breaks", said["break"])]
        assert check_shift(time(8), time(16), [(time(16, 30), time(17))]) == [said["break"]]

        with pytest.raises(ValidationFailed) as refused:
            shifts.week_of_shifts(location=calendar.location, week_start="monday")
        assert refused.value.message == said["week"]

        assert shifts.overlap_problems(calendar_id=calendar.id, day=MON, start=time(11), end=time(14)) \
            == [said["overlap"]]
        from app.plausible_dates import schedule_date_problem
        from app.i18n import N_
        assert schedule_date_problem(date(2040, 1, 1), today=MON, what=N_("The shift's date")) == said["far"]
