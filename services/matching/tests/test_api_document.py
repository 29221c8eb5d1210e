"""What matching's OpenAPI document promises of its lists, and that an answer keeps it."""
import json

import pytest

from services.matching.service import MatchingService
from shared.http import TOTAL_COUNT, ApiEndpoint, Page, openapi_document

# Matching's own paged lists; the audit log's (GET /audit/personal-data-reads) is every
# service's, as shared/service.py makes it.
COUNTED = {"/employers", "/vacancies", "/candidates", "/proposals",
           "/employers/{employer_id}/proposals"}


def test_every_paged_list_of_matching_documents_its_total():
    paths = openapi_document(MatchingService, "matching")["paths"]
    paged = {path for path, methods in paths.items() for operation in methods.values()
             if {"offset", "limit"} <= {p["name"] for p in operation["parameters"]
                                        if p["in"] == "query"}}
    assert COUNTED <= paged
    for path in COUNTED:
        header = paths[path]["get"]["responses"]["200"]["headers"][TOTAL_COUNT]
        assert header["schema"] == {"type": "integer", "minimum": 0}, path


def test_a_counted_list_answers_its_total_in_a_header_and_only_as_a_page():
    listing = ApiEndpoint("GET", "/things", public=True, many=True, counted=True)
    answer = listing.response_from_result(Page([{"name": "a"}], 7))
    assert answer.headers[TOTAL_COUNT] == "7" and json.loads(answer.get_data()) == [{"name": "a"}]
    with pytest.raises(TypeError, match=TOTAL_COUNT):
        listing.response_from_result([{"name": "a"}])
    plain = ApiEndpoint("GET", "/things", public=True, many=True)
    assert TOTAL_COUNT not in plain.response_from_result([{"name": "a"}]).headers
