"""Check API responses against the OpenAPI schema the project publishes (OAS 3.1, whose schemas
are JSON Schema 2020-12)."""

from __future__ import annotations

import functools
import re
from typing import Any

from jsonschema import Draft202012Validator


@functools.cache
def openapi() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _operation(path: str, method: str) -> dict:
    for template, item in openapi()["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in item:
            return item[method.lower()]
    raise AssertionError(f"{method} {path} is not in the schema")


def assert_matches_schema(response: Any, method: str = "GET") -> None:
    """The response's status is documented for this operation and its body matches."""
    path = response.request["PATH_INFO"]
    operation = _operation(path, method)
    documented = operation.get("responses", {})
    status = str(response.status_code)
    assert status in documented, f"{method} {path} answered {status}, documented: {sorted(documented)}"
    content = documented[status].get("content", {}).get("application/json")
    if content is None:
        return
    schema = {**content["schema"], "components": openapi()["components"]}
    errors = sorted(Draft202012Validator(schema).iter_errors(response.json()), key=str)
    assert not errors, f"{method} {path} {status}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
