"""The add and edit forms share one picker per column, so they must narrow it alike."""
from types import SimpleNamespace

import pytest
from wtforms import SelectField
from wtforms.fields.core import UnboundField

from app.models import Client
from app.views import pickers


class _Related:
    obj = Client

    def get_filters(self):
        return SimpleNamespace(add_filter_list=lambda narrowing: tuple(narrowing))


class _Datamodel:
    def is_relation_many_to_one(self, column):
        return True

    def get_related_model(self, column):
        return Client

    def get_related_interface(self, column):
        return _Related()


def _form():
    return SimpleNamespace(client=UnboundField(SelectField, query_func=lambda: None))


def test_the_edit_form_narrowed_unlike_the_add_form_is_refused_at_set_up():
    view = SimpleNamespace(datamodel=_Datamodel(), pickers={})
    pickers.install(view, _form(), ["client"], {"client": [["active", "equal", True]]})
    with pytest.raises(ValueError, match="narrow the picker differently"):
        pickers.install(view, _form(), ["client"], {})


def test_forms_narrowed_alike_share_one_picker():
    view = SimpleNamespace(datamodel=_Datamodel(), pickers={})
    pickers.install(view, _form(), ["client"], {"client": [["active", "equal", True]]})
    first = view.pickers["client"]
    pickers.install(view, _form(), ["client"], {"client": [["active", "equal", True]]})
    assert view.pickers["client"] is first
