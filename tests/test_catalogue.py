"""The committed AsyncAPI catalogue is the one the contracts generate, it hangs together, the
official AsyncAPI parser finds no error in it, and every fact a producer may publish matches it."""
import importlib
import shutil
import subprocess
import uuid

import pytest
import yaml
from hypothesis import given, settings
from nameko.containers import ServiceContainer

from doorstroom import catalogue, chain, topology
from shared.consumer import ChainEventHandler, follow
from shared.contracts import all_contracts
from tests.payloads import fact, objects, payload_validator

# The official parser, vendored by npm with its lock file; check.js runs it.
PARSER = chain.PROJECT_ROOT / "tools" / "asyncapi"


@pytest.fixture(scope="module")
def document():
    return yaml.safe_load(catalogue.CATALOGUE.read_text())


def test_the_committed_catalogue_is_up_to_date():
    assert catalogue.CATALOGUE.read_text() == catalogue.render(), \
        "docs/asyncapi.yaml is stale: run `doorstroom catalogue` and commit it"


def test_every_event_type_has_a_channel_and_every_reference_resolves(document):
    assert document["asyncapi"] == "3.0.0"
    assert {c["address"] for c in document["channels"].values()} == set(all_contracts())

    def resolve(ref):
        node = document
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        return node

    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for item in node:
                yield from refs(item)

    for ref in refs(document):
        assert resolve(ref) is not None, ref
    receivers = [o for o in document["operations"].values() if o["action"] == "receive"]
    assert any("training consumes participant.admitted" in o["summary"] for o in receivers)


def test_the_official_asyncapi_parser_finds_no_error():
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("the AsyncAPI parser needs Node.js and npm, which are not installed")
    if not (PARSER / "node_modules").is_dir():
        installed = subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
                                   cwd=PARSER, capture_output=True, text=True, timeout=300)
        assert installed.returncode == 0, installed.stdout + installed.stderr
    parsed = subprocess.run([node, "check.js", str(catalogue.CATALOGUE)], cwd=PARSER,
                            capture_output=True, text=True, timeout=120)
    assert parsed.returncode == 0, parsed.stdout + parsed.stderr


@pytest.mark.parametrize("event_type", sorted(all_contracts()))
def test_every_fact_a_producer_may_publish_matches_its_payload_in_the_catalogue(
        document, event_type):
    validator = payload_validator(document, event_type)

    @settings(max_examples=25, deadline=None)
    @given(objects(all_contracts()[event_type].schema()))
    def matches(data):
        errors = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in validator.iter_errors(fact(event_type, data))]
        assert errors == [], data
    matches()


def test_a_screening_without_curfew_matches_its_payload(document):
    screened = {"participant_id": str(uuid.uuid4()), "language_level": "B1", "motivation": 4,
                "safety_cleared": True, "curfew": None, "hours_per_week": None,
                "may_work_outside_from": None}
    payload_validator(document, "participant.screened").validate(fact("participant.screened", screened))


@pytest.mark.parametrize("service", chain.SERVICES)
def test_each_service_follows_what_its_table_says(service):
    """Each service's table of the facts it follows (FOLLOWS in its handlers.py) is all there
    is: nameko finds one entrypoint per producer in it, bound to the types in it, and the
    topology that queue bindings, broker grants and this catalogue are made from says the
    same."""
    follows = importlib.import_module(f"services.{service}.handlers").FOLLOWS
    table = {source: set(handlers) for source, handlers in follows.items()}
    container = ServiceContainer(topology.service_class(service), {"AMQP_URI": "memory://"})
    found = [(e.source_service, set(e.event_types)) for e in container.entrypoints
             if isinstance(e, ChainEventHandler)]
    assert dict(found) == table and len(found) == len(table)
    assert {s.source: set(s.event_types) for s in topology.subscriptions(service)} == table


def test_a_fact_is_followed_from_its_producer():
    """A type put under a source that does not publish it would bind a queue to an exchange
    that never carries it: the table is refused."""
    with pytest.raises(ValueError, match="intake does not publish training.enrolled"):
        follow({"intake": {"participant.admitted": print, "training.enrolled": print}},
               "intake")
