"""Scenario 4: the broker restarts (`rabbitmqctl stop_app`, a pause, `start_app`) while the
demo's facts flow. This disturbs every vhost on the broker, so it is this one test, once; the
broker is running again afterwards whatever happens. Consumers, relays and publishers must
reconnect: the demo walks its cohort to work and no fact is lost, doubled or parked."""
import subprocess
import time

import pytest

from tests.broker import broker_running, restart_broker
from tests.faults.judge import judge, log_findings

pytestmark = [pytest.mark.faults, pytest.mark.e2e]

PARTICIPANTS = 20
FLOWING = 40  # facts recorded by intake before the broker goes away
DOWN_SECONDS = 3.0
DEMO_TIMEOUT = 240


def test_the_chain_carries_on_after_a_broker_restart(running):
    demo = running.demo(PARTICIPANTS)
    restarted = 0
    try:
        deadline = time.monotonic() + 60
        while (demo.poll() is None and time.monotonic() < deadline
               and running.rows("intake", "SELECT count(*) FROM outbox")[0][0] < FLOWING):
            time.sleep(0.1)
        in_flight = {s: running.unpublished(s) for s in running.instances}
        restart_broker(DOWN_SECONDS)
        restarted += 1
        code = demo.wait(timeout=DEMO_TIMEOUT)
    except subprocess.TimeoutExpired:
        demo.kill()
        code = f"killed after {DEMO_TIMEOUT}s"
    finally:
        if not broker_running():
            subprocess.run(["rabbitmqctl", "start_app"], check=False, timeout=120)
        demo.wait()
        demo.output_file.close()

    verdict = judge(running)
    output = running.demo_output()
    print(verdict.figures({"faults injected": restarted, "broker restarts": restarted,
                           "unpublished when it stopped": in_flight,
                           "demo participants": PARTICIPANTS}))
    print(f"demo exit {code}:\n{output[-1500:]}")
    print(log_findings(running))
    problems = verdict.problems()
    if code != 0 or "every accepted match became a started placement" not in output:
        problems.insert(0, f"the demo failed (exit {code}): {output[-1500:]}")
    assert restarted == 1
    assert not problems, "\n".join(problems) + f"\nlogs: {running.data_dir / 'logs'}"
