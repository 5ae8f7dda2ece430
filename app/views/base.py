"""The base of Plinth's admin screens: one permission vocabulary, scope by construction.

Every screen is a ``PlinthModelView``; the registration guard (``app/scope_guard.py``,
run by ``create_app`` once every screen and resource is registered) refuses any other
model screen a non-admin could open.
Scope is not a per-view setting but a property of the model (``app/scopes.py``):

* the screen's own rows (list, show, edit, delete, actions, exports, and the same view
  as a related tab) are filtered by its model's helper, before any filter of its own;
* every relation column of the search form (FAB's filter dropdowns), the add and edit
  forms (pickers) is filtered by the helper of the model it points at, before any
  narrowing the view declares in ``*_form_query_rel_fields``.

A view can narrow what it shows but never widen it. Malformed list arguments (an
unknown order column, a filter value that is not a record id) are a 400 with the reason.
Showing a patient record (``app/record_reads.py``) writes it to the access log.
"""
from __future__ import annotations

import enum
import functools
from datetime import date, datetime, time
from decimal import Decimal

from flask import abort, request
from flask_babel import gettext
from flask_appbuilder import ModelView, expose, has_access
from flask_appbuilder.hooks import before_request
from flask_appbuilder.models.sqla.filters import FilterInFunction
from flask_appbuilder.fields import EnumField, QuerySelectField
from flask_appbuilder.models.sqla.interface import SQLAInterface
from wtforms import BooleanField
from wtforms.fields.core import UnboundField

from app.i18n import formatting
from app.i18n.staff_labels import TITLES, enum_label, staff_text, translated_form_labels, translated_labels
from app.record_reads import log_read
from app.scopes import Scope, scope_of
from app.security import READ_WRITE_METHODS, current_user, reader_zone, scope_condition  # noqa: F401 (re-exported)
from app.views.list_args import list_argument_problem
from app.views.name_filters import search_by_name
from app.views import pickers
from app.views.paging import CountsAPage, ListInterface
from app.views.row_loads import list_loads

# Routes a read-only screen keeps (FAB's list, show and its helpers).
READ_ONLY_ROUTES = {"list", "show", "api_read", "api_get"}


@functools.cache
def for_current_user(scope: Scope):
    """FAB filter value: the ids ``scope`` selects for this request's user. One function per scope,
    so two forms narrowed by the same scope compare equal (pickers.install checks they do)."""
    def ids():
        return scope(current_user())
    return ids


class InScope(FilterInFunction):
    """FAB's "id in the function's ids", as the condition each row meets
    (``security.scope_condition``): a list reads its page and checks its rows, never the
    scope's whole history first."""

    def apply(self, query, func):
        condition = scope_condition(self.model, func())
        return query if condition is None else query.filter(condition)


def scoped(scope: Scope) -> list:
    """A filter entry (``base_filters`` / ``*_query_rel_fields``) keeping rows to ``scope``."""
    return ["id", InScope, for_current_user(scope)]


class PlinthModelView(ModelView):
    """A ModelView whose routes map onto can_read / can_write on its resource and
    whose rows and relation choices are scoped by its models' helpers."""

    method_permission_name = READ_WRITE_METHODS
    page_size = 50
    max_page_size = 500
    exclude_route_methods = {"download"}  # no file columns; nothing to download
    # {column: row -> text} for a column worded by its row, not its value (paging.ListInterface).
    row_formatters_columns: dict = {}

    def _init_properties(self) -> None:
        if not isinstance(self.datamodel, CountsAPage):
            # Every list's pager total is bounded (app/views/paging.py), whatever the screen declared.
            self.datamodel = ListInterface(self.datamodel.obj, self.datamodel._session)
        scope = scope_of(self.datamodel.obj)
        own = list(self.base_filters or [])
        self.base_filters = [scoped(scope), *own] if scope is not None else own
        super()._init_properties()
        translated_labels(self)
        # A page's rows come with what their columns show, a statement per relation (row_loads.py);
        # clients and cases are searched by name, never from a dropdown of every one (name_filters.py).
        self.datamodel.row_loads = list_loads(self.datamodel.obj, self.list_columns)
        self.datamodel.row_formatters = dict(self.row_formatters_columns)
        search_by_name(self)
        # Lists read as a clinic reads them: blanks not "None", Yes/No, 09:30 not 09:30:00.
        columns = set(self.list_columns or []) | set(self.show_columns or [])
        # FAB hands an Enum column's formatter the bare value ("no_show"): name the choice, translated.
        properties = self.datamodel.list_properties
        self.formatters_columns = {
            column: enum_words if column in properties and self.datamodel.is_enum(column) else display_value
            for column in columns
        } | dict(self.formatters_columns or {})

    def _init_forms(self) -> None:
        _optional_checkboxes(self)
        translated_form_labels(self)
        for attr, columns in (("search_form_query_rel_fields", self.search_columns),
                              ("add_form_query_rel_fields", self.add_columns),
                              ("edit_form_query_rel_fields", self.edit_columns)):
            setattr(self, attr, self._scoped_relations(getattr(self, attr), columns))
        super()._init_forms()
        # A client, case or visit is picked by typing its name, never from a list of all (pickers.py).
        self.pickers = {}
        pickers.install(self, self.add_form, self.add_columns, self.add_form_query_rel_fields)
        pickers.install(self, self.edit_form, self.edit_columns, self.edit_form_query_rel_fields)
        if self.pickers and self.include_route_methods and {"add", "edit"} & set(self.include_route_methods):
            self.include_route_methods = set(self.include_route_methods) | {"pick"}  # the forms ask it
        for form in (self.add_form, self.edit_form):
            _blank_choice_reads_as_none_chosen(form)
        for form in (self.add_form, self.edit_form, self.search_form):
            _enum_choices_read_as_words(form)

    def _init_titles(self) -> None:
        super()._init_titles()
        for attr in TITLES:
            setattr(self, attr, staff_text(getattr(self, attr, "")))
        self.title = self.list_title

    def _scoped_relations(self, declared: dict | None, columns) -> dict:
        """The view's relation filters with each relation's scope put first."""
        fields = {name: list(filters) for name, filters in (declared or {}).items()}
        properties = self.datamodel.list_properties
        for column in columns or []:
            if column not in properties or not self.datamodel.is_relation(column):
                continue
            scope = scope_of(self.datamodel.get_related_model(column))
            if scope is not None:
                fields[column] = [scoped(scope), *fields.get(column, [])]
        return fields

    @expose("/pick/<column>")
    @has_access
    def pick(self, column):
        """The rows of ``column``'s picker whose name contains ``q`` (JSON for Select2)."""
        return pickers.matches_response(self, column)

    def render_template(self, template, **kwargs):
        page = super().render_template(template, **kwargs)
        # A form that named a row outside its picker's scope is refused, not merely re-shown.
        return (page, 422) if pickers.refused_in_this_request() else page

    def _get_show_widget(self, pk, item, **kwargs):
        log_read(item)  # a patient record's show page is a read for the access log
        return super()._get_show_widget(pk, item, **kwargs)

    @before_request
    def refuse_malformed_list_arguments(self):
        problem = list_argument_problem(self, request.args)
        if problem:
            abort(400, description=problem)
        return None

    # FAB's actions look their rows up without the view's filters: look them up with.
    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    def action(self, name, pk):
        if self.datamodel.get(pk, self._base_filters) is None:
            abort(404)
        return super().action(name, pk)

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        for pk in request.form.getlist("rowid"):
            if self.datamodel.get(pk, self._base_filters) is None:
                abort(404)
        return super().action_post()


