"""`doorstroom catalogue`: the chain's event catalogue as an AsyncAPI 3 document, generated from
the marshmallow contracts and the services' subscriptions, so it cannot drift from the code."""
import yaml
from apispec import APISpec

from doorstroom import chain, topology
from doorstroom.generated import write_or_check
from shared.contracts import all_contracts
from shared.events import STRUCTURED_CONTENT_TYPE, exchange_for
from shared.openapi import Plugin

CATALOGUE = chain.PROJECT_ROOT / "docs" / "asyncapi.yaml"
VERSION = "1.0.0"

DESCRIPTION = """\
Facts the services of the doorstroom re-integration chain publish. Each service publishes on
its own topic exchange `<service>.events`; the routing key is the event type. Every message is a
CloudEvents 1.0 structured-mode JSON envelope (content type `application/cloudevents+json`;
consumers also take `application/json`; persistent; `id`, `source`, `type`, `time` and
`subject` also as `cloudEvents_*` headers, `id` also as the AMQP message id). `subject` is the
participant's pseudonymous id where a fact is about a participant (a vacancy's id for vacancy
facts). Delivery is at least once: deduplicate on `source` + `id`. Ordered facts also carry the
CloudEvents `sequence` extension (and header `cloudEvents_sequence`): 1, 2, 3 ... per producer
and subject, zero-padded; apply a subject's facts in that order, and read a gap as a fact you
do not receive or one still on its way (docs/ordering.md). An integrator reads the same messages,
unchanged, from its own topic exchange `integrator.<name>`, to which notifications forwards
those it is entitled to while their legal basis holds (docs/privacy.md). A code list marked
`x-open-vocabulary` grows within an event type: keep a code you do not know yet. Versioning:
see docs/events.md.
"""


def build():
    contracts = all_contracts()
    schemas = _json_schemas(contracts)
    channels, operations, messages = {}, {}, {}
    for event_type, contract in sorted(contracts.items()):
        name = _name(event_type)
        messages[name] = {
            "name": event_type,
            "title": event_type,
            "summary": (contract.schema.__doc__ or event_type).strip().splitlines()[0],
            "contentType": STRUCTURED_CONTENT_TYPE,
            "payload": _envelope(event_type, contract, name),
        }
        channels[name] = {
            "address": event_type,
            "description": f"Routing key `{event_type}` on exchange "
                           f"`{exchange_for(contract.producer)}`.",
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
            "bindings": {"amqp": {"is": "routingKey", "bindingVersion": "0.3.0", "exchange": {
                "name": exchange_for(contract.producer), "type": "topic", "durable": True,
                "autoDelete": False}}},
        }
        operations[f"{contract.producer}.publishes.{name}"] = {
            "action": "send", "channel": {"$ref": f"#/channels/{name}"},
            "summary": f"{contract.producer} publishes {event_type}",
            "messages": [{"$ref": f"#/channels/{name}/messages/{name}"}],
            "bindings": {"amqp": {"deliveryMode": 2, "bindingVersion": "0.3.0"}},  # persistent
        }
    for service in chain.SERVICES:
        for subscription in topology.subscriptions(service):
            for event_type in subscription.event_types:
                name = _name(event_type)
                operations[f"{subscription.queue}.receives.{name}"] = {
                    "action": "receive", "channel": {"$ref": f"#/channels/{name}"},
                    "summary": f"{service} consumes {event_type} from queue {subscription.queue}",
                    "messages": [{"$ref": f"#/channels/{name}/messages/{name}"}],
                }
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "doorstroom chain events", "version": VERSION,
                 "description": " ".join(DESCRIPTION.split())},
        "defaultContentType": STRUCTURED_CONTENT_TYPE,
        "servers": {"local": {"host": "localhost:5672", "protocol": "amqp",
                              "description": "`doorstroom up` and docker-compose.yml"}},
        "channels": channels,
        "operations": dict(sorted(operations.items())),
        "components": {"messages": messages, "schemas": schemas},
    }


def _name(event_type):
    return event_type.replace(".", "_")


def _json_schemas(contracts):
    # OpenAPI 3.1's schemas are JSON Schema: a null is `type: [..., "null"]`, not 3.0's
    # `nullable`, which AsyncAPI's schema format does not know.
    spec = APISpec(title="contracts", version=VERSION, openapi_version="3.1.0",
                   plugins=[Plugin()])
    for event_type, contract in sorted(contracts.items()):
        spec.components.schema(f"{_name(event_type)}_data", schema=contract.schema)
    return spec.to_dict()["components"]["schemas"]


def _envelope(event_type, contract, name):
    return {
        "type": "object",
        "required": ["specversion", "id", "source", "type", "time", "datacontenttype", "data"],
        "properties": {
            "specversion": {"const": "1.0"},
            "id": {"type": "string", "format": "uuid"},
            "source": {"const": f"/doorstroom/{contract.producer}"},
            "type": {"const": event_type},
            "time": {"type": "string", "format": "date-time"},
            "subject": {"type": "string", "description": "the participant's pseudonymous id"},
            "datacontenttype": {"const": "application/json"},
            "dataschema": {"const": contract.dataschema},
            **({"sequence": {
                "type": "string", "pattern": "^[0-9]{20}$",
                "description": "place among the producer's ordered facts about this subject"}}
               if contract.ordered else {}),
            "data": {"$ref": f"#/components/schemas/{name}_data"},
        },
        **({"required": ["specversion", "id", "source", "type", "time", "subject", "sequence",
                         "datacontenttype", "data"]} if contract.ordered else {}),
    }


def render():
    return yaml.safe_dump(build(), sort_keys=False, width=100, allow_unicode=True)


def run(args):
    return write_or_check(CATALOGUE, render(), "catalogue", args.check)
