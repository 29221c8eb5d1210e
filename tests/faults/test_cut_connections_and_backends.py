"""Scenario 1: `doorstroom demo` runs against the chain while, every one or two seconds, the
services' AMQP connections in the test's vhost are closed and the services' PostgreSQL backends
are terminated (only those of the test's own databases), alternately. The demo must still walk
its cohort to work, and no fact may be lost, doubled or parked."""

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
        code = demo.finish(DEMO_TIMEOUT)
    finally:
        saboteur.stop()

    verdict = judge(running)
    print(verdict.figures({"faults injected": saboteur.injected, **saboteur.counts,
                           "demo participants": PARTICIPANTS}))
    print(f"demo exit {code}:\n{demo.tail()}")
    print(log_findings(running))
    problems = verdict.problems()
    if saboteur.errors:
        problems.append(f"faults that could not be injected: {saboteur.errors[:5]}")
    if demo.problem(code):
        problems.insert(0, demo.problem(code))
    assert saboteur.injected >= 4, f"only {saboteur.injected} faults injected"
    assert not problems, "\n".join(problems) + f"\nlogs: {running.data_dir / 'logs'}"
