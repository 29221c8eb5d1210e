"""Each organisation's example in examples/, run as README.md ("Examples") runs it, with that
organisation's own key, against the whole chain as `doorstroom up` runs it: together they take
one participant from intake to a job the municipality and its integrator hear of. Each step's
effect is checked through the APIs, not in the examples' output. And a client generated from
the OpenAPI documents with openapi-python-client works as it is."""
import importlib
import json
import pkgutil
import re
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import pika
import pytest
import requests

from doorstroom import chain
from services.notifications.tests import receivers
from shared.contracts.policy import forwarded_to
from shared.events import integrator_exchange, new_event
from tests import local_chain
from tests.broker import integrator_accounts

pytestmark = pytest.mark.e2e

# Clear of test_chain_e2e's 18000, test_up_instances' 28000 and the ephemeral ports.
PORT_BASE = 19000
WAIT_SECONDS = 60
BSN = "123456782"
# Dordrecht: where the participant returns and the vacancy is, and whose caseworkers the local
# municipality key speaks for.
MUNICIPALITY = "0505"
SECTOR, OCCUPATION, MODULE, CERTIFICATE = "cleaning", "office-cleaner", "cleaning", \
    "cleaning-diploma"

# A webhook endpoint on this machine (/ok answers 204), as notifications' tests have it.
receiver = receivers.receiver


@pytest.fixture(scope="module")
def env(amqp_uri, tmp_path_factory):
    """What the examples run with, beside the running chain."""
    env = local_chain.environment(amqp_uri, tmp_path_factory.mktemp("chain"))
    with local_chain.up(env, PORT_BASE):
        yield env


@pytest.fixture(scope="module")
def keys(env):
    """{holder: key} as `doorstroom up` made them, one holder per role, named after it."""
    holders = json.loads((Path(env["DOORSTROOM_DATA_DIR"]) / "api-keys.json").read_text())
    return {holder: entry["key"] for holder, entry in holders.items()}


def example(env, script, service, key, *args, refused=False):
    """What the example printed, run as README.md says with `key` against `service`."""
    result = subprocess.run(
        [sys.executable, f"examples/{script}", *args], cwd=chain.PROJECT_ROOT,
        env={**env, "DOORSTROOM_URL": chain.url_of(service, PORT_BASE),
             "DOORSTROOM_API_KEY": key},
        capture_output=True, text=True, timeout=60)
    assert result.returncode == (1 if refused else 0), result.stdout + result.stderr
    return result.stderr if refused else result.stdout


