"""What every doorstroom service serves besides its own API: health, OpenAPI, metrics, its
state and its facts."""
from kombu import Connection
from marshmallow import Schema, fields, validate
from nameko.dependency_providers import Config
from werkzeug.wrappers import Response

from shared.http import api, openapi_document
from shared.metrics import metrics_for
from shared.store import ping


class PublishedFactsQuery(Schema):
    subject = fields.String(load_default=None)


class HealthSchema(Schema):
    service = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["ok", "unhealthy"]))
    database = fields.String(required=True, metadata={"description": "ok, or what fails"})
    broker = fields.String(required=True, metadata={"description": "ok, or what fails"})


class ChainService:
    """Base of the five services: subclasses set `name`, `title` and `uow` (a Store)."""

    title = "doorstroom service"
    config = Config()

    @api("GET", "/health", public=True, response=HealthSchema,
         unavailable="the database or the broker cannot be reached: `error` says which, and "
                     "the other fields are as in a 200")
    def health(self):
        """Whether the service reaches its database and the broker."""
        checks = {"database": _check(self._database_ok), "broker": _check(self._broker_ok)}
        failing = [f"{name} {status}" for name, status in checks.items() if status != "ok"]
        report = {"service": self.name, "status": "unhealthy" if failing else "ok", **checks}
        if failing:
            return 503, {"error": f"unhealthy: {'; '.join(failing)}", **report}
        return report

    @api("GET", "/openapi.json", public=True)
    def openapi(self):
        """This service's OpenAPI 3 document."""
        return openapi_document(type(self), self.title)

    @api("GET", "/metrics", public=True)
    def metrics(self):
        """Prometheus metrics: facts published, handled, failed, refused, parked; handler latency;
        outbox backlog, publish failures and facts set aside."""
        metrics = metrics_for(self.name)
        with self.uow as uow:
            state = uow.outbox_state()
        metrics.outbox_backlog.set(state["outbox_backlog"])
        metrics.outbox_set_aside.set(state["outbox_set_aside"])
        body, content_type = metrics.exposition()
        return Response(body, status=200, content_type=content_type)

    @api("GET", "/status", roles=("operator",))
    def status(self, caller):
        """For operators: facts waiting in the outbox, when the last fact was recorded, and the
        facts set aside because they could not be published (how many, and the oldest)."""
        with self.uow as uow:
            return uow.outbox_state()

    @api("POST", "/outbox/retry", roles=("operator",))
    def retry_outbox(self, caller):
        """For operators, once the cause is mended (a permission granted, say): publish the facts
        set aside or waiting for their next attempt again, with fresh attempts; the facts about
        their subjects that waited behind them follow, in order."""
        with self.uow as uow:
            retried = uow.retry_set_aside()
            uow.commit()
        return {"retried": retried}

    @api("GET", "/events", roles=("operator",), query=PublishedFactsQuery, many=True)
    def published_facts(self, caller, query):
        """The facts this service recorded, oldest first, optionally about one participant."""
        return self.read_facts(caller, query["subject"])

    def read_facts(self, reader, subject):
        """The facts of `GET /events`; a service that audits reads of personal data logs the
        read here (intake does)."""
        with self.uow as uow:
            return uow.published_facts(subject=subject)

    def _database_ok(self):
        with self.uow as uow:
            ping(uow.session)

    def _broker_ok(self):
        with Connection(self.config["AMQP_URI"], connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1)


def _check(probe):
    try:
        probe()
    except Exception as exc:  # a health check reports faults, it does not raise them
        return f"failing: {exc.__class__.__name__}: {exc}"
    return "ok"
