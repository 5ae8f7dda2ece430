"""How many SMS segments a text costs (pure; the template editor and delivery share it).

An SMS carries 140 bytes. Text that fits the GSM 03.38 alphabet (GSM-7) packs 160
characters in one message, or 153 per segment once it is split (the rest is the header
that joins the parts); characters of the extension table (``{ } [ ] ~ \\ | ^ €``) take
two. A single character outside it (most accents, any emoji) makes the whole message
UCS-2: 70 UTF-16 code units in one message, 67 per segment, and an emoji is two units.
"""
from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXTENDED = frozenset("\f^{}\\[~]|€")
LIMITS = {"GSM-7": (160, 153), "UCS-2": (70, 67)}


@dataclass(frozen=True)
class SegmentCount:
    encoding: str   # "GSM-7" or "UCS-2"
    units: int      # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    characters: int

    def as_dict(self) -> dict:
        return {"encoding": self.encoding, "units": self.units, "segments": self.segments,
                "characters": self.characters}


def count(text: str) -> SegmentCount:
    if all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text):
        encoding = "GSM-7"
        units = sum(2 if c in GSM7_EXTENDED else 1 for c in text)
    else:
        encoding = "UCS-2"
        units = len(text.encode("utf-16-le")) // 2
    single, multi = LIMITS[encoding]
    segments = 0 if units == 0 else 1 if units <= single else -(-units // multi)
    return SegmentCount(encoding, units, segments, len(text))
