"""Search by name, not from a list of every client or case (issue 13).

Flask-AppBuilder's search on a relation column is a dropdown of every row the relation may
point at (its choices are read on every list page, filter used or not): on a clinic's
history, every client or case, 300,000 rows at ten years. A relation to a client or a case is
searched here by typing instead: "contains" over the client's names (and the case's title),
asked of each listed row (``EXISTS`` through its key), so the list page reads nothing extra
and the search reads what the list reads. The list's own rows are already scoped, so the
filter only narrows them.
"""
from __future__ import annotations

from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Optional

from app.models import Case, Client
from app.name_search import case_named, client_named

# The models searched by name, with the condition their rows meet.
NAMED_BY = {Client: client_named, Case: case_named}


class NameContains(BaseFilter):
    """The related client or case's name (or a case's title) contains the text typed."""

    name = _l("Name contains")

    def apply(self, query, value):
        if not value or not value.strip():
            return query
        relation = getattr(self.model, self.column_name)
        named = NAMED_BY[relation.property.mapper.class_]
        return query.filter(relation.has(named(value)))


def searched_by_name(view) -> list[str]:
    """The view's search columns that point at a client or a case."""
    datamodel = view.datamodel
    return [column for column in view.search_columns or []
            if column in datamodel.list_properties and datamodel.is_relation_many_to_one(column)
            and datamodel.get_related_model(column) in NAMED_BY]


def search_by_name(view) -> None:
    """Give each of the view's client or case search columns a text field and the one filter
    ``NameContains`` (FAB's URL ``_flt_0_<column>=text``) instead of the dropdown of every row."""
    columns = searched_by_name(view)
    if not columns:
        return
    extra = dict(view.search_form_extra_fields or {})
    for column in columns:
        extra.setdefault(column, StringField(view.label_columns.get(column, column), validators=[Optional()]))
        name_filter = NameContains(column, view.datamodel)
        view._filters._search_filters[column] = [name_filter]
        view._filters._all_filters[column] = [name_filter]
    view.search_form_extra_fields = extra
