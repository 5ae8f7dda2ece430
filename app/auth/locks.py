"""Security → Sign-in locks: the admin sees locked account names and addresses, the
recent sign-in attempts, and lifts a lock (recorded, with who lifted it)."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext
from flask_appbuilder import BaseView, expose, has_access
from flask_wtf.csrf import generate_csrf

from app.auth import throttle
from app.booking.limits import client_ip
from app.csrf import posted_token_valid
from app.i18n import N_
from app.security import current_user, reader_zone
from app.uow import unit_of_work

SIGN_IN_LOCKS = "SignInLocks"  # Admin only (not in any other role's grants)
# Stored codes in words, translated where shown.
OUTCOMES = {"success": N_("signed in"), "failure": N_("wrong name or password"), "throttled": N_("refused: locked"),
            "lifted_account": N_("account lock lifted"), "lifted_address": N_("address lock lifted")}
CHANNELS = {"web": N_("web"), "api": N_("API"), "admin": N_("administrator")}


def _outcome_words(outcome: str) -> str:
    return gettext(OUTCOMES[outcome]) if outcome in OUTCOMES else outcome.replace("_", " ")


def _channel_words(channel: str) -> str:
    return gettext(CHANNELS[channel]) if channel in CHANNELS else channel


class SignInLocksView(BaseView):
    route_base = "/security/sign-in-locks"
    class_permission_name = SIGN_IN_LOCKS
    method_permission_name = {"index": "read", "lift": "write"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        return self.render_template("plinth/sign_in_locks.html", locks=throttle.active_locks(),
                                    events=throttle.recent(), csrf=generate_csrf(), zone=reader_zone(),
                                    outcome_words=_outcome_words, channel_words=_channel_words)

    @expose("/lift", methods=["POST"])
    @has_access
    def lift(self):
        if not posted_token_valid():
            flash(gettext("The form expired; please try again."), "warning")
            return redirect(url_for("SignInLocksView.index"))
        kind, key = request.form.get("kind", ""), request.form.get("key", "")
        if kind not in ("account", "address") or not key:
            flash(gettext("Choose a lock to lift."), "warning")
        else:
            with unit_of_work():
                throttle.lift(kind, key, actor_id=current_user().id, address=client_ip())
            flash(gettext("The lock on account %(key)s is lifted.", key=key) if kind == "account"
                  else gettext("The lock on address %(key)s is lifted.", key=key), "success")
        return redirect(url_for("SignInLocksView.index"))
