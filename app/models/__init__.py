"""All models, imported here so Alembic and the app see one complete metadata."""
from app.models.access import AccessEvent
from app.models.appointments import Appointment, AppointmentStatus, BookedVia, Occupancy
from app.models.audit import AuditEvent
from app.models.auth import LoginEvent, StaffSession
from app.models.billing import (
    Charge,
    ChargeKind,
    ClientPackage,
    FeeMode,
    FeePolicy,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceSequence,
    OpenInvoice,
    PackageType,
    PackageUse,
    Payment,
    PaymentAllocation,
    PaymentMethod,
)
from app.models.calendars import AccessLevel, Calendar, CalendarAccess, CalendarKind, OverlapPolicy
from app.models.cases import Case
from app.models.clients import Client
from app.models.clinical import Addendum, Attachment, Note, NoteTemplate, TreatmentPlan, VisitProgress
from app.models.clinic import Discipline, Location
from app.models.forms import (
    FormRequest, FormRule, FormSubmission, FormTemplate, FormVersion, ReviewOptOut, ReviewSettings,
)
from app.models.importing import ClientImport, DataExport
from app.models.messaging import (
    LocationTextSettings, Message, MessageAttempt, MessageEvent, MessageState, MessageTemplate, NotificationSettings, ReminderPlan,
)
from app.models.online import (
    BookingConfirmation, BookingDraft, LoginCode, OfferStatus, OnlineBookingSettings, WaitlistEntry, WaitlistOffer, WaitlistOpening, WaitlistStatus,
    online_booking_settings,
)
from app.models.payers import Payer, PayerKind
from app.models.services import BillingItem, SessionType, SessionTypeBillingItem
from app.models.settings import ClinicSettings, clinic_settings, read_clinic_settings
from app.models.shifts import Shift, ShiftBreak, TimeBlock
from app.models.team import TeamMember

__all__ = [
    "AccessEvent", "ClientImport", "DataExport", "FormRequest", "FormRule", "FormSubmission", "FormTemplate", "FormVersion", "ReviewOptOut", "ReviewSettings",
    "Addendum", "Attachment", "Note", "NoteTemplate", "TreatmentPlan", "VisitProgress",
    "Charge", "ChargeKind", "ClientPackage", "FeeMode", "FeePolicy", "Invoice", "InvoiceKind", "InvoiceLine",
    "InvoiceSequence", "OpenInvoice", "PackageType", "PackageUse", "Payment", "PaymentAllocation", "PaymentMethod",
    "AccessLevel", "Appointment", "LoginEvent", "StaffSession", "AppointmentStatus", "AuditEvent", "BillingItem", "BookedVia",
    "Calendar", "CalendarAccess", "CalendarKind", "Case", "Client", "ClinicSettings", "clinic_settings", "read_clinic_settings", "Discipline", "Location",
    "BookingConfirmation", "BookingDraft", "LoginCode", "OfferStatus", "OnlineBookingSettings", "online_booking_settings", "WaitlistEntry",
    "WaitlistOffer", "WaitlistOpening", "WaitlistStatus",
    "LocationTextSettings", "Message", "MessageAttempt", "MessageEvent", "MessageState", "MessageTemplate", "NotificationSettings",
    "ReminderPlan",
    "Occupancy", "OverlapPolicy", "Payer", "PayerKind", "SessionType", "SessionTypeBillingItem",
    "Shift", "ShiftBreak", "TeamMember", "TimeBlock",
]
