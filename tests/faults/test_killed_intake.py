"""Scenario 3: intake is killed with SIGKILL the moment it has answered a participant's
admission (`POST /participants/{id}/selection`), then restarted with the same config, database
and port: the facts it committed must still go out, and every consumer handle each once.

Intake's relay usually publishes within milliseconds of the commit, before the answer is read,
so in half the rounds intake's route to the broker is partitioned first (tests/faults/proxy.py
drops every byte): the kill then certainly comes after the commit and before the publication.
"""
import pytest

from tests.faults.judge import judge, log_findings
from tests.faults.running import CaseManager

pytestmark = [pytest.mark.faults, pytest.mark.e2e]

PROXIED = ("intake",)
ROUNDS = (False, True, False, True)  # partitioned from the broker first?


def test_facts_intake_committed_go_out_after_it_is_killed_and_restarted(running):
    pi, proxy = CaseManager(running), running.proxies["intake"]
    unpublished_at_kill = []

    def kill_intake():
        running.kill_9("intake")
        unpublished_at_kill.append(running.unpublished("intake"))

    for number, partitioned in enumerate(ROUNDS):
        pi.admit(2 * number)
        if partitioned:
            proxy.partition()
        pi.admit(2 * number + 1, then=kill_intake)
        if partitioned:
            proxy.heal()
        running.restart("intake")

    verdict = judge(running, answered=pi.admitted)
    print(verdict.figures({"faults injected": len(ROUNDS), "kill -9 of intake": len(ROUNDS),
                           "of them partitioned from the broker first": sum(ROUNDS),
                           "facts unpublished at each kill": unpublished_at_kill,
                           "admissions": len(pi.admitted)}))
    print(log_findings(running))
    assert all(unpublished_at_kill[i] for i, partitioned in enumerate(ROUNDS) if partitioned), \
        f"a partitioned kill found nothing unpublished: {unpublished_at_kill}"
    problems = verdict.problems()
    assert not problems, "\n".join(problems) + f"\nlogs: {running.data_dir / 'logs'}"
