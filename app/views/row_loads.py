"""What a list page or a picker loads with its rows, in one statement per relation (issue 13).

A list shows each row's relation columns by their labels (``Case`` reads "title (client)"),
and a picker lists its choices by theirs; loaded lazily, each row costs a statement per
relation, so the Charges page sent a statement per case of the clinic. Here the page's rows
come with those relations (``selectinload``: one ``… WHERE id IN (the page's ids)`` per
relation, each through its key), so a page costs the same number of statements whatever
its rows or the clinic behind them.
"""
from __future__ import annotations

from sqlalchemy.orm import selectinload

from app.models import Appointment, Case, Client, ClientPackage, Shift

# Relations a model's label (its __repr__ / __str__) or a listed property reads.
LABEL_LOADS: dict[type, tuple[str, ...]] = {
    Case: ("client",),
    ClientPackage: ("package_type", "client"),
}
PROPERTY_LOADS: dict[tuple[type, str], tuple[str, ...]] = {
    (Appointment, "local_times"): ("location",),
    (Shift, "breaks_text"): ("breaks",),
    (Client, "phone"): ("home_location",),  # read in its country (ClientView.row_formatters_columns)
}


def _path(model, names: list[str]):
    """``selectinload`` along ``names`` from ``model``, plus what the last model's label reads."""
    option, current = None, model
    for name in names:
        attribute = getattr(current, name)
        option = selectinload(attribute) if option is None else option.selectinload(attribute)
        current = attribute.property.mapper.class_
    return [option.selectinload(getattr(current, label)) for label in LABEL_LOADS.get(current, ())] or [option]


def label_loads(model) -> list:
    """The options that load what ``model``'s rows need to be named (a picker's choices)."""
    return [option for name in LABEL_LOADS.get(model, ()) for option in _path(model, [name])]


def list_loads(model, columns) -> list:
    """The options that load what a list of ``model`` shows in ``columns``: each relation column
    with what its label reads (dotted columns along their path), and what listed properties read."""
    mapper = model.__mapper__
    options = []
    for column in columns or ():
        names = column.split(".")
        if names[0] in mapper.relationships:
            relations = names if names[-1] in _relations_along(model, names) else names[:-1]
            options += _path(model, relations)
        for name in PROPERTY_LOADS.get((model, column), ()):
            options += _path(model, [name])
    return options


def _relations_along(model, names: list[str]) -> set[str]:
    found, current = set(), model
    for name in names:
        relationship = current.__mapper__.relationships.get(name)
        if relationship is None:
            break
        found.add(name)
        current = relationship.mapper.class_
    return found
