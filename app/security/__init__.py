"""Who may do what, and on which rows.

* ``vocabulary``: one permission vocabulary, ``can_read`` / ``can_write`` on a named
  resource; views and APIs map their methods onto it (``READ_WRITE_METHODS``).
* ``roles``: each role's grants in one place (``ROLE_GRANTS``), ``sync_roles()`` writing
  them to FAB's tables idempotently, and the one permission check ``may(user, action,
  resource)``.
* ``scopes``: one scope helper per kind of row; every query for calendars, appointments,
  clients and cases goes through ``visible_calendar_ids`` / ``bookable_calendar_ids`` /
  ``client_scope`` / ``case_scope`` / ``appointment_scope`` and their siblings.

Everything is re-exported here: ``from app.security import X`` is the way to import it.
"""
from app.security.vocabulary import *  # noqa: F401,F403
from app.security.roles import (  # noqa: F401
    MENU_HIDDEN, ROLE_GRANTS, SELF_SERVICE, may, role_names, sees_everything, sync_roles,
)
from app.security.scopes import (  # noqa: F401
    appointment_scope, bookable_calendar_ids, calendar_access_scope, case_scope, client_scope,
    clinical_case_scope, current_user, in_scope, invoice_scope, location_scope, may_read_form_answers,
    message_scope, note_scope, payment_scope, row_in, scope_condition, scope_filter, shift_scope, time_block_scope,
    visible_calendar_ids, waitlist_scope, writable,
)
from app.security.reader import reader_zone  # noqa: F401,E402
