"""The whole chain as separately running services on the real broker, in a fresh vhost, as
`doorstroom up` runs them: each under its own broker account."""
import json
import sqlite3
import subprocess
import sys
import time
import uuid

import pika
import pytest
import requests
import yaml
from cloudevents.core.bindings.rabbitmq import RabbitMQMessage, from_rabbitmq_event

from doorstroom import catalogue, chain
from doorstroom.demo import demo_bsn
from services.placement.store import statutory_minimum_wage
from shared import clock, migrations
from shared.contracts.policy import INTEGRATOR, needed_for
from shared.events import new_event, read_event
from shared.organisations import kind_of
from tests import local_chain
from tests.payloads import payload_validator

pytestmark = pytest.mark.e2e

PORT_BASE = 18000
PERSONAL_KEYS = {"name", "first_name", "last_name", "bsn", "date_of_birth", "birth_date",
                 "address", "offence", "offence_details"}


def doorstroom(*args, env):
    return local_chain.doorstroom(*args, env=env, port_base=PORT_BASE)


@pytest.fixture(scope="module")
def env(amqp_uri, tmp_path_factory):
    return local_chain.environment(amqp_uri, tmp_path_factory.mktemp("chain"))


@pytest.fixture(scope="module")
def running_chain(env):
    with local_chain.up(env, PORT_BASE):
        yield


@pytest.fixture(scope="module")
def channel(amqp_uri):
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    yield connection.channel()
    connection.close()


@pytest.fixture(scope="module")
def watch(channel, running_chain):
    """A queue that hears every fact on every service's exchange."""
    queue = channel.queue_declare("", exclusive=True).method.queue
    for service in chain.SERVICES:
        channel.exchange_declare(f"{service}.events", "topic", durable=True)
        channel.queue_bind(queue, f"{service}.events", "#")
    return queue


def drain(channel, queue, quiet_seconds=2.0):
    messages, last = [], time.monotonic()
    while time.monotonic() - last < quiet_seconds:
        method, properties, body = channel.basic_get(queue, auto_ack=True)
        if method is None:
            time.sleep(0.05)
            continue
        messages.append((method.exchange, method.routing_key, properties, body))
        last = time.monotonic()
    return messages


