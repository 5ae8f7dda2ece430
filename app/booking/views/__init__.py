"""The public booking site's pages (thin: the rules live in the services beside this).

The patient's choices so far live in the signed session cookie under ``bk`` as ids and
times, never in URLs; what they type (personal data) lives server-side in a draft row
(``drafts``) whose random id is the only thing the cookie holds of it. Each step checks
that the steps before it were done and sends the patient back to the first missing one.
Every POST is a FlaskForm (CSRF checked).

One module a part of the wizard: ``wizard`` (state and what every page shows),
``start``, ``times``, ``confirm``, ``manage_pages``, ``waitlist_pages``.
"""
from __future__ import annotations

from app.booking import headers, install_error_pages
from app.booking.views import confirm, manage_pages, start, times, waitlist_pages, wizard  # noqa: F401  (routes)
from app.booking.views.blueprint import bp

__all__ = ["bp"]

headers.install(bp)
install_error_pages(bp)
