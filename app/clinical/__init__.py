"""The clinical record (no HTTP): note templates, notes with signing and addenda, the
visit's progress, treatment plans, attachments, and the queries behind the provider's
day, the client file and the case file. Screens live in ``app/views/clinical.py``."""
