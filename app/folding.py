"""Text matched as people type it: without case and without accents ("jose" finds José,
"EMILIE" finds Émilie), with the same rows found by SQLite and PostgreSQL.

``fold(text)`` is the rule, in Python. ``contains(column, typed)`` asks the database whether a
column holds ``typed``, folded: SQLite folds the column with ``plinth_fold`` (``fold``
itself, registered per connection in ``app/dbsetup.py``) and compares with LIKE; PostgreSQL
matches a regular expression in which each letter stands for every letter that folds to it
(``e`` → ``[eEéÉèÈ…]``). Why not fold in PostgreSQL too: ``translate()`` with the table of
accented letters costs ~10 µs a row (1.5 s over 150,000 clients), the expression ~0.5 µs,
and neither needs an extension (``unaccent``).
"""
from __future__ import annotations

import unicodedata

from sqlalchemy import Boolean, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


def _plain(letter: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", letter) if not unicodedata.combining(c))


# Latin letters with accents (À … ɏ) → their base letter, one for one.
_ACCENTED = "".join(ch for ch in map(chr, range(0xC0, 0x250))
                    if len(_plain(ch)) == 1 and _plain(ch).isascii() and _plain(ch).isalpha() and _plain(ch) != ch)
_TABLE = str.maketrans(_ACCENTED, "".join(_plain(ch) for ch in _ACCENTED))
# Each plain letter → every letter folding to it, as a regular expression's class.
_CLASSES = {plain: "[" + "".join(ch for ch in (plain, plain.upper(), *_ACCENTED) if ch.translate(_TABLE).lower() == plain) + "]"
            for plain in "abcdefghijklmnopqrstuvwxyz"}


def fold(text: str | None) -> str | None:
    """``text`` without its accents, in lower case (None stays None: SQL's NULL)."""
    return None if text is None else text.translate(_TABLE).lower()


def _like_pattern(typed: str) -> str:
    escaped = fold(typed).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _regex_pattern(typed: str) -> str:
    # Anything but a letter or digit is escaped, so it stands for itself.
    return "".join(_CLASSES.get(ch) or (ch if ch.isalnum() else "\\" + ch) for ch in fold(typed))


class contains(FunctionElement):  # noqa: N801 - reads as SQL: contains(Client.last_name, "sil")
    """Whether ``column`` holds ``typed``, without case or accents on either side."""

    type = Boolean()
    name = "plinth_contains"
    inherit_cache = True

    def __init__(self, column, typed: str):
        typed = typed.strip()
        super().__init__(column, literal(_like_pattern(typed)), literal(_regex_pattern(typed)))


@compiles(contains)
def _contains_by_folding(element, compiler, **kw):
    column, like, _ = element.clauses
    return f"plinth_fold({compiler.process(column, **kw)}) LIKE {compiler.process(like, **kw)} ESCAPE '\\'"


@compiles(contains, "postgresql")
def _contains_by_expression(element, compiler, **kw):
    column, _, expression = element.clauses
    return f"({compiler.process(column, **kw)}) ~ {compiler.process(expression, **kw)}"
