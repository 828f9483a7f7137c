"""The OpenAPI document says what the accounts endpoints really answer: the uniform
registration answer, the busy 503, the staff-email throttle, the last owner's 409."""

import json

import jsonschema
import pytest
from django.test import override_settings

from accounts.tests.conftest import post
from cafe.tests.factories import BranchFactory, UserFactory, owner_of

pytestmark = pytest.mark.django_db
STRONG = "Tr0ub4dor&3-horse"


@pytest.fixture
def document(api_client) -> dict:
    return json.loads(api_client.get("/api/schema/?format=json").content)


def answers(document: dict, path: str, method: str) -> set[str]:
    return set(document["paths"][path][method]["responses"])


def body_schema(document: dict, path: str, method: str, status: int) -> dict:
    schema = document["paths"][path][method]["responses"][str(status)]["content"]["application/json"]["schema"]
    return {**schema, "components": document["components"]}


def conforms(document: dict, path: str, method: str, response) -> None:
    jsonschema.validate(response.json(), body_schema(document, path, method, response.status_code))


def test_the_documented_answers_are_the_real_ones(document):
    assert answers(document, "/api/users/register/", "post") == {"202", "400", "429", "503"}
    assert {"200", "400", "401", "429", "503"} <= answers(document, "/api/users/login/", "post")
    assert {"429", "503"} <= answers(document, "/api/users/me/password/", "post")
    assert {"201", "400", "429"} <= answers(document, "/api/users/employees/", "post")
    assert {"200", "409", "429"} <= answers(document, "/api/users/employees/{id}/", "patch")
    assert {"204", "409"} <= answers(document, "/api/users/employees/{id}/", "delete")
    registered = document["components"]["schemas"]["Registered"]
    assert registered["required"] == ["detail"]
    assert set(registered["properties"]) == {"detail"}


@override_settings(EMPLOYEE_EMAILS_ALLOWED=1)
def test_the_answers_match_their_schemas(document, client_for):
    UserFactory(email="taken@example.com")
    for email in ("taken@example.com", "free@example.com"):
        response = post("/api/users/register/", {"email": email, "password": STRONG})
        assert response.status_code == 202
        conforms(document, "/api/users/register/", "post", response)
    branch = BranchFactory()
    owner = owner_of(branch.company)
    client = client_for(owner)
    refused = client.delete(f"/api/users/employees/{owner.pk}/")
    assert refused.status_code == 409
    conforms(document, "/api/users/employees/{id}/", "delete", refused)
    body = {"email": "cook@example.com", "password": STRONG, "role": "admin"}
    assert client.post("/api/users/employees/", body, format="json").status_code == 201
    throttled = client.post("/api/users/employees/", {**body, "email": "x@example.com"}, format="json")
    assert throttled.status_code == 429
    conforms(document, "/api/users/employees/", "post", throttled)
