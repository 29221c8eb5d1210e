"""The CloudEvents 1.0 envelope every fact in the chain travels in.

Structured mode: the whole envelope is the JSON body of one persistent AMQP message on the
producing service's topic exchange, with the event type as routing key and content type
`application/cloudevents+json`. `source` + `id` are minted once, when the fact is recorded, and
are what consumers deduplicate on. An ordered fact also carries the CloudEvents `sequence`
extension: its place among the producer's ordered facts about the same subject, 1, 2, 3 ..., as
a zero-padded string so that it sorts as the spec asks.
"""
import uuid
from dataclasses import dataclass

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

from shared import clock
from shared.contracts import contract_for
from shared.contracts.fields import keeping_unknown_codes

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"
# The AMQP content type of a message whose body is the whole CloudEvent (structured mode).
STRUCTURED_CONTENT_TYPE = "application/cloudevents+json"


def exchange_for(service):
    return f"{service}.events"


def integrator_exchange(name):
    """The exchange an integrator reads its facts from, which notifications alone writes to:
    only those it is entitled to, about participants for whom the basis holds."""
    return f"integrator.{name}"


def source_for(service):
    return f"/doorstroom/{service}"


def service_of(source):
    """The producing service named by a `source` such as `/doorstroom/intake`."""
    return source.rsplit("/", 1)[-1]


class UnreadableEvent(Exception):
    """A message that is not a valid chain event: it can never be handled, only parked."""


class EnvelopeSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    specversion = fields.String(required=True, validate=validate.Equal(SPECVERSION))
    id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    source = fields.String(required=True, validate=validate.Length(min=1, max=200))
    type = fields.String(required=True, validate=validate.Length(min=1, max=200))
    time = fields.String(required=True, validate=validate.Length(min=1, max=64))
    subject = fields.String(load_default=None, validate=validate.Length(max=200))
    datacontenttype = fields.String(load_default=CONTENT_TYPE)
    dataschema = fields.String(load_default=None)
    sequence = fields.String(load_default=None, validate=validate.Regexp(r"^[0-9]{1,20}$"))
    data = fields.Dict(required=True)


@dataclass(frozen=True)
class Event:
    id: str
    source: str
    type: str
    time: str
    data: dict
    subject: str | None = None
    dataschema: str | None = None
    sequence: int | None = None
    datacontenttype: str = CONTENT_TYPE
    specversion: str = SPECVERSION
    # Codes of open vocabularies that this release does not know, kept as they came:
    # (field, code) pairs.
    unknown_codes: tuple = ()

    @property
    def key(self):
        return (self.source, self.id)

    def to_json(self):
        """The structured-mode CloudEvent, its data in wire form (ISO dates, plain lists)."""
        body = {
            "specversion": self.specversion,
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "time": self.time,
            "datacontenttype": self.datacontenttype,
            "data": contract_for(self.type).schema().dump(self.data),
        }
        if self.subject is not None:
            body["subject"] = self.subject
        if self.dataschema is not None:
            body["dataschema"] = self.dataschema
        if self.sequence is not None:
            body["sequence"] = f"{self.sequence:020d}"
        return body



def amqp_headers(envelope):
    """CloudEvents AMQP binding attributes, so plain clients can filter without parsing."""
    headers = {f"cloudEvents_{name}": envelope[name]
               for name in ("id", "source", "type", "time", "specversion")}
    for name in ("subject", "sequence"):
        if envelope.get(name):
            headers[f"cloudEvents_{name}"] = envelope[name]
    return headers


def utc_now_rfc3339():
    return clock.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_event(service, event_type, data, subject=None, sequence=None, event_id=None):
    """Mint a fact: validates `data` strictly against its published contract."""
    contract = contract_for(event_type)
    if contract.producer != service:
        raise ValueError(f"{service} may not publish {event_type} (owned by {contract.producer})")
    payload = contract.schema(unknown=RAISE).load(data)
    return Event(
        id=event_id or str(uuid.uuid4()),
        source=source_for(service),
        type=event_type,
        time=utc_now_rfc3339(),
        subject=subject,
        dataschema=contract.dataschema,
        sequence=sequence,
        data=payload,
    )


def read_event(body, routing_key=None):
    """Load a received body tolerantly: fields this release does not know are dropped, codes of
    open vocabularies it does not know are kept (docs/events.md#versioning); anything a
    consumer cannot trust raises UnreadableEvent."""
    if not isinstance(body, dict):
        raise UnreadableEvent(f"body is {type(body).__name__}, not a JSON object")
    try:
        envelope = EnvelopeSchema().load(body)
    except ValidationError as exc:
        raise UnreadableEvent(f"invalid CloudEvents envelope: {exc.messages}") from exc
    if routing_key is not None and routing_key != envelope["type"]:
        raise UnreadableEvent(
            f"routing key {routing_key!r} does not match event type {envelope['type']!r}")
    try:
        contract = contract_for(envelope["type"])
    except KeyError as exc:
        raise UnreadableEvent(f"unknown event type {envelope['type']!r}") from exc
    if service_of(envelope["source"]) != contract.producer:
        raise UnreadableEvent(
            f"{envelope['type']} must come from {source_for(contract.producer)}, "
            f"not {envelope['source']}")
    try:
        with keeping_unknown_codes() as unknown_codes:
            data = contract.schema(unknown=EXCLUDE).load(envelope["data"])
    except ValidationError as exc:
        raise UnreadableEvent(f"data does not match {envelope['type']}: {exc.messages}") from exc
    return Event(
        id=envelope["id"], source=envelope["source"], type=envelope["type"],
        time=envelope["time"], subject=envelope["subject"],
        dataschema=envelope["dataschema"], datacontenttype=envelope["datacontenttype"],
        sequence=None if envelope["sequence"] is None else int(envelope["sequence"]),
        data=data, unknown_codes=tuple(unknown_codes),
    )
