"""Schemathesis, as an integrator would run it, against every service's OpenAPI document as the
service serves it (GET /openapi.json), on the real broker and a fresh PostgreSQL database: each
operation, called with data that fits its document and with data that does not, by a key whose
role may call it, gets no server error, and an answer whose status, content type, headers and
body its document names; a request the document rules out is refused, and one without a key
too."""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings, strategies
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup

from doorstroom.chain import SERVICES
from doorstroom.topology import service_class
from shared.http import ROLES, endpoints
from tests.databases import away, fresh_database
from tests.harness import running_service

CONFIG = {"checks": {
    # A 422 names the fields that break a rule no JSON Schema can say (a BSN's eleven-test, a
    # municipality's CBS code, a rejection needs a reason): schema-valid data may rightly get it.
    "positive_data_acceptance": {"expected-statuses": [
        "2xx", "401", "403", "404", "409", "422"]},
}}
# Few cases per operation, the same ones on every run.
CASES = settings(max_examples=50, derandomize=True, database=None, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


@pytest.fixture(scope="module", params=SERVICES)
def service(request, amqp_uri, tmp_path_factory):
    directory = tmp_path_factory.mktemp(request.param)
    service_cls = service_class(request.param)
    with fresh_database("postgresql", directory) as url, \
            running_service(service_cls, amqp_uri, directory, DATABASE_URL=url) as api:
        api.database_url = url
        # Who may call each operation, by its method and path as the document names them.
        api.roles = {(endpoint.method, endpoint.path): endpoint.readers
                     for endpoint, _ in endpoints(service_cls)}
        yield api


@pytest.fixture(scope="module")
def api_schema(service):
    """The document the service serves, with the key of a role that may call each operation,
    so that the cases reach its handler, not just a 403: of the roles that may, the first of
    ROLES (the organisations' own before outsiders), an employer's only where no other may (the
    test keys name no employer)."""
    schema = schemathesis.openapi.from_url(f"{service.base_url}/openapi.json",
                                           config=schemathesis.Config.from_dict(CONFIG))

    @schema.auth(refresh_interval=None)
    class RoleKey:
        def get(self, case, context):
            may = service.roles[(case.method.upper(), case.path)]
            if may:  # else a public path
                role = min(may, key=lambda role: (role == "employer", list(ROLES).index(role)))
                return service.keys[role]["key"]

        def set(self, case, key, context):
            if key:
                case.headers = {**(case.headers or {}), "Authorization": f"Bearer {key}"}

    return schema


def exercise(schema, operation):
    """The operation's cases run and checked; returns the statuses they were answered with."""
    cases = strategies.one_of([operation.as_strategy(mode, auth_storage=schema.auth)
                               for mode in MODES])
    statuses = set()

    @CASES
    @given(cases)
    def run(case):
        statuses.add(case.call_and_validate().status_code)
    run()
    return statuses


def test_every_operation_answers_as_its_document_says(api_schema):
    failures = {}
    for result in api_schema.get_all_operations():
        operation = result.ok()
        try:
            statuses = exercise(api_schema, operation)
        except (Exception, FailureGroup) as exc:  # a check's failures come as a group
            failures[operation.label] = exc
            continue
        if statuses <= {401, 403}:
            failures[operation.label] = f"no case got past the key: {sorted(statuses)}"
    assert not failures, "\n\n".join(f"{label}: {exc}" for label, exc in failures.items())


def test_health_answers_503_in_the_error_schema_while_the_database_is_away(service,
                                                                         api_schema):
    with away(service.database_url):
        # A 503 is the right answer here, so not_a_server_error does not apply.
        response = api_schema["/health"]["GET"].Case().call_and_validate(
            excluded_checks=[schemathesis.checks.not_a_server_error])
    assert response.status_code == 503 and "database" in response.json()["error"]
