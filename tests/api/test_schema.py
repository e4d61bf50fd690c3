"""The API's OpenAPI schema says what it accepts and everything it answers."""

import pytest

from maillage.api.urls import api

OPERATIONS = [
    (path, method, operation)
    for path, methods in api.get_openapi_schema()["paths"].items()
    for method, operation in methods.items()
]


def _resolved(schema, components):
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _strings(schema, components, where):
    """Every string an operation reads, with where it is (a parameter, a body's field)."""
    schema = _resolved(schema, components)
    for branch in schema.get("anyOf", []) + schema.get("allOf", []) + schema.get("oneOf", []):
        yield from _strings(branch, components, where)
    if schema.get("type") == "string":
        yield where, schema
    for name, field in schema.get("properties", {}).items():
        yield from _strings(field, components, f"{where}.{name}")
    if "items" in schema:
        yield from _strings(schema["items"], components, f"{where}[]")


def test_every_string_the_api_reads_refuses_control_characters():
    """A plain string lets NUL through: PostgreSQL refuses it (500), SQLite stores it."""
    components = api.get_openapi_schema()["components"]["schemas"]
    plain = []
    for path, method, operation in OPERATIONS:
        read = [
            (f"{parameter['in']} {parameter['name']}", parameter["schema"])
            for parameter in operation.get("parameters", [])
        ]
        if body := operation.get("requestBody"):
            read.append(("body", body["content"]["application/json"]["schema"]))
        for where, schema in read:
            for field, string in _strings(schema, components, where):
                if not ("pattern" in string or "enum" in string or "const" in string or "format" in string):
                    plain.append(f"{method.upper()} {path} {field}")
    assert not plain, plain


@pytest.mark.parametrize(("path", "method", "operation"), OPERATIONS, ids=lambda value: str(value)[:40])
def test_every_operation_documents_its_errors_in_one_shape(path, method, operation):
    responses = {str(status): response for status, response in operation["responses"].items()}
    reads = operation.get("requestBody") or any(
        parameter["in"] != "path" for parameter in operation.get("parameters", [])
    )
    if reads:
        assert "422" in responses, "what it reads is validated"
    if operation.get("security"):
        assert {"400", "401"} <= set(responses), "a key can be missing, and a body malformed"
    for status, response in responses.items():
        if int(status) >= 400:
            assert response["content"]["application/json"]["schema"]["$ref"].endswith("/ApiError"), status
