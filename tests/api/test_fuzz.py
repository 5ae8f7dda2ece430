"""Property-based fuzzing of the whole REST API from its own OpenAPI document
(schemathesis, through the WSGI app): valid and invalid input for every operation, as
a manager and as a provider. No answer is a 5xx, and every answer matches the schema
the document declares for it.

One role per backend keeps the run near 45 s a backend: the manager (who may write
everything, so reaches the most database code) on PostgreSQL, whose type and range
errors SQLite would let through; the provider (scoped reads, refused writes) on SQLite.
With EXAMPLES = 6 both roles on both backends were run once: 0 answers >= 500."""
from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from flask import g
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests import factories

EXAMPLES = 3  # per operation, per generation mode (valid, invalid), per role: ~730 requests a role


def _forget_last_token() -> None:
    # The test's app context outlives each request (see tests/api/conftest.Api.request).
    for key in [k for k in vars(g) if k.startswith("_jwt_extended")]:
        g.pop(key)


ROLE_BY_BACKEND = {"postgresql": "manager", "sqlite": "provider"}


def test_no_operation_answers_5xx_or_off_schema(app, backend, scene, as_user):
    role = ROLE_BY_BACKEND[backend]
    factories.make_session_type(discipline=scene.people.discipline)
    manager = as_user("manager")
    document = schemathesis.openapi.from_wsgi("/api/v1/_openapi", app, headers=manager.headers)
    headers = (manager if role == "manager" else as_user(role)).headers
    calls, failures = [], []
    for result in document.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck), phases=[hypothesis.Phase.generate])
            @given(case=operation.as_strategy(generation_mode=mode))
            def fuzz(case):
                _forget_last_token()
                response = case.call(headers=headers)
                calls.append(response.status_code)
                try:
                    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
                except BaseException as exc:  # noqa: BLE001  (schemathesis raises a BaseExceptionGroup; collect all)
                    if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                        raise
                    failures.append(f"{operation.label} {mode.value}: {str(exc)[:600]}")

            try:
                fuzz()
            except hypothesis.errors.Unsatisfiable:
                # Nothing in this operation can be made invalid (no parameters, no body):
                # its valid calls were made in the positive mode.
                assert mode == GenerationMode.NEGATIVE, operation.label
    server_errors = sum(1 for status in calls if status >= 500)
    print(f"\n{role}: {len(calls)} fuzzed requests, {server_errors} answered >= 500")
    assert failures == [], "\n\n".join(failures[:10])
    assert server_errors == 0
    assert len(calls) > 500
