"""Employers share the organisation "employer" but not each other's notification set-up: a key
bound to one employer lists, reads and changes only that employer's recipients and deliveries.
Over real HTTP against the notifications service."""
import uuid

import pytest

from services.notifications.service import NotificationsService
from tests.harness import running_service


@pytest.fixture(scope="module")
def api(amqp_uri, directory):
    with running_service(NotificationsService, amqp_uri, directory) as api:
        api.issue_key("werkgever-a", "employer", employer_id=str(uuid.uuid4()))
        api.issue_key("werkgever-b", "employer", employer_id=str(uuid.uuid4()))
        api.issue_key("werkgever-zonder", "employer")
        yield api


def register(api, holder):
    response = api.call("POST", "/recipients", holder,
                        {"name": f"hr-{holder}", "email": f"hr@{holder}.example.org"})
    assert response.status_code == 201, response.text
    return response.json()


def test_employers_do_not_see_each_others_recipients_or_deliveries(api):
    mine, theirs = register(api, "werkgever-a"), register(api, "werkgever-b")
    listed = api.call("GET", "/recipients", "werkgever-a").json()
    assert [r["id"] for r in listed] == [mine["id"]]
    assert api.call("GET", f"/recipients/{theirs['id']}", "werkgever-a").status_code == 404
    assert api.call("PUT", f"/recipients/{theirs['id']}", "werkgever-a",
                    {"language": "en"}).status_code == 404
    deliveries = api.call("GET", f"/deliveries?recipient_id={theirs['id']}", "werkgever-a")
    assert deliveries.status_code == 200 and deliveries.json() == []
    # The operator sees both.
    everyone = {r["id"] for r in api.call("GET", "/recipients?limit=500", "operator").json()}
    assert {mine["id"], theirs["id"]} <= everyone


def test_an_employer_key_bound_to_no_employer_sees_nothing(api):
    assert api.call("GET", "/recipients", "werkgever-zonder").status_code == 403
