"""My notifications: each team member chooses which appointment events they are told of.

Managers enable an event for the clinic (Messages → Notification settings); within that,
each provider turns each type on or off for themselves here (the same TeamMember flags
the outbox reads at send time).
"""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext
from flask_appbuilder import BaseView, expose, has_access
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from app.extensions import db
from app.i18n import N_
from app.models import TeamMember
from app.security import MY_NOTIFICATIONS, current_user
from app.uow import unit_of_work

CHOICES = (  # labels translated where shown
    ("notify_new_booking", N_("A new booking in my calendar")),
    ("notify_rescheduled", N_("A booking of mine moved")),
    ("notify_canceled", N_("A booking of mine canceled")),
    ("notify_no_show", N_("A client of mine did not show")),
)


class MyNotificationsView(BaseView):
    route_base = "/my/notifications"
    class_permission_name = MY_NOTIFICATIONS
    method_permission_name = {"index": "read", "save": "write"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        return self.render_template("plinth/my_notifications.html", member=_me(), choices=CHOICES,
                                    csrf=generate_csrf())

    @expose("/", methods=["POST"])
    @has_access
    def save(self):
        with unit_of_work():
            member = _me()
            if member is not None:
                for field, _ in CHOICES:
                    setattr(member, field, request.form.get(field) == "on")
        flash(gettext("Your notification choices are saved."), "success")
        return redirect(url_for("MyNotificationsView.index"))


def _me() -> TeamMember | None:
    return db.session.scalar(select(TeamMember).where(TeamMember.user_id == current_user().id))
