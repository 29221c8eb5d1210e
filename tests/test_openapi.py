"""Every service's OpenAPI document, as GET /openapi.json serves it, is valid OpenAPI 3.0 by
openapi-spec-validator and names every status an operation can answer."""
import json

import pytest
from marshmallow import Schema, fields
from openapi_spec_validator import validate

from doorstroom.chain import SERVICES
from doorstroom.topology import service_class
from shared.http import ApiEndpoint, openapi_document

PUBLIC_PATHS = {"/health", "/openapi.json", "/metrics"}
# Writes whose body names another record of the service: one that names none is a 404.
REFERRING = {("/cohorts", "post"), ("/vacancies", "post")}


@pytest.fixture(scope="module", params=SERVICES)
def document(request):
    service = service_class(request.param)
    # As it is served, but without json.dumps(default=str), which would turn what JSON has no
    # type for into a string unseen.
    return json.loads(json.dumps(openapi_document(service, service.title)))


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def nodes(node):
    if isinstance(node, dict):
        yield node
        node = list(node.values())
    if isinstance(node, list):
        for item in node:
            yield from nodes(item)


def test_the_document_is_valid_openapi(document):
    validate(document)


def test_every_nullable_has_a_type(document):
    # OpenAPI 3.0.3 allows a null only beside an explicit type.
    untyped = [node for node in nodes(document) if node.get("nullable") and "type" not in node]
    assert untyped == []


def test_every_operation_names_its_service_and_what_it_does(document):
    assert document["servers"]
    [tag] = document["tags"]
    for path, method, operation in operations(document):
        assert operation["tags"] == [tag["name"]], (path, method)
        assert operation["description"].startswith(operation["summary"]), (path, method)


def test_the_public_paths_and_only_they_need_no_key(document):
    public = {path for path, _, operation in operations(document) if operation["security"] == []}
    assert public == PUBLIC_PATHS
    assert all(operation["security"] == [{"apiKey": []}]
               for path, _, operation in operations(document) if path not in PUBLIC_PATHS)


def test_every_status_an_operation_can_answer_is_documented_with_the_error_schema(document):
    for path, method, operation in operations(document):
        responses = operation["responses"]
        expected = {"503"}
        if path not in PUBLIC_PATHS:
            expected |= {"401", "403"}
        if "{" in path or (path, method) in REFERRING:
            expected.add("404")
        if "requestBody" in operation:
            expected |= {"400", "413", "422"}
        if any(p["in"] == "query" for p in operation["parameters"]):
            expected.add("422")
        if method in ("post", "put", "patch", "delete"):
            expected |= {"400", "409", "422"}
        success, *errors = responses
        assert success < "300" and set(errors) == expected, (path, method)
        for status in expected:
            schema = responses[status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, (path, method, status)


def test_list_endpoints_document_an_array(document):
    for path, method, operation in operations(document):
        query = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
        if {"offset", "limit"} <= query:  # paged, so a list
            success = next(iter(operation["responses"].values()))
            schema = success["content"]["application/json"]["schema"]
            assert schema["type"] == "array" and "items" in schema, (path, method)


def test_a_list_is_an_array_and_one_object_is_not():
    paths = openapi_document(service_class("matching"), "matching")["paths"]
    listing = paths["/candidates/{participant_id}/vacancies"]["get"]["responses"]["200"]
    one = paths["/vacancies/{vacancy_id}/ranking"]["get"]["responses"]["200"]
    assert listing["content"]["application/json"]["schema"]["type"] == "array"
    assert "$ref" in one["content"]["application/json"]["schema"]


def test_a_decimal_range_is_in_numbers():
    document = openapi_document(service_class("placement"), "placement")
    wage = document["components"]["schemas"]["StartPlacement"]["properties"]["hourly_wage"]
    assert (wage["type"], wage["minimum"], wage["maximum"]) == ("number", 0.01, 200)


class Thing(Schema):
    name = fields.String()


def test_an_answer_that_is_not_what_the_document_says_is_a_fault():
    listing = ApiEndpoint("GET", "/things", public=True, response=Thing, many=True)
    one = ApiEndpoint("GET", "/things/<thing_id>", public=True, response=Thing)
    assert json.loads(listing.response_from_result([{"name": "a"}]).get_data()) == [{"name": "a"}]
    with pytest.raises(TypeError, match="says a list"):
        listing.response_from_result({"name": "a"})
    with pytest.raises(TypeError, match="says one object"):
        one.response_from_result([{"name": "a"}])


def test_every_link_names_an_operation_and_its_parameters(document):
    by_id = {operation["operationId"]: operation for _, _, operation in operations(document)}
    for path, method, operation in operations(document):
        for status, response in operation["responses"].items():
            for link in response.get("links", {}).values():
                target = by_id[link["operationId"]]
                named = {p["name"] for p in target["parameters"] if p["in"] == "path"}
                assert set(link.get("parameters", {})) <= named, (path, method, link)
                assert status < "300" and method in ("post", "put", "patch", "delete")


def test_a_new_record_links_to_what_can_be_done_with_it():
    intake = openapi_document(service_class("intake"), "intake")["paths"]
    registered = intake["/participants"]["post"]["responses"]["201"]["links"]
    assert registered["get_participant"]["parameters"] == {"participant_id": "$response.body#/id"}
    screened = intake["/participants/{participant_id}/screening"]["put"]["responses"]["200"]
    assert screened["links"]["select"]["parameters"] == {
        "participant_id": "$request.path.participant_id"}
    matching = openapi_document(service_class("matching"), "matching")["paths"]
    employer = matching["/employers"]["post"]["responses"]["201"]["links"]
    assert employer["publish_vacancy"] == {"operationId": "publish_vacancy",
                                           "requestBody": {"employer_id": "{$response.body#/id}"}}
    vacancy = matching["/vacancies"]["post"]["responses"]["201"]["links"]
    assert vacancy["ranking"]["parameters"] == {"vacancy_id": "$response.body#/id"}
    # A module is named by its code: in the paths of its own operations, and as the `module`
    # of a cohort.
    training = openapi_document(service_class("training"), "training")["paths"]
    module = training["/modules"]["post"]["responses"]["201"]["links"]
    assert module["change_module"]["parameters"] == {"code": "$response.body#/code"}
    assert module["plan_cohort"]["requestBody"] == {"module": "{$response.body#/code}"}
