"""Scenario 1: `doorstroom demo` runs against the chain while, every one or two seconds, the
services' AMQP connections in the test's vhost are closed and the services' PostgreSQL backends
are terminated (only those of the test's own databases), alternately. The demo must still walk
its cohort to work, and no fact may be lost, doubled or parked."""
import subprocess

import pytest

from tests.faults.judge import judge, log_findings
from tests.faults.running import Saboteur

pytestmark = [pytest.mark.faults, pytest.mark.e2e]

PARTICIPANTS = 40
DEMO_TIMEOUT = 240


def test_the_demo_survives_cut_connections_and_killed_database_backends(running):
    demo = running.demo(PARTICIPANTS)
    saboteur = Saboteur(running, interval=(1.0, 2.0))
    saboteur.start()
    try:
        code = demo.wait(timeout=DEMO_TIMEOUT)
    except subprocess.TimeoutExpired:
        demo.kill()
        code = f"killed after {DEMO_TIMEOUT}s"
    finally:
        saboteur.stop()
        demo.wait()
        demo.output_file.close()

    verdict = judge(running)
    output = running.demo_output()
    print(verdict.figures({"faults injected": saboteur.injected, **saboteur.counts,
                           "demo participants": PARTICIPANTS}))
    print(f"demo exit {code}:\n{output[-1500:]}")
    print(log_findings(running))
    problems = verdict.problems()
    if saboteur.errors:
        problems.append(f"faults that could not be injected: {saboteur.errors[:5]}")
    if code != 0 or "every accepted match became a started placement" not in output:
        problems.insert(0, f"the demo failed (exit {code}): {output[-1500:]}")
    assert saboteur.injected >= 4, f"only {saboteur.injected} faults injected"
    assert not problems, "\n".join(problems) + f"\nlogs: {running.data_dir / 'logs'}"
