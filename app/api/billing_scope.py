"""Which billing rows the user of a request may name: each getter is a ``ScopedGetter``
(app/api/edge.py) over a scope helper, so a row outside it is a 404 that reads the same
as a missing one. Shared by the billing endpoint modules."""
from __future__ import annotations

from app.api.edge import ScopedGetter
from app.models import Case, Charge, Client, ClientPackage, Invoice, Location, Payment
from app.security import case_scope, client_scope, invoice_scope, location_scope, payment_scope

case_to_bill = ScopedGetter(Case, lambda user: case_scope(user, writable=True), "case")
invoice_to_read = ScopedGetter(Invoice, invoice_scope, "invoice")
invoice_to_change = ScopedGetter(Invoice, lambda user: invoice_scope(user, writable=True), "invoice")
payment_to_handle = ScopedGetter(Payment, payment_scope, "payment", names_field=False)
location_to_bill = ScopedGetter(Location, location_scope, "location", where=" you work at")
"""A location whose money the user handles (their own desk's, or any for managers)."""
charge_to_change = ScopedGetter(Charge, lambda user: case_scope(user, writable=True), "charge", names_field=False,
                                scoped_by=lambda charge: charge.case_id,
                                usable=lambda charge: charge.voided_at is None)
client_to_read = ScopedGetter(Client, client_scope, "client", names_field=False)
paying_client = ScopedGetter(Client, client_scope, "client")
package_to_change = ScopedGetter(ClientPackage, lambda user: client_scope(user, writable=True), "package",
                                 names_field=False, scoped_by=lambda package: package.client_id)
