"""Pick a client, case or visit by typing its name, never from a list of every one (issue 13).

Flask-AppBuilder's picker for a relation is a ``<select>`` holding every row the relation may
point at: on a clinic's history, the Add Case form listed all 150,000 clients in its page.
Here a relation to a client, a case or an appointment is a ``SearchPickField``: the form shows
only the row chosen, and Select2 (vendored by Flask-AppBuilder; ``static/common/pick.js``)
asks the view's ``pick/<column>`` route for at most ``SHOWN`` rows whose name contains what
was typed (``name_filters``: without case or accents).

Both the route and the submitted id go through the same filters as FAB's picker had: the
related model's scope first, then the view's own narrowing (``*_form_query_rel_fields``,
put together by ``PlinthModelView._scoped_relations``). An id outside them is refused with
the field's error and the form answers 422; nothing is saved.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import abort, g, jsonify, request, url_for
from flask_babel import gettext
from markupsafe import Markup, escape
from sqlalchemy.orm import selectinload
from wtforms import Field
from wtforms.fields.core import UnboundField
from wtforms.validators import StopValidation
from wtforms.widgets import html_params

from app.dialect import no_jit_for_this_transaction
from app.i18n import formatting
from app.ids import parse_id
from app.models import Appointment, Calendar, Case, Client
from app.name_search import appointment_named, case_named, client_named

MIN_TYPED = 2    # fewer letters would match a good part of the clinic
MAX_TYPED = 100  # longer than any name: refused, not searched
SHOWN = 20       # what one look at a dropdown takes in; typing more narrows it


def _client_label(client: Client) -> str:
    # Two Maria Silvas are told apart by their birth dates.
    born = f" · {formatting.day_medium(client.date_of_birth)}" if client.date_of_birth else ""
    return client.full_name + born


def _appointment_label(visit: Appointment) -> str:
    return f"{visit.case.client.full_name} · {visit}"


@dataclass(frozen=True)
class Searched:
    """How one big table is searched: the rows named by the text, their order, what each
    row's label reads (loaded with the rows), and the label."""

    named: Callable
    order: Callable[[], tuple]
    loads: Callable[[], tuple]
    label: Callable[[object], str]


SEARCHED = {
    Client: Searched(client_named, lambda: (Client.last_name, Client.first_name, Client.id), lambda: (), _client_label),
    Case: Searched(case_named, lambda: (Case.opened_on.desc(), Case.id.desc()),
                   lambda: (selectinload(Case.client),), str),
    Appointment: Searched(appointment_named, lambda: (Appointment.starts_at.desc(), Appointment.id.desc()),
                          lambda: (selectinload(Appointment.case).selectinload(Case.client),
                                   selectinload(Appointment.calendar).selectinload(Calendar.location)),
                          _appointment_label),
}


@dataclass(frozen=True)
class Picker:
    """One picked column of a view: the related model's FAB interface and the filters its
    rows must pass (scope first, then the view's narrowing)."""

    view: object
    column: str
    datamodel: object
    filters: object
    narrowing: list  # the view's query_rel_fields for the column, compared across its forms

    @property
    def searched(self) -> Searched:
        return SEARCHED[self.datamodel.obj]

    def find(self, row_id: int):
        """The row ``row_id`` if the user may pick it, else None."""
        return self.datamodel.get(row_id, self.filters)

    def matches(self, typed: str) -> list:
        searched = self.searched
        no_jit_for_this_transaction()
        query = self.datamodel.session.query(self.datamodel.obj).filter(searched.named(typed))
        query = self.datamodel.apply_filters(query, self.filters)
        return query.order_by(*searched.order()).options(*searched.loads()).limit(SHOWN).all()

    def url(self) -> str:
        return url_for(f"{type(self.view).__name__}.pick", column=self.column)


