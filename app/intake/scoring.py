"""Outcome measures: a form version's scoring rule applied to its answers (pure).

``scoring`` = {"method": "sum" | "percent_of_max" | "mean", "items": [keys],
"better": "lower" | "higher", "label": "NPRS"}. Items are number questions; the maximum
for "percent_of_max" is the sum of the items' ``max``. Unanswered optional items are left
out of the mean and the sum (a PSFS with two activities is the mean of two); a score
needs at least one answered item. Scores are Decimal, rounded half-up to 2 places.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext, ngettext

METHODS = ("sum", "percent_of_max", "mean")
CENT = Decimal("0.01")


def check_scoring(scoring: dict | None, fields: list[dict]) -> list[str]:
    if not scoring:
        return []
    problems = []
    if scoring.get("method") not in METHODS:
        problems.append(f"The scoring method is one of {', '.join(METHODS)}.")
    if scoring.get("better") not in ("lower", "higher"):
        problems.append("Say whether a lower or a higher score is better.")
    numbers = {f["key"]: f for f in fields if f.get("kind") == "number"}
    items = scoring.get("items") or []
    if not items:
        problems.append("The scoring needs at least one number question.")
    for key in items:
        if key not in numbers:
            problems.append(f"“{key}” is not a number question of this form.")
        elif scoring.get("method") == "percent_of_max" and numbers[key].get("max") is None:
            problems.append(f"“{key}” needs a largest value for a percentage of the maximum.")
    return problems


def score(scoring: dict | None, fields: list[dict], answers: dict) -> Decimal | None:
    if not scoring:
        return None
    specs = {f["key"]: f for f in fields}
    answered = [(Decimal(str(answers[key])), specs[key]) for key in scoring["items"]
                if answers.get(key) not in (None, "")]
    if not answered:
        return None
    total = sum((value for value, _ in answered), Decimal(0))
    method = scoring["method"]
    if method == "sum":
        result = total
    elif method == "mean":
        result = total / len(answered)
    else:
        maximum = sum((Decimal(str(spec["max"])) - Decimal(str(spec.get("min") or 0)) for _, spec in answered),
                      Decimal(0))
        minimum = sum((Decimal(str(spec.get("min") or 0)) for _, spec in answered), Decimal(0))
        result = (total - minimum) / maximum * 100 if maximum else Decimal(0)
    return result.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ScorePoint:
    at: datetime
    score: Decimal
    submission_id: int
    # The case's attended visits up to this score (its own visit included), when known.
    visit_number: int | None = None


@dataclass(frozen=True)
class ScoreSeries:
    label: str
    better: str
    points: list[ScorePoint]

    @property
    def change(self) -> Decimal | None:
        """Last minus first; positive means the score went up."""
        return self.points[-1].score - self.points[0].score if len(self.points) > 1 else None

    @property
    def improved(self) -> bool | None:
        """None when there is nothing to compare or the score did not move."""
        change = self.change
        if not change:
            return None
        return change < 0 if self.better == "lower" else change > 0

    @property
    def span(self) -> str:
        """“6 visits” from the first score's visit to the last's (both counted), else “4 forms”."""
        first, last = self.points[0].visit_number, self.points[-1].visit_number
        if first is not None and last is not None and last > first:
            return ngettext("%(num)s visit", "%(num)s visits", last - first + 1)
        return ngettext("%(num)s form", "%(num)s forms", len(self.points))

    def summary(self) -> str:
        """“NPRS 7 → 3 over 6 visits (better)” (or “over 4 forms” when the visits are not known)."""
        if not self.points:
            return gettext("%(measure)s: no scores yet", measure=self.label)
        first, last = self.points[0].score.normalize(), self.points[-1].score.normalize()
        if len(self.points) == 1:
            return f"{self.label} {first:f}"
        verdict = {True: gettext("better"), False: gettext("not better"), None: gettext("no change")}[self.improved]
        return gettext("%(measure)s %(first)s → %(last)s over %(span)s (%(verdict)s)", measure=self.label,
                       first=f"{first:f}", last=f"{last:f}", span=self.span, verdict=verdict)

    def chart(self) -> dict:
        """What the case chart draws (Chart.js): dates, scores, which way is better."""
        return {"label": self.label, "better": self.better, "dates": [p.at.date().isoformat() for p in self.points],
                "visits": [p.visit_number for p in self.points], "scores": [float(p.score) for p in self.points]}
