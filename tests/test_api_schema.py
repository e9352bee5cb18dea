"""The API against its own OpenAPI schema, with schemathesis on a live server:
every operation, with generated parameters, answers without a server error and
as the schema says (status code, content type, body)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Bounded: a few examples per operation, no shrinking, no deadline (a live
# server on a shared 2-core machine), the same examples every run.
BOUNDED = settings(
    max_examples=15,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.django_db(transaction=True)
def test_the_api_conforms_to_its_openapi_schema(live_server, demo_data):
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 8
    calls = []
    for operation in operations:

        @BOUNDED
        @given(case=operation.as_strategy())
        def conforms(case):
            response = case.call_and_validate(checks=CHECKS)
            calls.append((case.operation.label, response.status_code))

        conforms()
    statuses = {status for _, status in calls}
    assert 200 in statuses and statuses <= {200, 400, 404}, statuses
    # The examples reached every operation, and a real object behind each detail.
    assert {label for label, _ in calls} == {operation.label for operation in operations}


@pytest.mark.django_db(transaction=True)
def test_the_details_of_real_objects_conform_too(live_server, demo_data):
    from stories.models import Article, Claim, Story

    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/openapi.json")
    real = {
        "/api/stories/{slug}/": {"slug": Story.objects.published().get().slug},
        "/api/claims/{id}/": {"id": Claim.objects.published().order_by("pk").first().pk},
        "/api/sources/{id}/": {"id": Article.objects.published().order_by("pk").first().pk},
        "/api/people/{slug}/": {"slug": "justin-timberlake"},
    }
    for path, parameters in real.items():
        operation = schema[path]["GET"]
        case = operation.Case(path_parameters=parameters)
        response = case.call_and_validate(checks=CHECKS)
        assert response.status_code == 200, path