class SearchPickWidget:
    """A ``<select>`` holding only the chosen row; ``static/common/pick.js`` makes it search."""

    def __call__(self, field: "SearchPickField", **kwargs) -> Markup:
        kwargs.pop("class_", None)
        attrs = {
            "id": kwargs.get("id", field.id), "name": field.name, "class": "form-control plinth-pick",
            "data-pick-url": field.picker.url(), "data-blank": "1" if field.allow_blank else "0",
            "data-placeholder": gettext("Type two letters or more of the name"),
            "data-too-short": gettext("Type two letters or more of the name"),
            "data-no-results": gettext("No one by that name"),
            "data-searching": gettext("Searching…"),
            "data-failed": gettext("The search did not answer; try again."),
        }
        options = ['<option value=""></option>']
        if field.data is not None:
            label = field.picker.searched.label(field.data)
            options.append(f'<option value="{field.data.id}" selected>{escape(label)}</option>')
        return Markup(f"<select {html_params(**attrs)}>{''.join(options)}</select>")


class SearchPickField(Field):
    """A relation picked by typing: the form's data is the row, looked up within the picker's
    filters; an id outside them (or not an id) is the field's error, never the row."""

    widget = SearchPickWidget()

    def __init__(self, label=None, validators=None, *, picker: Picker, allow_blank: bool = False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.picker = picker
        self.allow_blank = allow_blank
        self.refused = False

    def process_data(self, value) -> None:
        self.data = value

    def process_formdata(self, valuelist) -> None:
        raw = (valuelist[0] if valuelist else "").strip()
        if raw in ("", "__None"):
            self.data = self.found = None
            return
        row_id = parse_id(raw)
        self.data = self.found = None if row_id is None else self.picker.find(row_id)
        if self.data is None:
            self._refuse()

    def _refuse(self) -> None:
        self.refused = True
        g.plinth_pick_refused = True

    def pre_validate(self, form) -> None:
        # A row set from elsewhere than the form's own data (FAB fills a relation from a
        # ``_flt_0_<column>`` argument with no scope) is looked up within the filters too.
        if not self.refused and self.data is not None and self.data is not getattr(self, "found", None):
            if self.picker.find(self.data.id) is None:
                self._refuse()
        if self.refused:
            raise StopValidation(gettext("This is not one you may choose: type part of the name and pick from the list."))


def refused_in_this_request() -> bool:
    """Whether a form of this request named a row outside its picker (the page is a 422)."""
    return bool(g.get("plinth_pick_refused"))


def install(view, form, columns, rel_fields: dict) -> None:
    """Replace FAB's pickers of every client, case or appointment in ``form`` (the view's add or
    edit form) with search pickers, and note them on the view for its ``pick`` route."""
    if form is None:
        return
    for column in columns or []:
        field = getattr(form, column, None)
        if not (isinstance(field, UnboundField) and view.datamodel.is_relation_many_to_one(column)
                and view.datamodel.get_related_model(column) in SEARCHED and "query_func" in field.kwargs):
            continue  # not FAB's picker (the view declared its own field), or a small table
        related = view.datamodel.get_related_interface(column)
        narrowing = list(rel_fields.get(column, []))
        # The pick route is keyed by column alone, so the add and the edit form share one picker:
        # a form narrowed differently would be checked (and searched) against the other's filters.
        known = view.pickers.get(column)
        if known is not None and known.narrowing != narrowing:
            raise ValueError(f"{type(view).__name__}.{column}: the add and edit forms narrow the picker "
                             "differently; one picker serves both")
        picker = known or Picker(view, column, related,
                                 related.get_filters().add_filter_list(narrowing), narrowing)
        view.pickers[column] = picker
        options = {k: v for k, v in field.kwargs.items() if k in ("description", "validators", "label")}
        setattr(form, column, SearchPickField(*field.args, picker=picker,
                                              allow_blank=field.kwargs.get("allow_blank", False), **options))


def matches_response(view, column: str):
    """The JSON Select2 asks for: ``{"results": [{"id", "text"}]}``, at most ``SHOWN``."""
    picker = view.pickers.get(column)
    if picker is None:
        abort(404)
    typed = (request.args.get("q") or "").strip()
    if len(typed) > MAX_TYPED:
        abort(400, description=gettext("Type at most %(count)d characters.", count=MAX_TYPED))
    if len(typed) < MIN_TYPED:
        return jsonify(results=[])
    label = picker.searched.label
    return jsonify(results=[{"id": row.id, "text": label(row)} for row in picker.matches(typed)])