def run_demo(env, participants=10):
    return subprocess.run(doorstroom("demo", "--participants", str(participants), env=env),
                          env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def integrator(env, running_chain, tmp_path_factory):
    """The example integrator, run as the README says, following the releases and started jobs
    that notifications forwards the municipality's integrator."""
    with local_chain.example_integrator(
            env, tmp_path_factory.mktemp("integrator"), "--integrator", "municipality",
            "--queue", "municipality-test.facts",
            "--type", "participant.released", "--type", "placement.started") as printed:
        yield printed


@pytest.fixture(scope="module")
def demo(env, channel, watch, integrator):
    result = run_demo(env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result, drain(channel, watch)


def personal_keys(value):
    if isinstance(value, dict):
        return {k for k in value if k in PERSONAL_KEYS} | set().union(
            *(personal_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(personal_keys(v) for v in value))
    return set()


def test_the_demo_walks_a_cohort_to_work_with_every_fact_a_clean_cloudevent(demo):
    result, messages = demo
    assert "placed" in result.stdout
    exchanges = {exchange for exchange, *_ in messages}
    assert exchanges == {f"{service}.events" for service in chain.SERVICES}
    facts = []
    for exchange, routing_key, properties, body in messages:
        envelope = json.loads(body)
        fact = read_event(envelope, routing_key)
        assert exchange == f"{fact.source.rsplit('/', 1)[-1]}.events"
        # Each service runs under its own account, which the broker vouches for.
        assert properties.user_id == f"doorstroom-{fact.source.rsplit('/', 1)[-1]}"
        assert properties.delivery_mode == 2
        assert properties.message_id == fact.id
        assert properties.headers["cloudEvents_type"] == fact.type
        if "participant_id" in fact.data:  # an employer's trade name is no personal data
            assert personal_keys(envelope) == set(), envelope
        facts.append(fact)
    started = [f for f in facts if f.type == "placement.started"]
    accepted = {f.data["participant_id"] for f in facts if f.type == "match.accepted"}
    assert len(started) >= 6
    assert {f.data["participant_id"] for f in started} == accepted


def test_the_demo_reads_back_from_the_chain_the_funnel_it_planned(demo):
    """Of ten participants one is rejected, one drops out and one finds no job: each stage as
    the services' recorded facts count it, beside the plan."""
    result, _ = demo
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()
            if line.split() and line.split()[0] in
            ("stage", "registered", "admitted", "trained", "matched", "placed")}
    assert rows == {"stage": ["planned", "measured"], "registered": ["10", "10"],
                    "admitted": ["9", "9"], "trained": ["8", "8"], "matched": ["7", "7"],
                    "placed": ["7", "7"]}
    assert "differs" not in result.stdout
    assert "the chain's facts show the planned funnel" in result.stdout


def test_the_demo_binds_the_local_employer_key_to_an_employer_it_registered(env, demo):
    """`doorstroom up` makes the employer key before any employer exists; the demo binds it to
    its first employer, and says so, and that employer accepts its proposals with it."""
    result, messages = demo
    holder = json.loads((chain.data_dir(env["DOORSTROOM_DATA_DIR"]) / "api-keys.json")
                        .read_text())["employer"]
    employer = holder["organisation"].removeprefix("employer:")
    assert f"now speaks for Cleaning Drechtsteden BV ({employer}): {holder['key']}" in \
        result.stdout
    matching = chain.url_of("matching", PORT_BASE)
    as_employer = {"Authorization": f"Bearer {holder['key']}"}
    assert requests.get(f"{matching}/employers/{employer}", headers=as_employer,
                        timeout=5).json()["name"] == "Cleaning Drechtsteden BV"
    others = {json.loads(body)["data"]["employer_id"] for _, key, _, body in messages
              if key == "employer.registered"} - {employer}
    assert others and all(requests.get(f"{matching}/employers/{other}", headers=as_employer,
                                       timeout=5).status_code == 404 for other in others)


def test_replaying_every_fact_produces_no_new_fact(demo, channel, producers, watch):
    """Each fact again, as its producer's relay would send it a second time."""
    _, messages = demo
    seen = {json.loads(body)["id"] for *_, body in messages}
    for exchange, routing_key, properties, body in messages:
        producers.publish(exchange.removesuffix(".events"), routing_key, body, properties)
    replayed = drain(channel, watch, quiet_seconds=4.0)
    new = [json.loads(body)["type"] for *_, body in replayed if json.loads(body)["id"] not in seen]
    assert new == []


def test_the_example_integrator_receives_the_demos_facts_about_participants_with_a_basis(
        demo, integrator):
    _, messages = demo
    facts = [json.loads(body) for *_, body in messages]
    informed = {f["subject"] for f in facts if f["type"] == "participant.consent_given"
                and f["data"]["purpose"] == "inform-municipality"}
    assert informed and not any(f["type"] == "participant.consent_withdrawn" for f in facts)
    wanted = {f["id"] for f in facts if f["type"] in ("participant.released", "placement.started")
              and f["subject"] in informed}
    deadline = time.monotonic() + 20
    while True:
        lines = [line for line in integrator.read_text().splitlines() if "  " in line]
        received = sum(1 for line in lines if "participant.released" in line
                       or "placement.started" in line)
        if received >= len(wanted) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert received == len(wanted) > 0, integrator.read_text()


def test_every_fact_of_the_demo_matches_the_catalogue_and_reads_with_the_cloudevents_sdk(demo):
    """What integrators' tools will see: each fact the running chain published is valid against
    its message payload in docs/asyncapi.yaml (JSON Schema) and is read, in structured mode, by
    the CloudEvents SDK's RabbitMQ binding."""
    _, messages = demo
    document = yaml.safe_load(catalogue.CATALOGUE.read_text())
    validators = {}
    for _, routing_key, properties, body in messages:
        envelope = json.loads(body)
        validator = validators.setdefault(routing_key, payload_validator(document, routing_key))
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in validator.iter_errors(envelope)]
        assert not errors, (routing_key, errors)
        event = from_rabbitmq_event(RabbitMQMessage(
            headers=properties.headers, content_type=properties.content_type, body=body))
        assert (event.get_id(), event.get_type(), event.get_data()) == \
            (envelope["id"], routing_key, envelope["data"])
    assert len(validators) >= 20


def test_trace_shows_a_demo_participants_journey_in_order(env, demo):
    _, messages = demo
    started = next(json.loads(body) for _, key, _, body in messages if key == "placement.started")
    participant = started["subject"]
    result = subprocess.run(doorstroom("trace", participant, "--json", env=env), env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    journey = json.loads(result.stdout)
    types = [fact["type"] for fact in journey]
    assert [fact["time"] for fact in journey] == sorted(fact["time"] for fact in journey)
    for earlier, later in [("participant.registered", "participant.admitted"),
                           ("participant.admitted", "training.enrolled"),
                           ("training.programme_completed", "match.proposed"),
                           ("match.accepted", "placement.planned"),
                           ("placement.planned", "placement.started")]:
        assert types.index(earlier) < types.index(later), types
    assert {fact["source"] for fact in journey} >= {
        "/doorstroom/intake", "/doorstroom/training", "/doorstroom/matching",
        "/doorstroom/placement"}


def status(env):
    return subprocess.run(doorstroom("status", env=env), env=env, capture_output=True, text=True,
                          timeout=60)


def test_every_service_exposes_prometheus_metrics(demo):
    for service in chain.SERVICES:
        response = requests.get(f"{chain.url_of(service, PORT_BASE)}/metrics", timeout=5)
        assert response.ok and response.headers["Content-Type"].startswith("text/plain")
        assert "doorstroom_outbox_backlog" in response.text
    training = requests.get(f"{chain.url_of('training', PORT_BASE)}/metrics", timeout=5).text
    assert 'doorstroom_events_published_total{event_type="training.enrolled"}' in training
    assert 'doorstroom_events_handled_total{event_type="participant.admitted",' \
           'queue="training.on_intake_fact"}' in training
    assert "doorstroom_handler_seconds_bucket" in training


def test_status_reports_every_service_consuming_on_its_schema(env, demo):
    result = status(env)
    assert result.returncode == 0, result.stdout + result.stderr
    for service in ("training", "matching", "placement", "notifications"):
        assert f"{service}.dlq" in result.stdout
    for service in chain.SERVICES:
        # `doorstroom up` migrated every database to this release's revision.
        assert migrations.head_revision(service) in result.stdout
    assert "nothing parked" in result.stdout
    # A warning is shown, and is no problem: the minimum wage missing the amounts now in force.
    missing = statutory_minimum_wage().missing_from(clock.today())
    assert ("WARNING: placement:" in result.stdout) == (missing is not None)


def test_tail_streams_the_chains_facts(env, producers, running_chain):
    process = subprocess.Popen(
        [sys.executable, "-m", "doorstroom.cli", "tail", "--json", "--count", "1",
         "--type", "participant.*", "--seconds", "30"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert "listening" in process.stderr.readline()
    participant = str(uuid.uuid4())
    fact = new_event("intake", "participant.released", {
        "participant_id": participant, "released_on": "2027-01-15", "municipality": "0505"},
        subject=participant)
    producers.publish("intake", "participant.released", json.dumps(fact.to_json()))
    out, _ = process.communicate(timeout=30)
    assert json.loads(out.splitlines()[0])["subject"] == participant


def test_unreadable_messages_are_parked_and_the_chain_goes_on(env, channel, running_chain):
    bad = pika.BasicProperties(content_type="application/json", delivery_mode=2)
    channel.basic_publish("intake.events", "participant.admitted", b"{not json", bad)
    channel.basic_publish("intake.events", "participant.admitted",
                          json.dumps({"specversion": "1.0", "type": "participant.admitted"}), bad)
    deadline = time.monotonic() + 20
    parked = {}
    while time.monotonic() < deadline:
        parked = {s: channel.queue_declare(f"{s}.dlq", passive=True).method.message_count
                  for s in ("training", "matching", "notifications")}
        if all(count >= 2 for count in parked.values()):
            break
        time.sleep(0.2)
    assert all(count >= 2 for count in parked.values()), parked
    for service in chain.SERVICES:
        assert requests.get(f"{chain.url_of(service, PORT_BASE)}/health", timeout=5).ok
    again = run_demo(env)
    assert again.returncode == 0, again.stdout + again.stderr


def _bad_bodies(schema_properties):
    first = next(iter(schema_properties or {"anything": None}))
    return [
        ("malformed JSON", b'{"unterminated": '),
        ("empty object", b"{}"),
        ("wrong JSON type", b"[1, 2, 3]"),
        ("huge field", json.dumps({first: "x" * 50_000}).encode()),
        ("huge body", json.dumps({first: "x" * 1_000_000}).encode()),
    ]


def test_every_write_endpoint_answers_bad_input_with_a_json_4xx(env, running_chain):
    keys = json.loads((chain.data_dir(env["DOORSTROOM_DATA_DIR"]) / "api-keys.json").read_text())
    checked = 0
    for service in chain.SERVICES:
        base = chain.url_of(service, PORT_BASE)
        document = requests.get(f"{base}/openapi.json", timeout=5).json()
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                if method not in ("post", "put", "patch") or "requestBody" not in operation:
                    continue
                schema = operation["requestBody"]["content"]["application/json"]["schema"]
                properties = document["components"]["schemas"][schema["$ref"].split("/")[-1]]["properties"]
                url = base + path.replace("{", "").replace("}", "")
                for holder in keys.values():
                    for what, body in _bad_bodies(properties):
                        response = requests.request(
                            method, url, data=body, timeout=10,
                            headers={"Authorization": f"Bearer {holder['key']}",
                                     "Content-Type": "application/json"})
                        assert 400 <= response.status_code < 500, (service, path, what, response.text)
                        assert "error" in response.json()
                        checked += 1
        assert requests.get(f"{base}/health", timeout=5).ok
    assert checked > 0


def dlq(env, *args):
    return subprocess.run([sys.executable, "-m", "doorstroom.cli", "dlq", *args], env=env,
                          capture_output=True, text=True, timeout=60)


def parked_in(channel, service):
    return channel.queue_declare(f"{service}.dlq", passive=True).method.message_count


def test_status_shows_parked_messages_and_a_replay_after_the_fix_empties_the_queue(
        env, channel, producers, running_chain):
    bad = pika.BasicProperties(content_type="application/json", delivery_mode=2)
    channel.basic_publish("intake.events", "participant.admitted", b"{broken", bad)
    wait = time.monotonic() + 20
    while parked_in(channel, "training") == 0:
        assert time.monotonic() < wait
        time.sleep(0.1)
    failing = status(env)
    assert failing.returncode == 1 and "parked in training.dlq" in failing.stdout
    assert "undecodable" in dlq(env, "list", "training").stdout
    purged = json.loads(dlq(env, "purge", "training", "--yes", "--json").stdout)
    assert purged["queue"] == "training.dlq" and purged["purged"] >= 1
    for service in chain.SERVICES:
        assert dlq(env, "purge", service, "--yes").returncode == 0

    # Training's news about someone matching has not heard of: retried, then parked.
    participant = str(uuid.uuid4())
    completed = new_event("training", "training.programme_completed", {
        "participant_id": participant, "programme_id": str(uuid.uuid4()),
        "certificates": ["employee-skills"], "completed_on": "2026-11-23"}, subject=participant)
    producers.publish("training", "training.programme_completed",
                      json.dumps(completed.to_json()))
    wait = time.monotonic() + 20
    while parked_in(channel, "matching") == 0:
        assert time.monotonic() < wait
        time.sleep(0.1)
    assert "no candidate" in dlq(env, "list", "matching").stdout
    # The fix: the admission it depends on arrives.
    admitted = new_event("intake", "participant.admitted", {
        "participant_id": participant, "target_group": "long-term-unemployed",
        "municipality": "0505", "expected_release_date": "2026-12-01",
        "language_level": "B1"}, subject=participant)
    producers.publish("intake", "participant.admitted", json.dumps(admitted.to_json()))
    keys = json.loads((chain.data_dir(env["DOORSTROOM_DATA_DIR"]) / "api-keys.json").read_text())
    desk = {"Authorization": f"Bearer {keys['employer-desk']['key']}"}
    candidate = f"{chain.url_of('matching', PORT_BASE)}/candidates/{participant}"
    wait = time.monotonic() + 20
    while requests.get(candidate, headers=desk, timeout=5).status_code != 200:
        assert time.monotonic() < wait
        time.sleep(0.1)
    replayed = dlq(env, "replay", "matching", "--json")
    assert replayed.returncode == 0
    assert json.loads(replayed.stdout) == {"queue": "matching.dlq", "replayed": 1}
    wait = time.monotonic() + 20
    while requests.get(candidate, headers=desk, timeout=5).json()["status"] != "ready":
        assert time.monotonic() < wait
        time.sleep(0.1)
    assert parked_in(channel, "matching") == 0
    assert status(env).returncode == 0


# The services whose logs must not name a participant whose consents are all withdrawn;
# intake, which owns the participant, keeps them.
FORGETTING = ("training", "matching", "placement", "notifications")


def assert_held_only_on_a_basis_that_stays(kinds, kept, forwarded, withdrawn):
    """Notifications' deliveries (recipient, type) and integrator copies (integrator, type)
    that still name a participant who withdrew `withdrawn`: each on a basis that stays, or
    the withdrawal that asks its receiver to erase the rest; {recipient id: organisation}."""
    assert kept and forwarded
    for recipient, event_type in kept:
        kind = kind_of(kinds[recipient])
        assert event_type == "participant.consent_withdrawn" or not (
            needed_for(event_type, kind) & withdrawn), (kind, event_type)
    for integrator, event_type in forwarded:
        assert not needed_for(event_type, INTEGRATOR + integrator) & withdrawn, \
            (integrator, event_type)


def test_withdrawing_every_consent_leaves_the_participant_only_at_intake_and_the_pi(env, demo):
    _, messages = demo
    started = next(json.loads(body) for _, key, _, body in messages if key == "placement.started")
    participant = started["subject"]
    keys = json.loads((chain.data_dir(env["DOORSTROOM_DATA_DIR"]) / "api-keys.json").read_text())
    withdrawn = local_chain.withdraw_every_consent(participant, keys, PORT_BASE)
    assert withdrawn == {"training", "matching", "placement-follow-up"}

    data = chain.data_dir(env["DOORSTROOM_DATA_DIR"])
    for service in ("training", "matching", "placement"):
        for file in data.glob(f"{service}.db*"):
            assert participant.encode() not in file.read_bytes(), file.name
    for service in FORGETTING:
        log = (data / "logs" / f"{service}.log").read_text()
        assert participant not in log, [line for line in log.splitlines() if participant in line]
    # Notifications keeps only what the PI holds for its own task, what others hold on a basis
    # that stays (the municipality's legal obligation, probation's statutory task), and the
    # withdrawal that asks each recipient to erase the rest.
    notifications = sqlite3.connect(data / "notifications.db")
    kinds = dict(notifications.execute("SELECT id, organisation FROM recipients"))
    kept = notifications.execute("SELECT recipient_id, event_type FROM deliveries "
                                 "WHERE envelope LIKE ?", (f"%{participant}%",)).fetchall()
    forwarded = notifications.execute("SELECT integrator, event_type FROM integrator_outbox "
                                      "WHERE envelope LIKE ?", (f"%{participant}%",)).fetchall()
    notifications.close()
    assert_held_only_on_a_basis_that_stays(kinds, kept, forwarded, withdrawn)
    # The operator's trace says who confirmed, naming no more than purposes and services.
    traced = subprocess.run(doorstroom("trace", participant, env=env), env=env,
                            capture_output=True, text=True, timeout=60)
    assert traced.returncode == 0, traced.stderr
    erasures = [line for line in traced.stdout.splitlines() if line.startswith("erasure for")]
    assert len(erasures) == len(withdrawn) and not any("awaiting" in line for line in erasures)
    assert "erasure for matching" in traced.stdout and "confirmed by matching, notifications" \
        in traced.stdout


def test_a_participant_without_a_basis_for_the_municipality_reaches_no_municipality(
        env, demo, integrator):
    """Released without any basis for informing the municipality: probation hears of it (its
    statutory task), no municipality's inbox, e-mail or webhook, nor its integrator, does."""
    keys = json.loads((chain.data_dir(env["DOORSTROOM_DATA_DIR"]) / "api-keys.json").read_text())
    pi = {"Authorization": f"Bearer {keys['pi-case-manager']['key']}"}
    intake = chain.url_of("intake", PORT_BASE)
    today = str(clock.today())
    registered = requests.post(f"{intake}/participants", headers=pi, timeout=10, json={
        "identity": {"name": "Zonder Grondslag", "bsn": demo_bsn(), "date_of_birth": "1991-02-03"},
        "target_group": "detainee-last-phase", "institution": "PI Dordtse Poorten",
        "municipality": "0505", "expected_release_date": today})
    assert registered.status_code == 201, registered.text
    participant = registered.json()["id"]
    path = f"{intake}/participants/{participant}"
    steps = [("PUT", "/screening", {
                 "motivation": 4, "language_level": "B1", "skills": ["teamwork"],
                 "occupations": [], "preferred_sectors": ["logistics"], "hours_per_week": 32,
                 "restrictions": {}, "may_work_outside_from": today,
                 "safety": {"cleared": True, "assessed_by": "security officer",
                            "assessed_on": today}}),
             *(("POST", "/consents", {"purpose": purpose, "legal_basis": "consent",
                                      "version": "2026-1"})
               for purpose in ("training", "matching")),
             ("POST", "/selection", {"decision": "admit"}),
             ("POST", "/release", {"released_on": today})]
    for method, step, body in steps:
        answer = requests.request(method, f"{path}{step}", headers=pi, json=body, timeout=10)
        assert answer.ok, (step, answer.text)

    notifications = sqlite3.connect(chain.data_dir(env["DOORSTROOM_DATA_DIR"])
                                    / "notifications.db")
    deadline = time.monotonic() + 60
    while True:
        told = set(notifications.execute(
            "SELECT r.organisation, d.event_type FROM deliveries d JOIN recipients r "
            "ON r.id = d.recipient_id WHERE d.envelope LIKE ?", (f"%{participant}%",)).fetchall())
        if ("probation", "participant.released") in told:
            break
        assert time.monotonic() < deadline, told
        time.sleep(0.2)
    assert not [kind for kind, _ in told if kind.startswith("municipality")], told
    forwarded = notifications.execute("SELECT event_type FROM integrator_outbox WHERE "
                                      "integrator = 'municipality' AND subject = ?",
                                      (participant,)).fetchall()
    assert forwarded == []
    notifications.close()
    assert participant not in integrator.read_text()
