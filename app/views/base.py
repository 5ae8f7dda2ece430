"""The base of Plinth's admin screens: one permission vocabulary, sensible defaults."""
from __future__ import annotations

from flask_appbuilder import ModelView
from datetime import time

from wtforms import BooleanField

from app.security import READ_WRITE_METHODS

# Routes a read-only screen keeps (FAB's list, show and its helpers).
READ_ONLY_ROUTES = {"list", "show", "api_read", "api_get"}


class PlinthModelView(ModelView):
    """A ModelView whose routes map onto can_read / can_write on its resource."""

    method_permission_name = READ_WRITE_METHODS
    page_size = 50
    exclude_route_methods = {"download"}  # no file columns; nothing to download

    def _init_forms(self) -> None:
        _optional_checkboxes(self)
        super()._init_forms()

    def _init_properties(self) -> None:
        super()._init_properties()
        # Lists read as a clinic reads them: blanks not "None", Yes/No, 09:30 not 09:30:00.
        columns = set(self.list_columns or []) | set(self.show_columns or [])
        self.formatters_columns = {column: display_value for column in columns} | dict(
            self.formatters_columns or {}
        )


class ReadOnlyModelView(PlinthModelView):
    include_route_methods = READ_ONLY_ROUTES
    base_permissions = ["can_read"]


def display_value(value):
    if value is None:
        return ""
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return value


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
