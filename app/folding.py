"""Text matched as people type it: without case and without accents ("jose" finds José,
"EMILIE" finds Émilie), the same way in Python, SQLite and PostgreSQL.

``fold(text)`` is the Python rule (the typed search, and SQLite's ``plinth_fold`` function
registered per connection in ``app/dbsetup.py``); ``folded(column)`` is the column folded in
SQL: PostgreSQL's ``lower(translate(...))`` with the same table of letters, so no extension
(``unaccent``) is needed and both databases find the same rows.
"""
from __future__ import annotations

import unicodedata

from sqlalchemy import String, bindparam, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


def _plain(letter: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", letter) if not unicodedata.combining(c))


# Latin letters with accents (À … ɏ) → their base letter, one for one (translate's rule).
_ACCENTED = "".join(ch for ch in map(chr, range(0xC0, 0x250))
                    if len(_plain(ch)) == 1 and _plain(ch).isascii() and _plain(ch).isalpha() and _plain(ch) != ch)
_PLAIN = "".join(_plain(ch) for ch in _ACCENTED)
_TABLE = str.maketrans(_ACCENTED, _PLAIN)


def fold(text: str | None) -> str | None:
    """``text`` without its accents, in lower case (None stays None: SQL's NULL)."""
    return None if text is None else text.translate(_TABLE).lower()


class folded(FunctionElement):  # noqa: N801 - reads as SQL: folded(Client.last_name)
    """``fold`` of a column, in the database."""

    type = String()
    name = "plinth_fold"
    inherit_cache = True


@compiles(folded)
def _folded_sqlite(element, compiler, **kw):
    return f"plinth_fold({compiler.process(element.clauses, **kw)})"


@compiles(folded, "postgresql")
def _folded_postgresql(element, compiler, **kw):
    (column,) = element.clauses
    return compiler.process(func.lower(func.translate(column, bindparam("fold_from", _ACCENTED, literal_execute=True),
                                                      bindparam("fold_to", _PLAIN, literal_execute=True))), **kw)
