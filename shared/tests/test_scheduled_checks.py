"""Every scheduled check of every service can be run at once by an operator (POST
/checks/{name}, `doorstroom run-check`): each timer is in its service's table of checks, and
only an operator's key runs one."""
import inspect

import pytest
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
from nameko.timer import Timer

from doorstroom.chain import SERVICES
from doorstroom.topology import service_class
from services.training.service import TrainingService
from shared.http import ROLES
from tests.harness import running_service


def timers(service_cls):
    return {name for name, method in inspect.getmembers(service_cls, inspect.isfunction)
            if any(isinstance(entrypoint, Timer)
                   for entrypoint in getattr(method, ENTRYPOINT_EXTENSIONS_ATTR, ()))}


@pytest.mark.parametrize("service", SERVICES)
def test_every_timer_of_the_service_is_a_check_an_operator_can_run(service):
    service_cls = service_class(service)
    assert set(service_cls.scheduled_checks.values()) == timers(service_cls)


@pytest.fixture(scope="module")
def api(amqp_uri, directory):
    with running_service(TrainingService, amqp_uri, directory) as api:
        yield api


def test_an_operator_runs_a_check_at_once(api):
    response = api.call("POST", "/checks/retention", "operator")
    assert response.status_code == 200, response.text
    assert response.json() == {"service": "training", "check": "retention"}


def test_a_check_the_service_has_not_is_a_404_naming_those_it_has(api):
    response = api.call("POST", "/checks/milestones", "operator")
    assert response.status_code == 404
    assert response.json()["error"] == ("training has no scheduled check 'milestones'; its "
                                        "checks are retention")


@pytest.mark.parametrize("role", sorted(set(ROLES) - {"operator"}))
def test_only_an_operator_runs_a_check(api, role):
    assert api.call("POST", "/checks/retention", role).status_code == 403
