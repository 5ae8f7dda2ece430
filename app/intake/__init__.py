"""Forms before and after the visit (ARCHITECTURE: intake): ``fields`` (kinds and their
validation, pure), ``scoring`` (outcome measures, pure), ``defaults`` (the forms shipped),
``service`` (versions, requests, drafts, submissions, status), ``links`` (signed links),
``sending`` (the outbox), ``public`` (patients fill at /forms/), ``views`` (staff)."""
