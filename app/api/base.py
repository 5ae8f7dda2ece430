"""What every Plinth REST endpoint shares: permissions, row scope, validated writes.

FAB's ModelRestApi does the plumbing (routes, rison arguments, schemas, OpenAPI). This
base adds Plinth's rules on top of it:

* **Permissions** are ``can_read`` / ``can_write`` on the resource named in
  ``app.security`` (``method_permission_name = READ_WRITE_METHODS``).
* **Row scope**: ``row_scope`` is one of the scope helpers of ``app.security``. It becomes
  a FAB base filter, so list, get-by-id, ``q`` filters, ordering, pagination, PUT and
  DELETE (FAB looks rows up through ``datamodel.get(pk, base_filters)``) only ever see
  rows inside the acting user's scope; anything else is a 404. The values offered for
  related fields in ``/_info`` go through the same helpers.
* **Writes** are ours, not FAB's ``post_headless``/``put_headless``: the payload is
  loaded through FAB's schema (shared rules as validators, cleaned before loading),
  then every referenced row must be in the user's scope, unique values are checked,
  cross-field rules run, and the written row must still be in the user's scope. One
  commit at the end; on any problem everything is rolled back and the answer is JSON
  (``DomainError.as_json()``: a message and one problem per field), never a 500.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

import prison
from flask import request
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.hooks import before_request
from flask_appbuilder.models.filters import BaseFilter
from marshmallow import ValidationError
from marshmallow_sqlalchemy.fields import Related, RelatedList
from sqlalchemy import Select, UniqueConstraint, exists, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import RelationshipProperty
from sqlalchemy.orm.interfaces import ONETOMANY

from app.api.edge import acting_user
from app.api.rules import RuleConverter, problems_from_messages, summary
from app.errors import Conflict, DomainError, Forbidden, Problem, ValidationFailed
from app.extensions import db
from app.uow import unit_of_work
from app.ids import numbers_fit, parse_id
from app.record_reads import log_read_by_id
from app.scopes import scope_of
from app.security import READ_WRITE_METHODS, in_scope, scope_condition

log = logging.getLogger(__name__)

Scope = Callable[[Any], Select]

class InScope(BaseFilter):
    """Base filter: only rows whose id is in ``scope(acting user)``.

    No ``arg_name``: it cannot be picked as an operator in a ``q`` filter, and an
    anonymous or unknown user gets the helpers' empty scope (fail closed).
    """

    name = "In the acting user's scope"
    arg_name = None

    def apply(self, query, scope: Scope):
        condition = scope_condition(self.model, scope(acting_user()))
        return query if condition is None else query.filter(condition)


class PlinthModelApi(ModelRestApi):
    """A Plinth resource over one model (subclass per resource; see module docstring)."""

    method_permission_name = READ_WRITE_METHODS
    allow_browser_login = False  # cookies without CSRF protection must not write
    model2schemaconverter = RuleConverter
    max_page_size = 200

    row_scope: ClassVar[Scope | None] = None
    """Ids of rows the acting user may see; None: the model's helper in app/scopes.py
    (a resource can narrow its rows, never widen them)."""
    reference_scopes: ClassVar[dict[str, Scope]] = {}
    """Per relation: ids the user may point that relation at (default by model)."""
    field_rules: ClassVar[dict[str, Callable[[Any], None]]] = {}
    """Per column: marshmallow validators (usually shared Rules) for writes."""
    entity_label: ClassVar[str] = ""

    def __init__(self) -> None:
        table_scope = scope_of(self.datamodel.obj)  # UnscopedModel: no resource without a scope
        self._row_scope = _inherited(type(self), "row_scope") or table_scope
        filters = list(self.base_filters or [])
        for scope in dict.fromkeys(s for s in (table_scope, self._row_scope) if s is not None):
            filters.insert(0, ["id", InScope, scope])
        self.base_filters = filters
        self.validators_columns = {**(self.validators_columns or {}), **self.field_rules}
        super().__init__()
        self.model2schemaconverter.rules = dict(self.field_rules)
        self._scope_related_field_listings()
        self.entity_label = self.entity_label or self._prettify_name(self.datamodel.model_name).lower()

    # --- scope -------------------------------------------------------------------
    def _relations(self) -> dict[str, RelationshipProperty]:
        return {rel.key: rel for rel in self.datamodel.obj.__mapper__.relationships}

    def reference_scope(self, relation: str) -> Scope | None:
        if relation in self.reference_scopes:
            return _unbound(self.reference_scopes[relation])
        rel = self._relations().get(relation)
        return scope_of(rel.mapper.class_) if rel is not None else None

    def _scope_related_field_listings(self) -> None:
        """``/_info`` lists candidate values for related fields: only scoped ones."""
        for columns, rel_fields in (
            (self.add_columns, self.add_query_rel_fields),
            (self.edit_columns, self.edit_query_rel_fields),
        ):
            for column in columns:
                scope = self.reference_scope(column)
                if scope is not None:
                    rel_fields[column] = [["id", InScope, scope], *rel_fields.get(column, [])]

    def row_in_scope(self, item) -> bool:
        if self._row_scope is None:
            return True
        return in_scope(self._row_scope(acting_user()), item.id)

    # --- arguments -------------------------------------------------------------
    @before_request
    def refuse_malformed_arguments(self):
        """Answer absurd ids and ``q`` arguments with 404/400 instead of letting them
        reach the database (an id beyond 64 bits, unparseable rison) as FAB's 500."""
        pk = (request.view_args or {}).get("pk")
        if pk is not None and parse_id(pk) is None:
            return self.response_404()
        raw = request.args.get("q")
        if raw is None:
            return None
        try:
            args = prison.loads(raw)
        except Exception:  # noqa: BLE001  (prison raises anything, even RecursionError)
            return self.response_400(message="The q argument is not valid rison.")
        if not numbers_fit(args):
            return self.response_400(message="A number in the q argument is out of range.")
        if isinstance(args, dict) and isinstance(args.get("page"), int) and args["page"] < 0:
            return self.response_400(message="The page number cannot be negative.")
        return None

    # --- reads -------------------------------------------------------------------
    def get_headless(self, pk, **kwargs):
        response = super().get_headless(pk, **kwargs)
        if response.status_code == 200:
            log_read_by_id(self.datamodel.obj, int(pk))  # patient records go to the access log
        return response

    # --- writes ------------------------------------------------------------------
    def post_headless(self):
        return self._write(None)

    def put_headless(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            return self.response_404()
        return self._write(item)

    def delete_headless(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            return self.response_404()
        try:
            with unit_of_work() as session:
                self.check_may_write(item, creating=False)
                session.delete(item)
                session.flush()
        except DomainError as exc:
            return self.domain_error(exc)
        except IntegrityError as exc:
            log.info("API delete refused by the database: %s", exc.orig)
            return self.domain_error(
                Conflict(f"This {self.entity_label} is still in use, so it cannot be deleted.")
            )
        return self.response(200, message="OK")

    def _write(self, instance):
        creating = instance is None
        payload = request.get_json(silent=True) if request.is_json else None
        if not isinstance(payload, dict):
            return self.response_400(message="Send the fields as a JSON object.")
        schema = self.add_model_schema if creating else self.edit_model_schema
        try:
            # One commit at the edge; any exception rolls everything back (audit rows too).
            with unit_of_work() as session:
                with session.no_autoflush:
                    item = self.load_item(schema, payload, instance)
                    self.check_may_write(item, creating=creating)
                    self.check_references(item)
                    problems = self.check_unique(item) + list(self.validate_item(item))
                    if problems:
                        raise ValidationFailed(summary(problems), problems)
                session.add(item)
                session.flush()
                if not self.row_in_scope(item):
                    raise Forbidden(
                        f"This {self.entity_label} would be outside what you may see, so it was not saved."
                    )
        except DomainError as exc:
            return self.domain_error(exc)
        except IntegrityError as exc:
            # The checks above ran first; this is the database's backstop against a race.
            log.info("API write refused by the database: %s", exc.orig)
            return self.domain_error(Conflict(
                "This conflicts with data saved meanwhile (a duplicate or a missing related record). "
                "Reload and try again."
            ))
        except (DataError, OverflowError) as exc:  # OverflowError: SQLite's driver, on a huge id
            log.info("API write refused by the database: %s", exc)
            return self.domain_error(ValidationFailed("A value is out of range for its field."))
        # Anything else propagates: FAB's @safe logs it and answers a bare 500, no details.
        result = schema.dump(item, many=False)
        if creating:
            return self.response(201, result=result, id=item.id)
        return self.response(200, result=result)

    def load_item(self, schema, payload: dict[str, Any], instance):
        problems = _relation_id_problems(schema, payload)
        if problems:
            raise ValidationFailed(summary(problems), problems)
        try:
            if instance is None:
                return schema.load(payload)
            # PUT changes only the fields sent (FAB would re-send every stored value,
            # so an untouched legacy value could block an unrelated change).
            return schema.load(payload, instance=instance, partial=True)
        except ValidationError as err:
            problems = problems_from_messages(err.messages)
            raise ValidationFailed(summary(problems), problems) from err

    write_scope: ClassVar[Scope | None] = None
    """Ids of rows the acting user may change or delete (e.g. through calendars they may
    book, not only see); None: the read scope."""

    def check_may_write(self, item, *, creating: bool) -> None:
        """Refuse (``Forbidden``) writes this user may never make on this resource."""
        scope = _inherited(type(self), "write_scope")
        if not creating and scope is not None and not in_scope(scope(acting_user()), item.id):
            raise Forbidden(f"You may look at this {self.entity_label} but not change it.")

    def check_references(self, item) -> None:
        """Every row the item points at must exist and be in the user's scope. Both
        failures read the same, so ids outside one's scope cannot be probed."""
        user = acting_user()
        writable = set(self.add_columns) | set(self.edit_columns)
        problems = []
        for name, rel in self._relations().items():
            # One-to-many children (a shift's breaks) are written with their parent.
            if rel.viewonly or name not in writable or rel.direction is ONETOMANY:
                continue
            scope = self.reference_scope(name)
            value = getattr(item, name)
            targets = value if rel.uselist else ([value] if value is not None else [])
            for target in targets:
                # FAB's Related field turns an unknown id into a new, unsaved object.
                exists_ = sa_inspect(target).has_identity
                if exists_ and scope is not None:
                    exists_ = in_scope(scope(user), target.id)
                if not exists_:
                    label = self._prettify_name(rel.mapper.class_.__name__).lower()
                    problems.append(Problem(f"There is no {label} with id {target.id} that you may use.", name))
        if problems:
            raise ValidationFailed(summary(problems), problems)

    def check_unique(self, item) -> list[Problem]:
        """Duplicates of unique values, found before the database refuses them."""
        model = type(item)
        table = model.__table__
        groups: list[tuple] = [(c,) for c in table.columns if c.unique]
        groups += [tuple(con.columns) for con in table.constraints if isinstance(con, UniqueConstraint)]
        problems = []
        for columns in groups:
            values = [_column_value(item, column) for column in columns]
            if any(v is None for v in values):
                continue
            query = select(exists().where(*(column == v for column, v in zip(columns, values))))
            if item.id is not None:
                query = select(
                    exists().where(*(column == v for column, v in zip(columns, values)), table.c.id != item.id)
                )
            if db.session.scalar(query):
                names = [self._field_name(column) for column in columns]
                if len(columns) == 1:
                    message = f"“{values[0]}” is already used by another {self.entity_label}."
                else:
                    message = f"There already is a {self.entity_label} for this {' and '.join(names)}."
                problems.append(Problem(message, names[0]))
        return problems

    def _field_name(self, column) -> str:
        """The API field that writes ``column`` (the relation, for a foreign key)."""
        writable = set(self.add_columns) | set(self.edit_columns)
        for rel in self.datamodel.obj.__mapper__.relationships:
            if rel.key in writable and column in rel.local_columns and not rel.uselist:
                return rel.key
        return _attr(self.datamodel.obj, column)

    def validate_item(self, item) -> Iterable[Problem]:
        """Cross-field rules of the resource (override); one Problem per thing wrong."""
        return ()

    def domain_error(self, exc: DomainError):
        return self.response(exc.status_code, **exc.as_json())


class ReadOnlyApi(PlinthModelApi):
    """Read-only resource: only list, get and info exist as routes; ``/_info`` does not
    describe (or list candidate values for) add/edit forms that do not exist."""

    include_route_methods = {"get", "get_list", "info"}

    def info_headless(self, **kwargs):
        response = super().info_headless(**kwargs)
        data = response.get_json()
        for key in ("add_columns", "edit_columns", "add_title", "edit_title"):
            data.pop(key, None)
        return self.response(response.status_code, **data)


def _relation_id_problems(schema, payload: dict[str, Any]) -> list[Problem]:
    """A relation is written as the id of the row (a list of ids for many), as the
    OpenAPI document says; anything else (an object, text) is refused here, before the
    schema would look a row up by it."""
    problems = []
    for name, field in schema.fields.items():
        if name not in payload or field.dump_only:
            continue
        value = payload[name]
        if isinstance(field, RelatedList):
            ok = isinstance(value, list) and all(_is_id(v) for v in value)
            message = "Give a list of record ids."
        elif isinstance(field, Related):
            ok = _is_id(value) or (value is None and field.allow_none)
            message = "Give the record's id (a whole number)."
        else:
            continue
        if not ok:
            problems.append(Problem(message, name))
    return problems


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and parse_id(value) is not None


def _unbound(scope):
    return getattr(scope, "__func__", scope)


def _inherited(cls: type, name: str):
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return _unbound(klass.__dict__[name])
    return None


def _attr(model, column) -> str:
    return model.__mapper__.get_property_by_column(column).key


def _column_value(item, column):
    """The value ``item`` will write to ``column``. Before a flush a changed relationship
    is ahead of its foreign-key column, so it wins."""
    for rel in type(item).__mapper__.relationships:
        if column in rel.local_columns and not rel.uselist:
            target = getattr(item, rel.key)
            if target is not None:
                return target.id
    return getattr(item, _attr(type(item), column), None)