class ReadOnlyModelView(PlinthModelView):
    include_route_methods = READ_ONLY_ROUTES
    base_permissions = ["can_read"]


BLANK_CHOICE = "—"


def display_value(value):
    """A column's value as a person reads it: blanks not "None", Yes/No, lists joined with
    commas (never "[]" or a repr), instants on the reader's location clock, dates and
    numbers in the clinic's locale."""
    if value is None:
        return ""
    if value is True:
        return gettext("Yes")
    if value is False:
        return gettext("No")
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return f"{formatting.day_medium(value)}, {formatting.clock(value)}"
        return formatting.local_moment(value, reader_zone())
    if isinstance(value, date):
        return formatting.day_medium(value)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, Decimal):
        return formatting.number(value)
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(display_value(item)) for item in value)
    if isinstance(value, enum.Enum):
        return enum_words(value)
    return value


def enum_words(value) -> str:
    """A status or kind in words, as the grid says it (no_show → No show), translated;
    FAB hands a list's formatter the bare value, model code the member."""
    if value is None or value == "":
        return ""
    return gettext(enum_label(value))


def _blank_choice_reads_as_none_chosen(form) -> None:
    """FAB's optional pickers show their blank choice as "__None": label it "—"."""
    for field in vars(form).values():
        if isinstance(field, UnboundField) and issubclass(field.field_class, QuerySelectField):
            field.kwargs.setdefault("blank_text", BLANK_CHOICE)


class WordsEnumField(EnumField):
    """FAB's Enum picker, its choices labelled in words (No show), not by value (no_show)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = [(value, enum_words(label)) for value, label in self.choices]


def _enum_choices_read_as_words(form) -> None:
    for field in vars(form).values() if form is not None else ():
        if isinstance(field, UnboundField) and field.field_class is EnumField:
            field.field_class = WordsEnumField


def _optional_checkboxes(view: "PlinthModelView") -> None:
    """FAB marks NOT NULL columns InputRequired, so an unticked checkbox ("inactive") would
    be refused as missing. Give boolean columns a plain checkbox instead."""
    for columns_attr, extra_attr in (("add_columns", "add_form_extra_fields"), ("edit_columns", "edit_form_extra_fields")):
        extra = dict(getattr(view, extra_attr) or {})
        for column in getattr(view, columns_attr) or []:
            if column not in extra and view.datamodel.is_boolean(column):
                extra[column] = BooleanField(
                    view.label_columns.get(column) or view._prettify_column(column),
                    description=(view.description_columns or {}).get(column, ""),
                    default=view.datamodel.get_col_default(column),
                )
        setattr(view, extra_attr, extra)


class SettingsRowInterface(CountsAPage, SQLAInterface):
    """A one-row settings model (id 1) behind a screen: before the row is first saved, the
    screen shows its defaults (``unsaved_row()``, else ``models.settings.unsaved``) and the
    first save inserts it (FAB's edit merges the row), so opening the screen writes nothing."""

    def __init__(self, obj, session=None, *, unsaved_row=None):
        super().__init__(obj, session)
        self.unsaved_row = unsaved_row

    def get(self, id, filters=None, select_columns=None, outer_default_load=False):  # noqa: A002 - FAB's name
        row = super().get(id, filters, select_columns, outer_default_load)
        if row is None and str(id) == "1":
            from app.models.settings import unsaved

            return self.unsaved_row() if self.unsaved_row else unsaved(self.obj)
        return row
