"""`doorstroom run-check placement milestones`: the operator has placement check the milestones
now, and a milestone that came due since its timer last ran is published without waiting an
hour for the timer; a check the service has not is one line on stderr and exit 1."""
import subprocess
import time
from datetime import timedelta

import pytest
from sqlalchemy import text

from doorstroom import chain
from services.placement.service import PlacementService
from services.placement.tests.test_service import accepted_match, start
from shared import clock
from shared.store import _lock_key, make_engine
from tests.databases import fresh_database
from tests.harness import free_port, running_service
from tests.local_chain import doorstroom

WATCHED = ["placement"]
# Where placement listens above the port base (chain.port_of).
PLACEMENT_OFFSET = 1 + list(chain.SERVICES).index("placement")


@pytest.fixture(scope="module")
def placement(amqp_uri, directory, broker):
    """Placement, where `--port-base BASE` finds it, with its timers run at start."""
    port = free_port()
    with running_service(PlacementService, amqp_uri, directory,
                         WEB_SERVER_ADDRESS=f"127.0.0.1:{port}") as api:
        yield api, port - PLACEMENT_OFFSET


def run_check(directory, base, *args):
    env = {"DOORSTROOM_DATA_DIR": str(directory)}
    return subprocess.run(doorstroom("run-check", *args, env=env, port_base=base),
                          cwd=chain.PROJECT_ROOT, capture_output=True, text=True, timeout=60)


def test_run_check_publishes_a_due_milestone_without_waiting_for_the_timer(placement, broker,
                                                                            directory):
    api, base = placement
    participant, placement_id, _ = accepted_match(broker)
    # Started 40 days ago, recorded after the check at start: the timer's next run is an hour off.
    start(api, placement_id, on=clock.today() - timedelta(days=40))
    time.sleep(1)
    assert [f for f in broker.drain() if f["type"] == "placement.milestone_reached"
            and f["subject"] == participant] == []
    ran = run_check(directory, base, "placement", "milestones")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "placement ran its milestones check"
    [reached] = broker.facts("placement.milestone_reached", participant)
    assert reached["data"]["months"] == 1


def test_run_check_says_as_json_what_ran(placement, directory):
    _, base = placement
    ran = run_check(directory, base, "placement", "retention", "--json")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == '{"service": "placement", "check": "retention"}'


def test_a_check_the_service_has_not_is_one_line_and_exit_1(placement, directory):
    _, base = placement
    ran = run_check(directory, base, "placement", "housekeeping")
    assert ran.returncode == 1 and ran.stdout == ""
    assert ran.stderr.strip() == ("placement answered 404: placement has no scheduled check "
                                  "'housekeeping'; its checks are milestones, retention")


def test_a_check_another_instance_is_running_is_left_to_it(amqp_uri, tmp_path):
    """On PostgreSQL, where the instances of a service share the lease of each check: while
    another holds it, as an instance running the check does, run-check answers 409 and exit 1."""
    with fresh_database("postgresql") as url:
        port = free_port()
        with running_service(PlacementService, amqp_uri, tmp_path, DATABASE_URL=url,
                             WEB_SERVER_ADDRESS=f"127.0.0.1:{port}"):
            engine = make_engine(url)
            with engine.connect() as other_instance:
                # Once the service's own check at start has let go of it.
                deadline = time.monotonic() + 10
                while not other_instance.scalar(text("SELECT pg_try_advisory_lock(:key)"), {
                        "key": _lock_key("placement", "milestones")}):
                    assert time.monotonic() < deadline
                    time.sleep(0.1)
                ran = run_check(tmp_path, port - PLACEMENT_OFFSET, "placement", "milestones")
            engine.dispose()
            assert ran.returncode == 1 and ran.stdout == ""
            assert ran.stderr.strip() == (
                "placement answered 409: another instance of placement is running its "
                "milestones check just now; it is left to that one")
            ran = run_check(tmp_path, port - PLACEMENT_OFFSET, "placement", "milestones")
            assert ran.returncode == 0, ran.stderr
