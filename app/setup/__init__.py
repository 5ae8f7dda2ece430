"""Services behind the managers' setup screens (team, calendars, clients): no HTTP."""
