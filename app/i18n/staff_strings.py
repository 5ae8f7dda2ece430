"""The texts the grid and the appointment panel draw in the browser (app/calendar/static/grid.js,
app/static/billing/panel.js), sent translated with every staff page (``page_settings``).

JavaScript looks a text up by its English wording (``PlinthI18n.t("Moved %(name)s.", {name})``),
so a text missing here simply stays English. ``_l`` only marks a text for extraction
(``./scripts/i18n``); it is translated when the page is drawn.
"""
from __future__ import annotations


def _l(text: str) -> str:  # an extraction marker, not a translation
    return text


STRINGS = [
    # statuses and payment methods
    _l("Booked"), _l("Confirmed"), _l("Arrived"), _l("Paid"), _l("No show"), _l("Canceled"), _l("Rebooked"),
    _l("Cash"), _l("Card"), _l("Bank transfer"), _l("Insurer"),
    # the grid
    _l("Day"), _l("Week"), _l("List"), _l("Today"), _l("Total %(count)s"), _l("Booked online"),
    _l("Moved %(name)s."), _l("Not moved: %(error)s"), _l("Any available"),
    _l("When"), _l("Session"), _l("Status"), _l("Phone"), _l("Email"), _l("Messages"), _l("Case"), _l("Payer"),
    _l("Visits"), _l("Last visit"), _l("Next visit"), _l("No-shows"), _l("online"), _l("by staff"), _l("Notes"),
    _l("Cancel %(name)s's appointment? Reason (optional):"), _l("Canceled %(name)s."), _l("Not canceled: %(error)s"),
    _l("Select the time (and column) for the copy of %(name)s's appointment."), _l("Copied."),
    _l("Not copied: %(error)s"), _l("No opening in the visible days."),
    _l("Book in a provider's column; rooms and equipment are added for you."),
    _l("Give the start and end times."), _l("Choose a client, a case and a session."),
    _l("This client has no open case; open one under Clients first."), _l("Booked %(name)s."),
    _l("Room"), _l("Equipment"), _l("Automatic (%(name)s)"), _l("None free"), _l("Book all"), _l("Leave out"),
    _l("No free time nearby"),
    # the panel: status and billing
    _l("Status and billing"), _l("Arrive…"), _l("No show…"), _l("Back to %(status)s"), _l("Now %(status)s."),
    _l("Undo the arrival of this visit?"),
    _l("Also remove this visit's charges that are not invoiced yet?\nOK: remove them. Cancel: keep them on the case."),
    _l("Arrival undone."), _l("Arrive — charges to post"), _l("Charge %(name)s"), _l("Quantity"), _l("Price"),
    _l("Arrived; the session's charges are on the case."), _l("Arrived; %(count)s charge(s) posted to the case."),
    _l("Mark arrived and post"), _l("Back"), _l(" — the policy's fee is %(amount)s"), _l(" — no fee policy"),
    _l("Fee"), _l("waive"), _l("Marked no show; fee waived."), _l("Marked no show; fee charged."), _l("Mark no show"),
    _l("fee"), _l("Change the price"), _l("Price per unit for “%(name)s”:"), _l("Charge changed."), _l("edit"),
    _l("Remove"), _l("Charge removed."), _l("remove"), _l("Billing item"), _l("Add a service or product…"),
    _l("Charge added."), _l(" (other visit)"), _l("Charges of this visit"), _l("None yet."),
    _l("Not invoiced yet on this case"), _l("Tick the charges to invoice."), _l("Invoice issued."),
    _l("Invoice the ticked charges"), _l("Invoice the ticked charges to %(payer)s"), _l("Invoices"),
    _l("total %(amount)s"), _l("owes %(amount)s"), _l("paid"), _l("Invoice %(number)s queued to send."), _l("email"),
    _l("Amount"), _l("Method"), _l("Reference"), _l("Collect"), _l("Payment of %(amount)s recorded."),
    _l("Record payment"), _l("Billed to %(payer)s."), _l("Outstanding on the client's invoices: %(amount)s"),
    _l(" (+%(amount)s not invoiced yet)"), _l("; credit on account %(amount)s"), _l("Canceling now is late"),
    _l("; the policy's fee of %(amount)s will be charged (remove it here if waived)."),
    # the form editor (app/static/intake/editor.js) and the panel's forms (app/static/intake/panel.js)
    _l("(no heading yet)"), _l("(no question yet)"), _l("Ask it"), _l("Cancel"), _l("Down"), _l("Up"),
    _l("Follow-up question (optional)"), _l("Follow-up question"), _l("For this visit"), _l("Form"), _l("Forms"),
    _l("Full name"), _l("Heading text"), _l("Help text (optional)"), _l("Key"), _l("Kind"),
    _l("Largest number (optional)"), _l("Smallest number (optional)"), _l("Move question %(number)s down"),
    _l("Move question %(number)s up"), _l("Remove question %(number)s"),
    _l("Names the answer in exports and scoring: lower-case letters, digits and _."),
    _l("No email address: add one to send forms."), _l("No forms sent yet."), _l("No questions yet."), _l("Yes"),
    _l("No"), _l("Options, one per line"), _l("Question %(number)s added."), _l("Question %(number)s"),
    _l("Question moved to position %(number)s."), _l("Question removed; it stays in the versions already saved."),
    _l("Question"), _l("Required"), _l("Send by email"), _l("Send form…"), _l("Signature"),
    _l("The client ticks the areas on a list of body areas."),
    _l("The client types their full name and signs with a finger or the mouse."),
    _l("The follow-up needs an answer"), _l("The form was not saved."),
    _l("The form was not saved: the server could not be reached."), _l("The form was not sent."),
    _l("The scoring is not valid JSON."), _l("Whole numbers only"), _l("after no"), _l("after yes"), _l("answers"),
    _l("version %(number)s"),
    # the grid's views (app/calendar/static/views.js), its status bar and the panel's link (clinical/panel-link.js)
    _l("Location week"), _l("Month"), _l("Open %(name)s's week"), _l("1 visit · %(hours)s booked"),
    _l("%(count)s visits · %(hours)s booked"), _l("Status (click to show or hide):"), _l("Open client file"),
    # the note editor (app/static/clinical/note.js)
    _l("The server refused the request."), _l("Saving…"), _l("Saved"), _l("Not saved: %(error)s"),
    _l("Unsaved changes…"), _l("Restored what you typed before the page closed; saving…"),
    _l("Copied from the last signed note; saved."), _l("Not signed: %(error)s"),
    _l("Sign this note? It cannot be changed afterwards; only addenda can be added."),
    # the shift planner (app/static/planner/planner.js)
    _l("%(count)s shift"), _l("%(count)s shifts"), _l("Not saved."), _l("Grid shows %(start)s–%(end)s"), _l("Calendar"),
    _l("Provider"), _l("Add a shift for %(name)s on %(day)s"), _l("%(name)s %(day)s %(start)s to %(end)s, change"),
    _l("break"), _l("“%(text)s” is not a break: write it as 12:00-12:30."), _l("Save"), _l("Add shifts"),
    _l("Check the breaks."), _l("%(shifts)s added; clashing dates left as they were."),
    _l("%(count)s of %(total)s new shifts clash with existing ones. Save the others and leave these dates as they are?"),
    _l("Save the rest"), _l("%(shifts)s added."), _l("The change would overlap other shifts; change the times first."),
    _l("These appointments would be outside working hours. They stay booked; move or cancel them in the day grid. Go ahead?"),
    _l("Remove anyway"), _l("Save anyway"), _l("%(shifts)s removed."), _l("%(shifts)s changed."),
    _l("%(count)s of %(total)s copies clash with existing shifts:"), _l("Copy the others and leave these dates as they are?"),
    _l("Nothing was copied."), _l("Copy %(shifts)s onto the next week?"), _l("Copy %(shifts)s onto the next %(count)s weeks?"),
    _l("%(shifts)s copied."), _l("The grid's hours are saved."),
    # the client import's progress bar (app/static/importing/import.js)
    _l("Checking rows"), _l("Writing clients"), _l("Done"), _l("%(what)s: %(done)s of %(total)s"),
]
