"""Staff screens for online booking: the waitlist (Clients → Waitlist) and the public
site's setup (Setup → Online booking: embedding origins, iframe snippet, direct links)."""
from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.filters import FilterInFunction
from flask_appbuilder.models.sqla.interface import SQLAInterface
from markupsafe import escape
from wtforms import TimeField
from wtforms.validators import Optional

from app.booking import catalogue
from app.booking.forms import EmbedSettingsForm
from app.booking.headers import parse_origins
from app.extensions import db
from app.i18n import formatting
from app.models import OnlineBookingSettings, WaitlistEntry, online_booking_settings
from app.security import (
    ONLINE_BOOKING,
    WAITLIST,
    bookable_calendar_ids,
    client_scope,
    current_user,
    location_scope,
)
from app.uow import unit_of_work
from app.plausible_dates import check_birth_date
from app.views.base import PlinthModelView
from app.timeutil import local_today
from app.views.forms import AtHome, Rule


def check_weekdays(value: str | None) -> str:
    """"024" (Monday, Wednesday, Friday): each weekday digit 0–6 at most once; empty: any day."""
    from app.setup.validation import InvalidValue

    text = (value or "").replace(",", "").replace(" ", "")
    if any(d not in "0123456" for d in text) or len(set(text)) != len(text):
        raise InvalidValue("Use the digits 0 (Monday) to 6 (Sunday), each once, e.g. 024.")
    return "".join(sorted(text))


class WaitlistView(PlinthModelView):
    """Who is waiting for what. Patients join online; the front desk may also add
    someone who phoned, edit preferences, or remove an entry (status "removed")."""

    datamodel = SQLAInterface(WaitlistEntry)
    class_permission_name = WAITLIST
    base_order = ("created_at", "asc")
    list_columns = ["created_at", "last_name", "first_name", "session_type", "calendar", "location",
                    "preferences", "status", "offers_made"]
    search_columns = ["last_name", "first_name", "email", "session_type", "calendar", "location", "status"]
    add_columns = edit_columns = [
        "location", "session_type", "calendar", "client", "is_new_client", "first_name", "last_name", "email",
        "phone", "date_of_birth", "payer", "policy_number", "weekdays", "earliest", "latest", "until",
        "notes", "status",
    ]
    show_columns = add_columns + ["created_at", "offers_made"]
    row_formatters_columns = {"phone": lambda entry: formatting.phone(entry.phone, entry.location)}
    label_columns = {
        "calendar": "Provider (empty: any)", "created_at": "Joined", "is_new_client": "New patient",
        "weekdays": "Days (0 = Mon … 6 = Sun)", "earliest": "From", "latest": "Latest start",
        "until": "Waiting until", "offers_made": "Offers", "preferences": "Preferences",
    }
    # FAB has no form field for time-of-day columns; wall-clock times in the location's zone.
    add_form_extra_fields = edit_form_extra_fields = {
        "earliest": TimeField("From", validators=[Optional()]),
        "latest": TimeField("Latest start", validators=[Optional()]),
    }
    # Only the clients, calendars and locations the user works with can be picked.
    add_form_query_rel_fields = edit_form_query_rel_fields = {
        "client": [["id", FilterInFunction, lambda: client_scope(current_user(), writable=True)]],
        "calendar": [["id", FilterInFunction, lambda: bookable_calendar_ids(current_user())]],
        "location": [["id", FilterInFunction, lambda: location_scope(current_user())]],
    }
    validators_columns = {"weekdays": [Rule(check_weekdays)],
                          "date_of_birth": [AtHome(check_birth_date, local_today, "location")]}
    description_columns = {
        "weekdays": "Digits of the days that suit, e.g. 024 for Monday, Wednesday and Friday; empty for any day.",
        "status": "waiting: gets offers; booked: claimed a time; removed: no more offers.",
    }


class OnlineBookingView(BaseView):
    """Setup → Online booking: which websites may embed the booking page, the snippet to
    paste there, and each calendar's direct link."""

    route_base = "/online-booking"
    class_permission_name = ONLINE_BOOKING
    method_permission_name = {"settings": "read", "save": "write"}
    default_view = "settings"

    @expose("/")
    @has_access
    def settings(self):
        # Reading creates nothing: the settings row is written when the form is saved.
        row = db.session.get(OnlineBookingSettings, 1)
        form = EmbedSettingsForm(data={"embed_origins": (row.embed_origins if row else None) or ""})
        return self._page(form, [])

    @expose("/", methods=["POST"])
    @has_access
    def save(self):
        form = EmbedSettingsForm()
        if not form.validate_on_submit():
            return self._page(form, [_("The form expired; please try again.")]), 400
        origins, rejected = parse_origins(form.embed_origins.data)
        if rejected:
            return self._page(form, [_("“%(origin)s” is not a website origin; write it like https://www.example.com", origin=r)
                                     for r in rejected]), 422
        with unit_of_work():
            online_booking_settings().embed_origins = "\n".join(origins) or None
        flash(_("Saved: only these websites may embed the booking page."), "success")
        return redirect(url_for("OnlineBookingView.settings"))

    def _page(self, form, errors):
        base = current_app.config["PUBLIC_BASE_URL"]
        calendars = catalogue.online_calendars()
        # The frame's accessible name in the reader's language (they paste it on their own website).
        title = escape(_("Book online"))
        snippet = (f'<iframe src="{base}/book/" title="{title}" '
                   'style="width:100%;min-height:760px;border:0" loading="lazy"></iframe>')
        return self.render_template("plinth/online_booking.html", form=form, errors=errors, snippet=snippet,
                                    base=base, calendars=calendars, request_url=request.url)
