"""Screens that list managers' rows of something Plinth ships (message templates, text
templates, note templates). Opening the list writes nothing: the shipped ones without a
row yet are listed under it, each with a button (a POST with the page's token) that adds
its row and opens it for editing; everything else reads the shipped text until then."""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_wtf.csrf import generate_csrf

from app.csrf import require_csrf
from app.uow import unit_of_work


@dataclass(frozen=True)
class Shipped:
    key: str  # names it in the add form
    label: str  # what the list shows


class ShippedRows:
    """Mixin for a ``PlinthModelView``: ``shipped_missing()`` (read only) and
    ``add_shipped_row(key)`` (inside the POST's unit of work; the new row's id, None for an
    unknown key). Views that list their routes add ``add_shipped`` to them."""

    list_template = "plinth/list_with_shipped.html"

    def shipped_missing(self) -> list[Shipped]:
        raise NotImplementedError

    def add_shipped_row(self, key: str) -> int | None:
        raise NotImplementedError

    @expose("/list/")
    @has_access
    def list(self):  # noqa: A003 - FAB's name
        g.shipped = {"missing": self.shipped_missing(), "csrf": generate_csrf(),
                     "url": url_for(f"{self.endpoint}.add_shipped")}
        return super().list()

    @expose("/shipped", methods=["POST"])
    @has_access
    def add_shipped(self):
        require_csrf()
        with unit_of_work():
            row_id = self.add_shipped_row(request.form.get("key") or "")
        if row_id is None:
            abort(404)
        return redirect(url_for(f"{self.endpoint}.edit", pk=row_id))


class ShippedMessageTemplates(ShippedRows):
    """The message template screens: the emails (``texts = False``) or the texts."""

    texts = False

    def shipped_missing(self) -> list[Shipped]:
        from app.messaging import templates
        from app.messaging.kind_names import audience_words, kind_words

        return [Shipped(f"{kind}|{audience}", f"{kind_words(kind)} ({audience_words(audience)})")
                for kind, audience in templates.missing_rows(texts=self.texts)]

    def add_shipped_row(self, key: str) -> int | None:
        from app.messaging import templates

        kind, _, audience = key.partition("|")
        if templates.is_text(kind) != self.texts:
            return None
        row = templates.ensure_row(kind, audience)
        return row.id if row is not None else None