def api(key, service, path, **params):
    response = requests.get(f"{chain.url_of(service, PORT_BASE)}{path}", params=params,
                            headers={"Authorization": f"Bearer {key}"}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def eventually(what, probe):
    deadline = time.monotonic() + WAIT_SECONDS
    while not (found := probe()):
        assert time.monotonic() < deadline, f"no {what} after {WAIT_SECONDS} s"
        time.sleep(0.25)
    return found


def id_after(word, printed):
    return re.search(rf"\b{word} ([0-9a-f-]{{36}})", printed).group(1)


# --- the journey, a step a fixture ---------------------------------------------------------

@pytest.fixture(scope="module")
def employer(env, keys):
    return id_after("employer", example(
        env, "employer_desk.py", "matching", keys["employer-desk"], "employer", "Schoon BV",
        "--sector", SECTOR, "--municipality", "Dordrecht",
        "--contact-email", "hr@schoon.example.org", "--social-return"))


@pytest.fixture(scope="module")
def vacancy(env, keys, employer):
    published = id_after("vacancy", example(
        env, "employer_desk.py", "matching", keys["employer-desk"], "vacancy", employer,
        "--occupation", OCCUPATION, "--sector", SECTOR, "--municipality", "Dordrecht",
        "--certificate", "employee-skills", "--certificate", CERTIFICATE,
        "--start-date", str(date.today() + timedelta(days=60))))
    # Training proposes routes by what vacancies ask: it must have heard of this one first.
    eventually("demand for the vacancy's certificate at training", lambda: any(
        d["sector"] == SECTOR and d["certificate"] == CERTIFICATE
        for d in api(keys["trainer"], "training", "/demand")))
    return published


@pytest.fixture(scope="module")
def cohorts(env, keys, vacancy):
    return [id_after("cohort", example(
        env, "trainer.py", "training", keys["trainer"], "plan", module,
        "--trainer", "Team Leerwerkbedrijf")) for module in ("employee-skills", MODULE)]


@pytest.fixture(scope="module")
def participant(env, keys, cohorts):
    return id_after("participant", example(
        env, "case_manager.py", "intake", keys["pi-case-manager"], "--name", "Kees Smit",
        "--bsn", BSN, "--date-of-birth", "1988-02-03", "--municipality", "Dordrecht",
        "--release-date", str(date.today() + timedelta(days=30))))


@pytest.fixture(scope="module")
def trained(env, keys, participant):
    path = f"/participants/{participant}/programme"
    eventually("a programme", lambda: requests.get(
        f"{chain.url_of('training', PORT_BASE)}{path}", timeout=10,
        headers={"Authorization": f"Bearer {keys['trainer']}"}).status_code == 200)
    return [example(env, "trainer.py", "training", keys["trainer"], "result", participant)
            for _ in ("employee-skills", MODULE)]


@pytest.fixture(scope="module")
def employer_key(env, employer):
    """The employer's own key, issued by an operator as README.md says."""
    issued = subprocess.run(
        [sys.executable, "-m", "doorstroom.cli", "keys", "add", "schoon-bv", "--role",
         "employer", "--employer-id", employer, "--file",
         str(Path(env["DOORSTROOM_DATA_DIR"]) / "api-keys.json")],
        env=env, capture_output=True, text=True, timeout=60, check=True)
    return issued.stdout.split()[-1]


@pytest.fixture(scope="module")
def matched(env, keys, employer, employer_key, vacancy, trained):
    listed = eventually("a proposal at the desk", lambda: example(
        env, "employer_desk.py", "matching", keys["employer-desk"], "proposals",
        "--vacancy", vacancy))
    proposal = id_after("proposal", listed)
    seen_by_employer = example(env, "employer.py", "matching", employer_key, employer,
                               "proposals")
    example(env, "employer.py", "matching", employer_key, employer, "answer", proposal,
            "accept")
    example(env, "employer_desk.py", "matching", keys["employer-desk"], "answer", proposal,
            "--for", "candidate", "accept")
    return proposal, seen_by_employer


@pytest.fixture(scope="module")
def municipality(env, keys, receiver):
    """The municipality's recipient, with a webhook, subscribed before the job starts; and the
    webhook's signing secret as the example showed it."""
    printed = example(env, "municipality.py", "notifications", keys["municipality-caseworker"],
                      "subscribe", "werk-en-inkomen", "--pattern", "participant.*",
                      "--pattern", "placement.*", "--webhook", f"{receiver}/ok")
    return id_after("recipient", printed), re.search(r"webhook secret .*: (\S+)",
                                                     printed).group(1)


@pytest.fixture(scope="module")
def integrator(amqp_uri, env, keys, tmp_path_factory):
    """The municipality's integrator under its own broker account, following everything
    forwarded to it from before the job starts."""
    with integrator_accounts(amqp_uri) as accounts:
        with local_chain.example_integrator(
                {**env, "AMQP_URI": accounts["integrator-municipality"]},
                tmp_path_factory.mktemp("integrator"), "--integrator", "municipality") as out:
            yield out


@pytest.fixture(scope="module")
def started(env, keys, participant, matched, municipality, integrator):
    eventually("a planned placement", lambda: api(
        keys["job-coach"], "placement", "/placements", participant_id=participant))
    return id_after("placement", example(
        env, "job_coach.py", "placement", keys["job-coach"], "start", participant,
        "--contract-type", "work-trial", "--hourly-wage", "14.06",
        "--coach", "Team Jobcoaching"))


# --- what each step did, seen through the APIs ----------------------------------------------

def test_the_employer_desk_registers_an_employer_and_publishes_a_vacancy(keys, employer,
                                                                         vacancy):
    desk = keys["employer-desk"]
    assert api(desk, "matching", f"/employers/{employer}")["social_return"] is True
    [listed] = api(desk, "matching", "/vacancies", employer_id=employer)
    assert (listed["id"], listed["status"], listed["municipality"]) == \
        (vacancy, "open", MUNICIPALITY)
    assert set(listed["required_certificates"]) == {"employee-skills", CERTIFICATE}


def test_the_case_manager_registers_screens_records_consent_and_admits(keys, participant):
    record = api(keys["pi-case-manager"], "intake", f"/participants/{participant}")
    assert (record["status"], record["municipality"]) == ("admitted", MUNICIPALITY)
    assert record["screening"]["motivation"] == 4
    assert {c["purpose"]: c["legal_basis"] for c in record["consents"]} == {
        "training": "consent", "matching": "consent", "placement-follow-up": "consent",
        "inform-municipality": "legal-obligation"}
    identity = api(keys["pi-case-manager"], "intake", f"/participants/{participant}/identity")
    assert (identity["name"], identity["bsn"]) == ("Kees Smit", BSN)


def test_an_example_prints_what_the_service_refused_field_by_field(env, keys, participant):
    case_manager = ("case_manager.py", "intake", keys["pi-case-manager"])
    person = ["--name", "Piet Bakker", "--date-of-birth", "1990-05-17",
              "--release-date", "2027-03-01"]
    wrong = example(env, *case_manager, *person, "--bsn", "123456789",
                    "--municipality", "dordrecht", refused=True)
    assert "POST /participants refused (422)" in wrong
    assert "identity.bsn: Not a valid BSN: nine digits that pass the eleven-test." in wrong
    assert "municipality: Not a municipality" in wrong and "'Dordrecht' (0505)" in wrong
    known = example(env, *case_manager, *person, "--bsn", BSN, "--municipality", "Dordrecht",
                    refused=True)
    assert "refused (409)" in known and f"participant_id: {participant}" in known


def test_the_trainer_plans_cohorts_and_records_results(keys, participant, cohorts, trained):
    trainer = keys["trainer"]
    assert {c["module"] for c in api(trainer, "training", "/cohorts")
            if c["id"] in cohorts} == {"employee-skills", MODULE}
    programme = api(trainer, "training", f"/participants/{participant}/programme")
    assert programme["status"] == "completed"
    assert [r["module"] for r in programme["results"] if r["passed"]] == \
        ["employee-skills", MODULE]
    assert {c["certificate"] for c in programme["certificates"]} == \
        {"employee-skills", CERTIFICATE}
    assert "programme completed" in trained[-1]


def test_the_employer_and_the_desk_answer_a_proposal_into_a_match(keys, participant, matched):
    proposal, seen_by_employer = matched
    [answered] = api(keys["employer-desk"], "matching", "/proposals", participant_id=participant)
    assert (answered["id"], answered["status"]) == (proposal, "accepted")
    assert answered["employer_accepted"] and answered["candidate_accepted"]
    # The employer saw the proposal with an anonymous candidate.
    assert proposal in seen_by_employer and participant not in seen_by_employer


def test_the_job_coach_starts_the_placement_and_checks_in(env, keys, started):
    example(env, "job_coach.py", "placement", keys["job-coach"], "check-in", started,
            "--risk", "attention", "--notes", "late twice this week")
    placement = api(keys["job-coach"], "placement", f"/placements/{started}")
    assert (placement["status"], placement["contract_type"], placement["hourly_wage_cents"]) \
        == ("started", "work-trial", 1406)
    assert [(c["risk"], c["notes"]) for c in placement["check_ins"]] == \
        [("attention", "late twice this week")]


def test_the_municipality_reads_its_inbox_and_acknowledges_what_it_read(env, keys, participant,
                                                                       municipality, started):
    caseworker = keys["municipality-caseworker"]
    recipient, _ = municipality
    inbox = f"/recipients/{recipient}/inbox"
    [entry] = eventually("the started job in the municipality's inbox", lambda: [
        e for e in api(caseworker, "notifications", inbox, unread="true")
        if (e["event_type"], e["subject"]) == ("placement.started", participant)])
    printed = example(env, "municipality.py", "notifications", caseworker, "inbox",
                      "werk-en-inkomen")
    assert "placement.started" in printed and participant in printed
    assert api(caseworker, "notifications", inbox, unread="true") == []
    [read] = [e for e in api(caseworker, "notifications", inbox) if e["id"] == entry["id"]]
    assert read["acknowledged_at"] is not None


def test_the_municipalitys_webhook_gets_the_started_job_signed_with_the_secret_it_was_shown(
        participant, municipality, started):
    _, secret = municipality
    path, headers, body = eventually("the started job at the webhook", lambda: next(
        (call for call in receivers.Receiver.calls if call[0] == "/ok"
         and json.loads(call[2]).get("subject") == participant), None))
    assert json.loads(body)["type"] == "placement.started"
    assert receivers.verified(secret, headers, body)


def test_the_integrator_reads_the_facts_it_is_entitled_to_through_the_cloudevents_sdk(
        participant, integrator, started):
    line = eventually("the started job at the integrator", lambda: next(
        (line for line in integrator.read_text().splitlines()
         if "placement.started" in line and participant in line), None))
    assert '"contract_type": "work-trial"' in line
    # A fact's line starts with its time; the rest is what the integrator says of itself.
    printed_types = {line.split()[1] for line in integrator.read_text().splitlines()
                     if line[:1].isdigit()}
    assert printed_types <= set(forwarded_to("municipality"))


def test_the_integrator_handles_a_fact_once_reads_plain_json_and_skips_the_unreadable(
        channel, integrator):
    """What notifications forwards, as the integrator's exchange could hold it: a fact twice
    (a redelivery), one as facts were sent before `application/cloudevents+json`, a message
    that is no fact; and after them a last fact, which the integrator reads only after all the
    others, from its one queue."""
    facts = [new_event("intake", "participant.released", {
        "participant_id": p, "released_on": "2027-01-15", "municipality": MUNICIPALITY},
        subject=p) for p in (str(uuid.uuid4()) for _ in range(3))]
    twice, plain, last = (json.dumps(fact.to_json()) for fact in facts)
    exchange = integrator_exchange("municipality")
    for body, content_type in [(twice, "application/cloudevents+json"),
                               (twice, "application/cloudevents+json"),
                               (plain, "application/json"),
                               ("[1, 2, 3]", "application/cloudevents+json"),
                               (last, "application/cloudevents+json")]:
        channel.basic_publish(exchange, "participant.released", body, pika.BasicProperties(
            content_type=content_type, delivery_mode=2))
    eventually("the last fact at the integrator",
               lambda: facts[2].subject in integrator.read_text())
    lines = integrator.read_text().splitlines()
    assert [sum(fact.subject in line for line in lines) for fact in facts] == [1, 1, 1]
    assert any("skipped an unreadable message" in line and "[1, 2, 3]" in line
               for line in lines)


# --- a generated client ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def clients(keys, tmp_path_factory):
    """{service: what openapi-python-client printed} for the package it generated for each
    service, from the document the running service serves, as an integrator would make it;
    the packages (`intake_client`, ...) importable meanwhile."""
    directory = tmp_path_factory.mktemp("clients")
    printed = {service: generate_client(service, directory) for service in chain.SERVICES}
    sys.path.insert(0, str(directory))
    yield printed
    sys.path.remove(str(directory))
    for name in [name for name in sys.modules if name.split(".")[0].endswith("_client")]:
        del sys.modules[name]


def generate_client(service, directory):
    document = directory / f"{service}.json"
    document.write_text(requests.get(f"{chain.url_of(service, PORT_BASE)}/openapi.json",
                                     timeout=10).text)
    config = directory / f"{service}-config.json"
    # No formatting afterwards: the generator's default post hooks call ruff.
    config.write_text(json.dumps({"post_hooks": [],
                                  "package_name_override": f"{service}_client"}))
    generated = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(document),
         "--output-path", str(directory / f"{service}_client"), "--meta", "none",
         "--config", str(config)], capture_output=True, text=True, timeout=120)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    return generated.stdout + generated.stderr


