"""The committed AsyncAPI catalogue is the one the contracts generate, and it hangs together."""
import yaml

from doorstroom import catalogue
from shared.contracts import all_contracts


def test_the_committed_catalogue_is_up_to_date():
    assert catalogue.CATALOGUE.read_text() == catalogue.render(), \
        "docs/asyncapi.yaml is stale: run `doorstroom catalogue` and commit it"


def test_every_event_type_has_a_channel_and_every_reference_resolves():
    document = yaml.safe_load(catalogue.CATALOGUE.read_text())
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
