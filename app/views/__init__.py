"""FAB admin screens, registered in the menu the way a clinic thinks of them."""
from __future__ import annotations

from app.views.messages import (
    MessageAttemptView,
    MessageEventView,
    MessageTemplateView,
    MessageView,
    NotificationSettingsView,
    ReminderPlanView,
)
from app.views.billing import BILLING_MENU, InvoiceLineView
from app.views.calendars import AppointmentView, CalendarAccessView, CalendarView, ShiftView, TimeBlockView
from app.views.records import CaseView, ClientView
from app.views.texts import LocationTextSettingsView, TextTemplateView
from app.views.waitlist import OnlineBookingView, WaitlistView
from app.views.setup import (
    BillingItemView,
    DisciplineView,
    LocationView,
    PayerView,
    SessionTypeBillingItemView,
    SessionTypeView,
    TeamMemberView,
)

# (view, menu label, category, icon)
MENU = [
    (AppointmentView, "Appointments", "Calendar", "fa-calendar-check"),
    (ShiftView, "Shifts", "Calendar", "fa-clock"),
    (TimeBlockView, "Blocked time", "Calendar", "fa-ban"),
    (ClientView, "Clients", "Clients", "fa-user"),
    (CaseView, "Cases", "Clients", "fa-folder-open"),
    (WaitlistView, "Waitlist", "Clients", "fa-hourglass-half"),
    (BillingItemView, "Billing items", "Billing", "fa-tags"),
    (PayerView, "Payers", "Billing", "fa-building"),
    (LocationView, "Locations", "Setup", "fa-map-marker"),
    (DisciplineView, "Disciplines", "Setup", "fa-stethoscope"),
    (TeamMemberView, "Team", "Setup", "fa-users"),
    (CalendarView, "Calendars", "Setup", "fa-columns"),
    (CalendarAccessView, "Calendar access", "Setup", "fa-key"),
    (SessionTypeView, "Session types", "Setup", "fa-list"),
    (MessageView, "Messages", "Messages", "fa-envelope"),
    (NotificationSettingsView, "Notification settings", "Messages", "fa-bell"),
    (ReminderPlanView, "Reminder schedules", "Messages", "fa-clock"),
    (MessageTemplateView, "Templates", "Messages", "fa-file-text"),
    (TextTemplateView, "Text templates", "Messages", "fa-mobile"),
    (LocationTextSettingsView, "Text settings", "Messages", "fa-commenting"),
]


def register_views(appbuilder, *, shift_planner, forms) -> None:
    """Every admin screen, in menu order (FAB lists a category's entries as they are added).
    The areas above this package add theirs through the functions ``create_app`` hands in,
    called where their entries belong: ``shift_planner(appbuilder)`` after the day grid,
    ``forms(appbuilder)`` after Import and export."""
    from flask import Blueprint, current_app

    from app import ids
    from app.calendar.views import CalendarGridView

    ids.init_app(current_app)  # an impossible id in any route's URL is a 404, never a query

    # The grid's own templates and static files (app/calendar/templates, static).
    current_app.register_blueprint(Blueprint(
        "calendar_assets", "app.calendar", template_folder="templates", static_folder="static",
        static_url_path="/calendar/static"))
    appbuilder.add_view(CalendarGridView, "Day grid", category="Calendar", icon="fa-calendar")
    shift_planner(appbuilder)
    for view, label, category, icon in MENU + BILLING_MENU:
        if hasattr(view, "list_title"):
            view.list_title = view.list_title or label
        appbuilder.add_view(view, label, category=category, icon=icon)
    appbuilder.add_view(OnlineBookingView, "Online booking", category="Setup", icon="fa-globe")
    appbuilder.add_view_no_menu(SessionTypeBillingItemView)
    appbuilder.add_view_no_menu(InvoiceLineView)
    from app.views.preferences import MyNotificationsView

    appbuilder.add_view(MyNotificationsView, "My notifications", category="Messages", icon="fa-bell")
    from app.importing.views import ClientImportView

    appbuilder.add_view(ClientImportView, "Import and export", category="Clients", icon="fa-upload")
    forms(appbuilder)
    register_clinical(appbuilder)
    appbuilder.add_view_no_menu(MessageAttemptView)
    appbuilder.add_view_no_menu(MessageEventView)
    from app.views.reports import REPORTS_MENU, ReportsView

    for key, (label, _build, _groupings) in REPORTS_MENU.items():
        appbuilder.add_view(ReportsView, label, href=f"/reports/{key}", category="Reports", icon="fa-bar-chart")


def register_clinical(appbuilder) -> None:
    """The provider's day (a provider's landing page), notes, the client and case files."""
    from app.views.client_file import AttachmentView, CasePlanView, ClientFileView
    from app.views.clinical import ClinicalView, NoteStatusPermission
    from app.views.note_templates import NoteTemplateView

    appbuilder.add_view(ClinicalView, "My day", category="Clinical", icon="fa-stethoscope")
    appbuilder.add_view(NoteTemplateView, "Note templates", category="Clinical", icon="fa-list-alt")
    for view in (ClientFileView, CasePlanView, AttachmentView, NoteStatusPermission):
        appbuilder.add_view_no_menu(view)
