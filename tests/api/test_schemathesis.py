"""Schemathesis over the published schema, in process: generated requests (valid and not) to
every operation, checked for server errors, undocumented status codes and content types,
responses that do not match the schema, and endpoints that ignore missing credentials."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from rest_framework.renderers import JSONRenderer
from schemathesis import GenerationMode
from schemathesis.checks import ignored_auth, not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance

from lifecycle import services

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance, ignored_auth]
EXAMPLES = 8


def _load_schema():
    document = json.loads(JSONRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = get_wsgi_application()
    return loaded


SCHEMA = _load_schema()
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
LABELS = [operation.label for operation in OPERATIONS]


def _has_input(operation) -> bool:
    # Security schemes show up as header and cookie parameters; only declared input counts.
    declared = [p for p in operation.iter_parameters() if "x-original-security-type" not in p.definition]
    return bool(declared) or bool(list(operation.body))


# Invalid input needs something to be invalid: an operation with no parameters and no body has none.
CASES = [(operation.label, GenerationMode.POSITIVE) for operation in OPERATIONS] + [
    (operation.label, GenerationMode.NEGATIVE) for operation in OPERATIONS if _has_input(operation)
]


@pytest.fixture
def in_process_requests(db):
    # As Django's test client does: requests must not close the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(project, alice):
    """Alice owns a project with members, so generated ids sometimes meet real rows."""
    _, raw = services.token_create(user=alice, name="schemathesis")
    return raw


@pytest.mark.parametrize(("label", "mode"), CASES, ids=[f"{label}-{mode.value}" for label, mode in CASES])
def test_the_api_conforms_to_its_schema(label, mode, token, in_process_requests):
    operation = SCHEMA.find_operation_by_label(label)

    @given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis_settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
    def exercise(case):
        # The in-process transport does not decode gzip, which real clients do.
        headers = {"Authorization": f"Token {token}", "Accept-Encoding": "identity"}
        case.call_and_validate(headers=headers, checks=CHECKS)

    exercise()


def test_every_operation_is_exercised_with_valid_and_invalid_input():
    assert len(LABELS) >= 45
    assert len(CASES) == 2 * len(LABELS) - 1  # all but GET /api/v1/inbox/, which takes no input
