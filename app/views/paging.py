"""A list screen's pager total, counted only as far as the pager can reach (issue 13).

Flask-AppBuilder counts every row a list may show (``SELECT count(*) FROM (…)``) on every
page, so a screen over a year of appointments read the year to print "Record Count"
and the page links. A list here counts at most ``COUNTED`` rows, or up to the pager's last
link ahead of the page asked (whichever is more), then stops: beyond that it says "1,000+".
The page links, page-size menu and "next" keep working, because the total handed to FAB's
pager is one more than the rows counted whenever there are more, and each page further on
counts further on. The count costs what the page asked costs (its OFFSET reads as far), never
the whole history behind the list.
"""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from app.i18n import formatting
from app.views.row_loads import label_loads

# Rows a list counts before it only says "more than": 20 pages of 50.
COUNTED = 1000
# FAB's pager links to three pages past the current one (lib.html render_pagination).
PAGES_AHEAD = 3


class AtLeast(int):
    """A pager total that stopped counting: there are more than ``self - 1`` rows.

    An ``int`` so FAB's pager arithmetic (pages, page-size menu) works unchanged, one more
    than the rows counted so the pager offers the next page; written "1,000+" on the screen.
    """

    def __str__(self) -> str:
        return f"{formatting.number(int(self) - 1)}+"

    def __html__(self) -> str:  # Jinja's autoescape asks for this first
        return str(self)


def ceiling(page: int | None, page_size: int | None) -> int:
    """How many rows a list counts for ``page`` (0-based) of ``page_size`` rows."""
    size = page_size or 0
    return max(COUNTED, ((page or 0) + 1 + PAGES_AHEAD) * size)


class CountsAPage:
    """Mixed into a ``SQLAInterface``: ``query()`` as FAB's, with the total counted up to
    ``ceiling(page, page_size)``. Every ``PlinthModelView`` uses it (``base.py``)."""

    def query(self, filters=None, order_column="", order_direction="", page=None, page_size=None,
              select_columns=None, outer_default_load=False):
        base = self.session.query(self.obj)
        count = self.bounded_count(base, filters, order_column, order_direction, select_columns,
                                   ceiling(page, page_size))
        # The page's rows with what they are shown by (app/views/row_loads.py), a statement per relation.
        rows = self.apply_all(base, filters, order_column, order_direction, page, page_size, select_columns,
                              outer_default_load).options(*getattr(self, "row_loads", ())).all()
        # As FAB's query(): a select of several entities hands back the model's own.
        if rows and hasattr(rows[0], self.obj.__name__):
            rows = [getattr(row, self.obj.__name__) for row in rows]
        return count, rows

    def bounded_count(self, query, filters, order_column, order_direction, select_columns, most: int) -> int:
        """``count(*)`` of at most ``most + 1`` of the rows: ``AtLeast(most + 1)`` when there are more.
        Counted in the list's own order, so the count reads the same index as the page does."""
        rows = self._apply_inner_all(query, filters, order_column, order_direction, select_columns=select_columns,
                                     aliases_mapping={})
        found = rows.with_entities(*self.obj.__mapper__.primary_key).limit(most + 1).count()
        return AtLeast(found) if found > most else found


class ListInterface(CountsAPage, SQLAInterface):
    """FAB's SQLAlchemy interface with the bounded pager total. FAB builds a picker's choices
    through ``get_related_interface`` (this class again, on the related model): its rows come
    with what their labels read; a list screen sets ``row_loads`` for its columns."""

    def __init__(self, obj, session=None):
        super().__init__(obj, session)
        self.row_loads = label_loads(obj)
        # Columns shown by what the whole row says, not their value alone (a client's phone in
        # their usual location's country): {column: row -> text}, set by the view
        # (``PlinthModelView.row_formatters_columns``); what they read must be in ``row_loads``.
        self.row_formatters = {}

    def get_values(self, lst, list_columns):
        for item, values in zip(lst, super().get_values(lst, list_columns)):
            yield self._row_formatted(item, values)

    def get_values_item(self, item, show_columns):
        values = self._row_formatted(item, dict(zip(show_columns, super().get_values_item(item, show_columns))))
        return list(values.values())

    def _row_formatted(self, item, values: dict) -> dict:
        for column, words in self.row_formatters.items():
            if column in values:
                values[column] = words(item)
        return values
