"""Scenario 4: the broker restarts while the demo's facts flow: its application
(`rabbitmqctl stop_app`, a pause, `start_app`), and the whole node (`rabbitmqctl shutdown`,
`rabbitmq-server -detached`). This disturbs every vhost on the broker, so it is this one
module; the broker is running again afterwards whatever happens. Consumers, relays and publishers must
reconnect: the demo walks its cohort to work and no fact is lost, doubled or parked; while the
broker is away, `doorstroom status` says so."""
import time

import pytest

from tests.broker import restart_broker
from tests.faults.judge import judge, log_findings

pytestmark = [pytest.mark.faults, pytest.mark.e2e]

PARTICIPANTS = 20
FLOWING = 40  # facts recorded by intake before the broker goes away
DOWN_SECONDS = 3.0
DEMO_TIMEOUT = 240


@pytest.mark.parametrize("whole_node", [False, True], ids=["stop_app", "rabbitmq-server"])
def test_the_chain_carries_on_after_a_broker_restart(running, whole_node):
    demo = running.demo(PARTICIPANTS)
    recorded_before = running.rows("intake", "SELECT count(*) FROM outbox")[0][0]
    try:
        deadline = time.monotonic() + 60
        while (demo.running() and time.monotonic() < deadline and running.rows(
                "intake", "SELECT count(*) FROM outbox")[0][0] < recorded_before + FLOWING):
            time.sleep(0.1)
        in_flight = {s: running.unpublished(s) for s in running.instances}
        status = restart_broker(DOWN_SECONDS, while_down=lambda: running.doorstroom("status"),
                                whole_node=whole_node)
    finally:
        code = demo.finish(DEMO_TIMEOUT)

    verdict = judge(running)
    print(verdict.figures({"faults injected": 1, "broker restarts": 1,
                           "of the whole node": int(whole_node),
                           "unpublished when it stopped": in_flight,
                           "demo participants": PARTICIPANTS}))
    print(f"demo exit {code}:\n{demo.tail()}")
    print(log_findings(running))
    problems = verdict.problems()
    # What an operator sees while the broker is away.
    if status.returncode != 1 or "the broker cannot be reached" not in status.stdout \
            or "broker unreachable" not in status.stdout:
        problems.append(f"doorstroom status during the outage said: {status.stdout}")
    if demo.problem(code):
        problems.insert(0, demo.problem(code))
    assert not problems, "\n".join(problems) + f"\nlogs: {running.data_dir / 'logs'}"
