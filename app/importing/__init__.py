"""Bringing patients in and out: CSV import of clients (``csvfile`` reads, ``cleaning``
checks one row, ``planner`` decides every row's outcome, ``runner`` writes it in bulk in
one transaction) and exports (``export``: the client list as CSV, one client as a zip)."""
