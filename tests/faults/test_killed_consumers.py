"""Scenario 2: training and notifications are killed with SIGKILL while intake admits
participants; each comes back a few seconds later with the same config, database and port, to
a backlog. Twice: the second time right after the restart, while the backlog is being worked
off. Every admission must reach training and the PI's inbox exactly once."""
import time

import pytest

from tests.faults.judge import judge, log_findings
from tests.faults.running import CaseManager

pytestmark = [pytest.mark.faults, pytest.mark.e2e]

ROUNDS = 2
BEFORE = 4  # admissions before the first kill, and after the last restart
AWAY_SECONDS = 3.0  # admitting all the while
KILLED = ("training", "notifications")


def test_killed_consumers_come_back_to_their_backlog(running):
    pi = CaseManager(running)
    kills, restarts, while_away = 0, 0, []
    for _ in range(BEFORE):
        pi.admit(len(pi.admitted))
    for _ in range(ROUNDS):
        for service in KILLED:
            running.kill_9(service)
            kills += 1
        away_until, admitted = time.monotonic() + AWAY_SECONDS, len(pi.admitted)
        while time.monotonic() < away_until:
            pi.admit(len(pi.admitted))
        while_away.append(len(pi.admitted) - admitted)
        running.restart(*KILLED)
        restarts += len(KILLED)
    for _ in range(BEFORE):
        pi.admit(len(pi.admitted))

    verdict = judge(running, answered=pi.admitted)
    print(verdict.figures({"faults injected": kills, "kill -9": kills, "restarts": restarts,
                           "admissions": len(pi.admitted),
                           "admitted while they were away": while_away}))
    print(log_findings(running))
    problems = verdict.problems()
    assert not problems, "\n".join(problems) + f"\nlogs: {running.data_dir / 'logs'}"
