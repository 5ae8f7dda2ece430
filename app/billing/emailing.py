"""Sending an invoice by email, through the messaging outbox (the PDF is attached at send
time from the issued document, so it is always the document as issued)."""
from __future__ import annotations

from app import audit
from app.errors import Problem, ValidationFailed
from app.extensions import db
from app.i18n import formatting
from app.models import Invoice, InvoiceKind
from app.setup.validation import InvalidValue, check_email
from app.timeutil import utcnow


def recipient(invoice: Invoice) -> str | None:
    """Who the invoice goes to by default: the insurer it bills, else the client."""
    if invoice.payer is not None and invoice.payer.email:
        return invoice.payer.email
    return invoice.client.email


def email_invoice(*, invoice: Invoice, actor, to: str | None = None):
    """Queue the invoice email; each request is its own message (sending again is on purpose)."""
    from app.messaging import outbox

    address = (to or recipient(invoice) or "").strip()
    if not address:
        raise ValidationFailed("There is no email address to send this invoice to; enter one.",
                               [Problem("An address is needed.", field="to")])
    try:
        address = check_email(address)
    except InvalidValue as exc:
        raise ValidationFailed(str(exc), [Problem(str(exc), field="to")]) from exc
    label = "Credit note" if invoice.kind == InvoiceKind.credit_note else "Invoice"
    message = outbox.queue_email(
        "invoice", address,
        {"client_name": invoice.snapshot["bill_to"]["name"], "invoice_number": invoice.number,
         "amount": formatting.money(invoice.total, invoice.currency,
                                    locale=invoice.snapshot.get("language")), "label": label},
        f"invoice:{invoice.id}:{utcnow().isoformat()}", client_id=invoice.client_id, invoice_id=invoice.id,
        location_id=invoice.location_id)
    db.session.flush()
    audit.record(db.session, entity=invoice, action="emailed", after={"to": address})
    return message


def invoice_attachment(message) -> list[tuple[str, str, bytes]]:
    """The invoice email's PDF, made at send time from the issued document."""
    from app.billing.pdf import invoice_pdf
    from app.messaging.channels.base import PermanentFailure

    invoice = db.session.get(Invoice, message.invoice_id) if message.invoice_id else None
    if invoice is None:
        raise PermanentFailure(f"Invoice {message.invoice_id} does not exist.")
    return [(f"{invoice.number}.pdf", "application/pdf", invoice_pdf(invoice))]


def register() -> None:
    """Invoice emails carry their PDF (the outbox's attachments by kind; called by create_app)."""
    from app.messaging import attachments

    attachments.register("invoice", invoice_attachment)
