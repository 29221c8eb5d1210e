"""Erasure on PostgreSQL, as production runs the chain: `doorstroom up --postgres` with each
service on a fresh database of its own. A placed participant of the demo withdraws every consent;
afterwards no row of training, matching or placement names them, the anonymised placement keeps
no link back to them, and notifications keeps only what a basis still allows."""
import json
import subprocess

import pika
import pytest
from sqlalchemy import create_engine, text

from doorstroom import chain
from tests import local_chain
from tests.databases import POSTGRES_URL, chain_databases
from tests.test_chain_e2e import FORGETTING, assert_held_only_on_a_basis_that_stays, drain

pytestmark = pytest.mark.e2e

# Clear of test_chain_e2e's 18000, test_examples' 19000, test_up_instances' 28000 and of the
# ephemeral ports the other tests pick.
PORT_BASE = 24000
# What erasure must leave without the participant's id; intake owns the participant.
ERASING = ("training", "matching", "placement")
# Ids that facts about a participant name but that are not theirs alone: the employer and the
# vacancy everyone placed there shares, the cohort everyone trained in it shares.
SHARED_IDS = {"employer_id", "vacancy_id", "cohort_id"}
# Where notifications may still name them: the deliveries and forwarded facts a basis allows
# (checked fact by fact below), and where they return to, by which the facts their municipality
# may hear of reach it.
NOTIFICATIONS_KEEP = {"deliveries.envelope", "deliveries.summary", "integrator_outbox.envelope",
                      "integrator_outbox.subject", "participant_places.participant_id"}


@pytest.fixture(scope="module")
def databases():
    """The database prefix of the module's chain, and {service: URL} of its databases."""
    with chain_databases(chain.SERVICES) as prefix_and_urls:
        yield prefix_and_urls


@pytest.fixture(scope="module")
def env(amqp_uri, tmp_path_factory):
    return local_chain.environment(amqp_uri, tmp_path_factory.mktemp("chain"))


@pytest.fixture(scope="module")
def keys(env, running_chain):
    return json.loads((chain.data_dir(env["DOORSTROOM_DATA_DIR"]) / "api-keys.json").read_text())


@pytest.fixture(scope="module")
def running_chain(env, databases):
    prefix, _ = databases
    with local_chain.up(env, PORT_BASE, "--postgres", POSTGRES_URL, "--database-prefix", prefix):
        yield


@pytest.fixture(scope="module")
def facts(amqp_uri, env, running_chain):
    """Every fact the demo's cohort of two (both placed) brings about."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    channel = connection.channel()
    queue = channel.queue_declare("", exclusive=True).method.queue
    for service in chain.SERVICES:
        channel.exchange_declare(f"{service}.events", "topic", durable=True)
        channel.queue_bind(queue, f"{service}.events", "#")
    demo = subprocess.run(local_chain.doorstroom("demo", "--participants", "2", env=env,
                                                 port_base=PORT_BASE),
                          env=env, capture_output=True, text=True, timeout=300)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    heard = [json.loads(body) for *_, body in drain(channel, queue)]
    connection.close()
    return heard


@pytest.fixture(scope="module")
def erased(facts, keys):
    """A placed participant who withdrew every consent, once every service that held data for
    a withdrawn purpose confirmed its erasure; with the purposes withdrawn."""
    participant = next(f["subject"] for f in facts if f["type"] == "placement.started")
    withdrawn = local_chain.withdraw_every_consent(participant, keys, PORT_BASE)
    assert withdrawn == {"training", "matching", "placement-follow-up"}
    return participant, withdrawn


def columns_holding(url, value):
    """Every "table.column" of the database at `url` with a row that holds `value`: each
    column of each table cast to text (bytea searched as bytes)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            columns = connection.execute(text(
                "SELECT table_name, column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'public' ORDER BY table_name, column_name")).all()
            found = []
            for table, column, data_type in columns:
                holds = (f'position(convert_to(:value, \'UTF8\') in "{column}") > 0'
                         if data_type == "bytea" else f'strpos("{column}"::text, :value) > 0')
                if connection.execute(text(f'SELECT 1 FROM "{table}" WHERE {holds} LIMIT 1'),
                                      {"value": value}).first():
                    found.append(f"{table}.{column}")
            return found
    finally:
        engine.dispose()


def test_no_row_of_training_matching_or_placement_names_the_erased_participant(
        erased, databases):
    participant, _ = erased
    _, urls = databases
    # The search finds them where they stay: intake owns the participant.
    assert "participants.id" in columns_holding(urls["intake"], participant)
    for service in ERASING:
        assert columns_holding(urls[service], participant) == [], service


def test_no_log_of_the_services_that_forget_names_the_erased_participant(erased, env):
    participant, _ = erased
    logs = chain.data_dir(env["DOORSTROOM_DATA_DIR"]) / "logs"
    for service in FORGETTING:
        log = (logs / f"{service}.log").read_text()
        assert participant not in log, [line for line in log.splitlines() if participant in line]


def test_the_anonymised_placement_keeps_no_link_back_to_the_participant(
        erased, facts, databases):
    """Neither their match, nor their placement as the PI, the municipality and probation still
    know it from placement.started, nor any fact about them leads to the row that keeps counting
    the job for social return."""
    participant, _ = erased
    _, urls = databases
    about = [f for f in facts if participant in (f.get("subject"),
                                                  f["data"].get("participant_id"))]
    links = {f["id"] for f in about} | {
        value for f in about for key, value in f["data"].items()
        if key.endswith("_id") and key not in SHARED_IDS}
    assert {"match_id", "placement_id"} <= {key for f in about for key in f["data"]}
    engine = create_engine(urls["placement"])
    with engine.connect() as connection:
        anonymised = connection.execute(text(
            "SELECT * FROM placements WHERE anonymised")).mappings().all()
    engine.dispose()
    assert len(anonymised) == 1 and anonymised[0]["status"] == "STARTED", anonymised
    kept = {column: str(value) for column, value in anonymised[0].items()}
    assert {column for column, value in kept.items()
            if any(link in value for link in links)} == set(), kept


def test_notifications_keeps_only_what_a_basis_still_allows(erased, databases):
    """What the PI holds for its own task, what others hold on a basis that stays (the
    municipality's legal obligation, probation's statutory task), and the withdrawal that asks
    each recipient to erase the rest."""
    participant, withdrawn = erased
    _, urls = databases
    assert set(columns_holding(urls["notifications"], participant)) <= NOTIFICATIONS_KEEP
    engine = create_engine(urls["notifications"])
    with engine.connect() as connection:
        kinds = dict(connection.execute(text("SELECT id, organisation FROM recipients")).all())
        kept = connection.execute(text(
            "SELECT recipient_id, event_type FROM deliveries "
            "WHERE strpos(envelope::text, :participant) > 0"),
            {"participant": participant}).all()
        forwarded = connection.execute(text(
            "SELECT integrator, event_type FROM integrator_outbox "
            "WHERE strpos(envelope::text, :participant) > 0"),
            {"participant": participant}).all()
    engine.dispose()
    assert_held_only_on_a_basis_that_stays(kinds, kept, forwarded, withdrawn)
