"""Every list asked for page by page says how many items match on all pages together, in its
`X-Total-Count` header, as each service's OpenAPI document promises; an endpoint that would
answer a page without it fails rather than leave the header out (shared/http.py Page)."""
import json

import pytest

from doorstroom.chain import SERVICES
from doorstroom.topology import service_class
from services.training.service import TrainingService
from services.training.tests.test_service import TRAINER, plan_cohort
from shared.http import TOTAL_COUNT, ApiEndpoint, Page, Paging, endpoints, openapi_document
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
    planned = [plan_cohort(training, "bhv", starts_in_days=days)["id"] for days in range(3)]
    response = training.call("GET", "/cohorts?module=bhv&offset=1&limit=1", TRAINER)
    assert response.status_code == 200, response.text
    assert [cohort["id"] for cohort in response.json()] == planned[1:2]
    assert response.headers[TOTAL_COUNT] == "3"


def test_a_paged_list_answers_its_total_in_a_header_and_only_as_a_page():
    listing = ApiEndpoint("GET", "/things", public=True, query=Paging, many=True)
    answer = listing.response_from_result(Page([{"name": "a"}], 7))
    assert answer.headers[TOTAL_COUNT] == "7" and json.loads(answer.get_data()) == [{"name": "a"}]
    with pytest.raises(TypeError, match=TOTAL_COUNT):
        listing.response_from_result([{"name": "a"}])
    plain = ApiEndpoint("GET", "/things", public=True, many=True)
    assert TOTAL_COUNT not in plain.response_from_result([{"name": "a"}]).headers
