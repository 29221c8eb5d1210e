"""Scenario 1 close up: a trainer's keyed writes (`POST /participants/{id}/results` with an
Idempotency-Key) while the services' PostgreSQL backends are terminated every few tens of
milliseconds. Whatever each first attempt answered, the same request sent again with the same
key once the database is steady must get the first answer (201 and the programme), and the
result must count once."""
import threading
import time
import uuid
from datetime import date, timedelta

import pytest
import requests

from tests.faults.judge import judge, log_findings
from tests.faults.running import CaseManager, terminate_backends

pytestmark = [pytest.mark.faults, pytest.mark.e2e]

PARTICIPANTS = 12
KILL_EVERY_SECONDS = 0.02
PATIENCE_SECONDS = 5.0  # for asking again, as long as the service asks us to (Retry-After)


def test_a_keyed_write_gets_its_first_answer_whatever_became_of_its_connection(running):
    today = date.today()
    trainer = {"Authorization": f"Bearer {running.keys['trainer']['key']}"}
    training = running.url("training")
    requests.post(f"{training}/cohorts", headers=trainer, timeout=10, json={
        "module": "employee-skills", "starts_on": str(today),
        "ends_on": str(today + timedelta(weeks=6)), "places": PARTICIPANTS,
        "trainer": "Team Leerwerkbedrijf"}).raise_for_status()
    pi = CaseManager(running)
    participants = [pi.admit(number) for number in range(PARTICIPANTS)]
    deadline = time.monotonic() + 60
    for participant in participants:
        while requests.get(f"{training}/participants/{participant}/programme", headers=trainer,
                           timeout=10).status_code != 200:
            assert time.monotonic() < deadline, f"no programme for {participant}"
            time.sleep(0.2)

    def post(participant, key):
        try:
            return requests.post(
                f"{training}/participants/{participant}/results", timeout=15,
                headers={**trainer, "Idempotency-Key": key},
                json={"module": "employee-skills", "passed": True, "completed_on": str(today)})
        except requests.RequestException as exc:
            return exc

    halt, kills = threading.Event(), []

    def kill_backends():
        while not halt.wait(KILL_EVERY_SECONDS):
            kills.append(terminate_backends(running))

    keys = {participant: str(uuid.uuid4()) for participant in participants}
    saboteur = threading.Thread(target=kill_backends, daemon=True)
    saboteur.start()
    try:
        first = {participant: post(participant, keys[participant]) for participant in participants}
    finally:
        halt.set()
        saboteur.join(timeout=10)

    again, wrong = {}, []
    for participant in participants:
        deadline = time.monotonic() + PATIENCE_SECONDS
        while True:
            answer = post(participant, keys[participant])
            wait = None if isinstance(answer, Exception) else answer.headers.get("Retry-After")
            if isinstance(answer, Exception) or not wait or time.monotonic() > deadline:
                break
            time.sleep(min(float(wait), 1.0))
        again[participant] = answer
        if isinstance(answer, Exception) or answer.status_code != 201:
            said = answer if isinstance(answer, Exception) else \
                f"{answer.status_code} {answer.text[:200]}"
            was = first[participant] if isinstance(first[participant], Exception) else \
                f"{first[participant].status_code} {first[participant].text[:200]}"
            wrong.append(f"{participant}: first attempt answered {was}; the same key sent again "
                         f"with the database steady answered {said}")

    verdict = judge(running, answered=pi.admitted)
    firsts = [a if isinstance(a, Exception) else a.status_code for a in first.values()]
    print(verdict.figures({"faults injected": len(kills), "backend kills": len(kills),
                           "backends terminated": sum(kills), "keyed writes": PARTICIPANTS,
                           "first answers": firsts,
                           "first answer not given back": len(wrong)}))
    print(log_findings(running))
    problems = verdict.problems()
    if wrong:
        problems.insert(0, f"{len(wrong)} keyed write(s) never got their first answer back:\n  "
                        + "\n  ".join(wrong))
    assert not problems, "\n".join(problems) + f"\nlogs: {running.data_dir / 'logs'}"
