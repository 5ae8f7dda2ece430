"""Billing: charges, invoices, payments, fees, packages and authorisations (no HTTP).

- ``pricing``: the arithmetic (pure; rounding happens only here).
- ``charges``: default charges at arrival, editing until invoiced, billing provider.
- ``fees``: no-show and late-cancel fee policies.
- ``invoicing``: gapless numbering, immutable snapshots, credit notes, balances.
- ``payments``: payments, allocations, client credit, voiding, Paid status.
- ``packages``: prepaid packages and insurer authorisations drawn down by visits.
- ``pdf``: the invoice document (xhtml2pdf; reads only the invoice's snapshot).
"""
