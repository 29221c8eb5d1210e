"""Schemathesis, as an integrator would run it, against every service's OpenAPI document as the
service serves it (GET /openapi.json), on the real broker and a fresh PostgreSQL database: each
operation, called with data that fits its document and with data that does not, by a key whose
role may call it, gets no server error, and an answer whose status, content type, headers and
body its document names; a request the document rules out is refused, and one without a key
too. So does each step of scenarios along the document's links, from a record created to what
can be done with it."""
import itertools

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings, strategies
from hypothesis.errors import Flaky
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup

from doorstroom.chain import SERVICES
from doorstroom.topology import service_class
from services.intake.domain import bsn_is_valid
from services.training.domain import FIRST_MODULE
from shared import clock
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
# Scenarios enough to reach the operations on a new record, few enough for this file to run
# in about three minutes.
SCENARIOS = settings(CASES, max_examples=100, stateful_step_count=15,
                     phases=[Phase.generate], suppress_health_check=list(HealthCheck))


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
        api.creates = any(endpoint.creates for endpoint, _ in endpoints(service_cls))
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


def fitting(body, bsns):
    """`body` with what the rules no JSON Schema can say take (CONFIG) wherever it names a
    municipality, a date of birth, a start date, a module, an event type pattern or a BSN (a new
    one each time: one already in the chain is a 409), so that creating a record succeeds and a
    scenario goes on with it."""
    if isinstance(body, list):
        return [fitting(item, bsns) for item in body]
    if not isinstance(body, dict):
        return body
    fits = {"municipality": "0512", "banned_municipalities": ["0512"],
            "date_of_birth": "1990-01-01", "start_date": clock.today().isoformat(),
            "module": FIRST_MODULE, "pattern": "participant.*"}
    fitted = {name: fits[name] if name in fits else fitting(value, bsns)
              for name, value in body.items()}
    if "bsn" in fitted:
        fitted["bsn"] = next(bsns)
    return fitted


def test_every_chain_of_linked_operations_answers_as_its_document_says(service, api_schema):
    """Scenarios along the document's links (schemathesis's state machine): a record created,
    then operations on it called with its id, e.g. a participant registered, screened, given
    consent and selected, or an employer registered and its vacancy published, read and
    ranked; each step checked as above, with data that fits the document made to fit its
    other rules too in the scenarios' positive steps."""
    bsns = (bsn for bsn in map(str, itertools.count(100_000_000)) if bsn_is_valid(bsn))
    failures, ended, followed = [], [], set()

    class Scenarios(api_schema.as_state_machine()):
        def before_call(self, case):
            if case.meta.generation.mode is GenerationMode.POSITIVE:
                case.body = fitting(case.body, bsns)

        def step(self, input):
            output = super().step(input)
            if input.transition is not None and output.response.status_code < 300:
                followed.add(input.case.operation.label)
            return output

        def validate_response(self, response, case, **kwargs):
            try:
                super().validate_response(response, case, **kwargs)
            except FailureGroup as exc:
                failures.append(exc)
                raise

        def teardown(self):
            ended.append(True)
            super().teardown()
    # Each scenario leaves its records in the service's database, so Hypothesis cannot replay
    # one exactly and may stop a run as Flaky: as schemathesis's own runner does, a failed check
    # fails, and otherwise a new run goes on until as many scenarios as asked for have ended.
    while len(ended) < SCENARIOS.max_examples:
        try:
            Scenarios.run(settings=SCENARIOS)
        except Flaky:
            if failures:
                raise failures[0] from None
        else:
            break
    # Where a write creates a record, the scenarios went on from it along a link.
    assert followed or not service.creates


def test_health_answers_503_in_the_error_schema_while_the_database_is_away(service,
                                                                         api_schema):
    with away(service.database_url):
        # A 503 is the right answer here, so not_a_server_error does not apply.
        response = api_schema["/health"]["GET"].Case().call_and_validate(
            excluded_checks=[schemathesis.checks.not_a_server_error])
    assert response.status_code == 503 and "database" in response.json()["error"]
