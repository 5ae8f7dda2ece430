"""The public booking site's blueprint (its templates and static files are app/booking's)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("booking", "app.booking", url_prefix="/book", template_folder="templates",
               static_folder="static", static_url_path="/static")