@pytest.mark.parametrize("service", chain.SERVICES)
def test_every_services_document_generates_a_client_with_every_operation(clients, service):
    assert "Warning" not in clients[service], clients[service]
    operations = importlib.import_module(f"{service}_client.api.{service}")
    names = [m.name for m in pkgutil.iter_modules(operations.__path__)]
    for name in names:
        importlib.import_module(f"{service}_client.api.{service}.{name}")
    document = requests.get(f"{chain.url_of(service, PORT_BASE)}/openapi.json", timeout=10)
    assert len(names) == sum(len(methods) for methods in document.json()["paths"].values())


def test_a_client_generated_for_intake_registers_and_reads_a_participant(keys, clients):
    from intake_client import AuthenticatedClient
    from intake_client.api.intake import get_participant, register
    from intake_client.models import Error, Participant, RegisterParticipant

    pi = AuthenticatedClient(base_url=chain.url_of("intake", PORT_BASE),
                             token=keys["pi-case-manager"])
    person = {"identity": {"name": "Anna de Wit", "bsn": "100000009",
                           "date_of_birth": "1991-07-08"},
              "target_group": "long-term-unemployed", "institution": "PI Dordtse Poorten",
              "municipality": "Dordrecht", "expected_release_date": "2027-04-01"}
    registered = register.sync(client=pi, body=RegisterParticipant.from_dict(person),
                               idempotency_key=str(uuid.uuid4()))
    assert isinstance(registered, Participant) and registered.municipality == MUNICIPALITY
    read = get_participant.sync(client=pi, participant_id=registered.id)
    assert (read.id, read.status.value) == (registered.id, "registered")
    refused = register.sync(client=pi, body=RegisterParticipant.from_dict(
        {**person, "identity": {**person["identity"], "bsn": "123456789"}}))
    assert isinstance(refused, Error)
    assert "bsn" in refused.fields.additional_properties["identity"]
