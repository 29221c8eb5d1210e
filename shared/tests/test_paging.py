"""Every list asked for page by page says how many items match on all pages together, in its
`X-Total-Count` header, as each service's OpenAPI document promises; an endpoint that would
answer a page without it fails rather than leave the header out (shared/http.py Page)."""
import pytest

from doorstroom.chain import SERVICES
from doorstroom.topology import service_class
from services.training.service import TrainingService
from services.training.tests.test_service import TRAINER, plan_cohort
from shared.http import TOTAL_COUNT, endpoints, openapi_document
from tests.harness import running_service


@pytest.mark.parametrize("service", SERVICES)
def test_every_paged_list_documents_its_total(service):
    cls = service_class(service)
    document = openapi_document(cls, cls.title)
    paged = [endpoint for endpoint, _ in endpoints(cls) if endpoint.paged]
    assert paged
    for endpoint in paged:
        success = document["paths"][endpoint.path][endpoint.method.lower()]["responses"]["200"]
        assert TOTAL_COUNT in success["headers"], endpoint.path


@pytest.fixture(scope="module")
def training(amqp_uri, directory):
    with running_service(TrainingService, amqp_uri, directory) as api:
        yield api


def test_a_page_of_cohorts_says_how_many_there_are_in_all(training):
    planned = [plan_cohort(training, "bhv")["id"] for _ in range(3)]
    response = training.call("GET", "/cohorts?module=bhv&offset=1&limit=1", TRAINER)
    assert response.status_code == 200, response.text
    assert [cohort["id"] for cohort in response.json()] == planned[1:2]
    assert response.headers[TOTAL_COUNT] == "3"
