"""Keys and inputs at every service's HTTP edge, over real HTTP against intake: a short or
empty key opens nothing, paging is bounded, a body nested too deeply, text with a NUL character
and a query parameter given twice are refused; 4xx, never 500."""
import json
import logging
import time
import uuid

import pytest
import requests

from tests.harness import running_intake

CASE_MANAGER = "pi-case-manager"


@pytest.fixture(scope="module")
def api(amqp_uri, directory):
    with running_intake(amqp_uri, directory) as api:
        yield api


@pytest.mark.parametrize("key", ["", "short-key"])
def test_an_empty_or_short_key_in_the_keys_file_opens_nothing(api, key):
    api.keys["careless"] = {"role": CASE_MANAGER, "key": key}
    api.keys_file.write_text(json.dumps(api.keys))
    try:
        response = requests.get(f"{api.base_url}/participants", timeout=10,
                                headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 401
        # The other keys in the file stay in force.
        assert api.call("GET", "/participants", CASE_MANAGER).status_code == 200
    finally:
        del api.keys["careless"]
        api.keys_file.write_text(json.dumps(api.keys))


@pytest.mark.parametrize("offset", ["1e30", str(2**63), "1000001", "-1"])
def test_an_offset_out_of_bounds_is_refused_naming_the_field(api, offset):
    response = api.call("GET", f"/participants?offset={offset}", CASE_MANAGER)
    assert response.status_code == 422
    assert "offset" in response.json()["fields"]


def test_a_body_nested_too_deeply_is_refused_with_400(api):
    response = requests.post(f"{api.base_url}/participants", timeout=10,
                             data="[" * 30000 + "]" * 30000,
                             headers={"Authorization": f"Bearer {api.keys[CASE_MANAGER]['key']}",
                                      "Content-Type": "application/json"})
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["error"]


def test_text_with_a_nul_character_is_refused_naming_the_field(api):
    # PostgreSQL cannot store a NUL in text: unrefused, each of these was a 500 there.
    body = {"identity": {"name": "Jan\x00", "bsn": "111222333", "date_of_birth": "1991-04-17"}}
    registered = api.call("POST", "/participants", CASE_MANAGER, body)
    assert registered.status_code == 422
    assert registered.json()["fields"] == {"identity": {"name": ["may not hold a NUL character"]}}
    facts = api.call("GET", "/events?subject=%00", "operator")
    assert facts.status_code == 422 and "subject" in facts.json()["fields"]
    assert api.call("GET", "/participants/%00", CASE_MANAGER).status_code == 404


def test_a_query_parameter_given_twice_is_refused_naming_it(api):
    response = api.call("GET", "/participants?offset=1&limit=5&offset=2", CASE_MANAGER)
    assert response.status_code == 422
    assert response.json()["fields"] == {"offset": ["given more than once"]}


def access_log(caplog, request):
    """What `request()` answers, and the web server's access log lines written meanwhile."""
    with caplog.at_level(logging.INFO, logger="nameko.web.server"):
        answer = request()
        deadline = time.monotonic() + 5
        while not [r for r in caplog.records if r.name == "nameko.web.server"]:
            assert time.monotonic() < deadline, "no access log line"
            time.sleep(0.05)
    return answer, [r.getMessage() for r in caplog.records if r.name == "nameko.web.server"]


def test_the_access_log_names_no_id(api, caplog):
    participant = str(uuid.uuid4())
    answer, lines = access_log(caplog, lambda: api.call("GET", f"/participants/{participant}",
                                                        CASE_MANAGER))
    assert answer.status_code == 404
    assert any('"GET /participants/<id> HTTP/1.1" 404' in line for line in lines), lines
    assert not any(participant in line for line in lines)


def test_the_access_log_keeps_no_search(api, caplog):
    answer, lines = access_log(caplog, lambda: api.call(
        "GET", "/participants?bsn=111222333&name=Jan%20Jansen", CASE_MANAGER))
    assert answer.status_code == 200
    assert any('"GET /participants?<query> HTTP/1.1" 200' in line for line in lines), lines
    assert not any("111222333" in line or "Jansen" in line for line in lines)
