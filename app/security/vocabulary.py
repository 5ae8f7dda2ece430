"""The permission vocabulary: ``can_read`` / ``can_write`` on named resources, the role
names, and how FAB's view and API methods map onto read and write."""
from __future__ import annotations

READ = "can_read"
WRITE = "can_write"

# --- resources ------------------------------------------------------------------
LOCATIONS = "Locations"
DISCIPLINES = "Disciplines"
TEAM = "Team"
CALENDARS = "Calendars"
CALENDAR_ACCESS = "CalendarAccess"
SHIFTS = "Shifts"
TIME_BLOCKS = "TimeBlocks"
SESSION_TYPES = "SessionTypes"
BILLING_ITEMS = "BillingItems"
PAYERS = "Payers"
CLIENTS = "Clients"
CASES = "Cases"
APPOINTMENTS = "Appointments"
AUDIT = "Audit"
MESSAGES = "Messages"  # the outbox: who was told what, resend / cancel
MESSAGE_SETUP = "MessageSetup"  # notification settings, reminder plans, templates
WAITLIST = "Waitlist"
ONLINE_BOOKING = "OnlineBooking"  # the public site: embedding origins, direct links
BILLING = "Billing"  # charges, invoices, payments, balances, receivables
BILLING_SETUP = "BillingSetup"  # fee policies, package types, clinic settings
MY_NOTIFICATIONS = "MyNotifications"  # each team member's own appointment notifications
REPORTS = "Reports"
CLIENT_DATA = "ClientData"  # CSV import, the client list, a client's complete data
FORMS = "Forms"  # which forms a client filled; sending them
FORM_SETUP = "FormSetup"  # building forms
CLINICAL_NOTES = "ClinicalNotes"
NOTE_STATUS = "ClinicalNoteStatus"  # that a visit has a note, and whether it is signed
CLIENT_FILE = "ClientFile"  # the client file, the case file and the provider's day
ATTACHMENTS = "Attachments"
NOTE_TEMPLATES = "NoteTemplates"

SETUP_RESOURCES = (
    LOCATIONS, DISCIPLINES, TEAM, CALENDARS, CALENDAR_ACCESS, SHIFTS, TIME_BLOCKS,
    SESSION_TYPES, BILLING_ITEMS, PAYERS,
)
RECORD_RESOURCES = (CLIENTS, CASES, APPOINTMENTS)
# The clinic's catalogue, which booking needs to read but only managers edit.
LOOKUPS = (SESSION_TYPES, PAYERS, DISCIPLINES, LOCATIONS)

# How FAB view/API methods map onto the vocabulary (FAB prefixes "can_").
READ_WRITE_METHODS = {
    # ModelView
    "list": "read", "show": "read", "download": "read", "action": "write",
    "add": "write", "edit": "write", "delete": "write", "api": "read", "api_read": "read",
    "api_get": "read", "api_column_add": "write", "api_column_edit": "write",
    "api_create": "write", "api_update": "write", "api_delete": "write",
    "action_post": "write", "muldelete": "write", "pick": "write",
    # ModelRestApi
    "get": "read", "get_list": "read", "info": "read", "post": "write", "put": "write",
}

# --- roles ----------------------------------------------------------------------
ADMIN = "Admin"
MANAGER = "Manager"
FRONT_DESK = "Front Desk"
PROVIDER = "Provider"
STAFF_ROLES = (ADMIN, MANAGER, FRONT_DESK, PROVIDER)
