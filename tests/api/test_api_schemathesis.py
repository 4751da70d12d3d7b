"""The OpenAPI document is valid, complete, and the API keeps to it (schemathesis, against the app itself)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from grants.auth.permissions import rule_for
from tests.api.helpers import bearer, build_dataset, token_for
from tests.factories import staff_user

OPENAPI = "/api/v1/openapi.json"


@pytest.fixture
def admin_token():
    """An admin token on every programme, over a small dataset of two programmes."""
    build_dataset()
    return token_for(staff_user("admin"), "admin")


OPERATIONS = [
    "/rounds",
    "/rounds/{code}",
    "/applications",
    "/applications/{reference}",
    "/awards",
    "/awards/{reference}",
    "/payments",
]


# schemathesis' own pytest integration (schema.parametrize with from_fixture) fails on pytest 9
# (it writes Node._nodeid), so each operation's strategy runs under Hypothesis' @given here.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
@pytest.mark.parametrize("path", OPERATIONS)
def test_every_operation_answers_without_server_errors_and_as_documented(app, admin_token, path, mode):
    operation = schemathesis.openapi.from_wsgi(OPENAPI, app)[path]["GET"]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def answers_as_documented(case):
        case.call_and_validate(headers=bearer(admin_token), checks=CHECKS)

    answers_as_documented()


KNOWN = {
    "/rounds/{code}": {"code": "APIA-R1"},
    "/applications/{reference}": {"reference": "APIA-R1-0001"},
    "/awards/{reference}": {"reference": "APIA-A-0001"},
}
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


@pytest.mark.parametrize("path", list(KNOWN))
def test_an_item_that_exists_answers_as_documented(app, admin_token, path):
    """Generated references almost never exist, so each item endpoint is also called for one that does."""
    operation = schemathesis.openapi.from_wsgi(OPENAPI, app)[path]["GET"]

    response = operation.Case(path_parameters=KNOWN[path]).call_and_validate(headers=bearer(admin_token), checks=CHECKS)

    assert response.status_code == 200


def test_the_openapi_document_is_valid_openapi_3(app, client):
    response = client.get(OPENAPI)

    loaded = schemathesis.openapi.from_dict(response.get_json())
    loaded.validate()  # raises on anything the OpenAPI 3.0 schema refuses
    assert response.status_code == 200
    assert response.get_json()["openapi"].startswith("3.0")


def test_the_openapi_document_names_every_api_route_with_bearer_security(app, client):
    document = client.get(OPENAPI).get_json()

    routes = {
        rule.rule.removeprefix("/api/v1").replace("<", "{").replace(">", "}")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule_for(app, rule.endpoint).kind == "api_token"
    }
    assert document["components"]["securitySchemes"] == {
        "bearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token issued by an administrator (gf_...)",
        }
    }
    assert set(document["paths"]) == routes == set(OPERATIONS)
    for path, operations in document["paths"].items():
        get = operations["get"]
        assert get["security"] == [{"bearerAuth": []}], path
        expected = {"200", "401", "403", "404" if "{" in path else "400"}
        assert set(get["responses"]) == expected, path


def test_the_list_parameters_come_from_the_query_schemas(client):
    document = client.get(OPENAPI).get_json()

    parameters = {p["name"]: p["schema"] for p in document["paths"]["/payments"]["get"]["parameters"]}
    assert set(parameters) == {"page", "per_page", "award", "state", "due_from", "due_to"}
    assert parameters["per_page"]["maximum"] == 100
    assert parameters["due_from"]["format"] == "date"
    assert parameters["state"]["enum"] == ["scheduled", "approved", "held", "paid", "cancelled"]


def test_the_openapi_document_is_public(client):
    response = client.get(OPENAPI)

    assert response.status_code == 200
    assert response.get_json()["info"]["title"] == "grantflow API"
