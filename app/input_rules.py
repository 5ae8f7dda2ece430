"""The input rules the models apply themselves (pure: no DB, no HTTP), below the models.

``InvalidValue`` is what every input rule raises, and a shift's breaks are typed as text
("12:00-12:30, 15:00-15:15") that ``Shift.breaks_text`` parses. The other rules live in
``app/setup/validation.py``, which re-exports these (its services need the models, so the
models cannot import it).
"""
from __future__ import annotations

import re
from datetime import time


class InvalidValue(ValueError):
    pass


_BREAK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


def parse_breaks(text: str | None) -> list[tuple[time, time]]:
    """“12:00-12:30, 15:00-15:15” → [(12:00, 12:30), (15:00, 15:15)]."""
    breaks = []
    for part in (text or "").replace(";", ",").split(","):
        if not part.strip():
            continue
        match = _BREAK.match(part)
        if not match:
            raise InvalidValue(f"“{part.strip()}” is not a break; write breaks like 12:00-12:30, 15:00-15:15.")
        h0, m0, h1, m1 = (int(g) for g in match.groups())
        try:
            breaks.append((time(h0, m0), time(h1, m1)))
        except ValueError as exc:
            raise InvalidValue(f"“{part.strip()}” is not a time of day.") from exc
    return breaks


def format_breaks(breaks: list[tuple[time, time]]) -> str:
    return ", ".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in breaks)
