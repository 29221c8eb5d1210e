"""What every doorstroom service serves besides its own API: health, OpenAPI, metrics, its
state, its facts, and the audit log of reads of the personal data it holds."""
import csv
import io

from kombu import Connection
from marshmallow import Schema, fields, validate
from nameko.dependency_providers import Config
from nameko.timer import timer
from werkzeug.wrappers import Response

from shared import audit, clock, retention
from shared.audit import Outcome
from shared.contracts.fields import UUID_PATTERN, Code, Text
from shared.errors import Conflict, NotFound
from shared.http import ROLES, Paging, api, openapi_document
from shared.metrics import metrics_for
from shared.store import ping

PRIVACY_OFFICER = ("pi-privacy-officer",)
# Any key holder may ask for personal data where the use case refuses all but its readers,
# and logs the refusal (shared/audit.py audited_read).
ANY_ROLE = tuple(ROLES)


class PublishedFactsQuery(Schema):
    subject = fields.String(load_default=None)


class AuditQuery(Paging):
    participant_id = fields.String(load_default=None, validate=validate.Regexp(UUID_PATTERN))
    reader = Text(120, load_default=None)
    since = fields.AwareDateTime(load_default=None, default_timezone=None)
    until = fields.AwareDateTime(load_default=None, default_timezone=None)
    format = Code({"json", "csv"}, load_default="json", metadata={
        "description": "csv: the same page of entries as text/csv, a header row and a row "
                       "each, the fields read separated by spaces"})


class PersonalDataReadSchema(Schema):
    position = fields.Integer(metadata={"description": "the entry's place in the log, from 1"})
    id = fields.String()
    participant_id = fields.String(allow_none=True, metadata={
        "description": "the participant read or asked for: at intake their id, elsewhere "
                       "its pseudonym (the same for every read of them; filtering by "
                       "participant_id takes the id), so that the log keeps no id of a "
                       "participant whose data the service erased; null where no participant "
                       "was asked for or read, or the id asked for could not be a "
                       "participant's"})
    reader = fields.String(metadata={"description": "the API key holder"})
    role = fields.String()
    organisation = fields.String()
    read_at = fields.DateTime()
    outcome = fields.Enum(Outcome, by_value=True, metadata={
        "description": "allowed; refused (403: the role may not read it); not-found (404)"})
    previous_hash = fields.String(metadata={
        "description": "the hash of the entry before it (64 zeros for the first)"})
    hash = fields.String(metadata={
        "description": "SHA-256 over the canonical JSON of this entry with previous_hash"})
    # Last: from here on `fields` in this class body is this field, not the module.
    fields = fields.List(fields.String(), metadata={
        "description": "what was read, or asked for: identity fields, parts of a record or "
                       "profile, or the types of fact (GET /events)"})


class ChainCheckSchema(Schema):
    intact = fields.Boolean(metadata={"description": "whether every entry is as it was written"})
    entries = fields.Integer(metadata={"description": "the entries that chain up, from the first"})
    last_hash = fields.String(metadata={
        "description": "the hash of the last of them: note it elsewhere, and a log rewritten "
                       "up to it shows"})
    broken_at = fields.Integer(allow_none=True, metadata={
        "description": "the position where the chain first breaks"})
    broken_entry = fields.String(allow_none=True, metadata={
        "description": "the id of the entry there; null where it is missing"})
    problem = fields.String(allow_none=True, metadata={"description": "what is wrong there"})


class HealthSchema(Schema):
    service = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["ok", "unhealthy"]))
    database = fields.String(required=True, metadata={"description": "ok, or what fails"})
    broker = fields.String(required=True, metadata={"description": "ok, or what fails"})
    warnings = fields.List(fields.String(), required=True, metadata={
        "description": "what an operator should mend that does not stop the service working "
                       "(placement: a minimum wage missing the amounts now in force); none "
                       "makes the service unhealthy"})


class CheckRunSchema(Schema):
    service = fields.String(required=True)
    check = fields.String(required=True)


class ChainService:
    """Base of the five services: subclasses set `name`, `title`, `uow` (UnitsOfWork) and
    `relay` (Relay, shared/database.py), and add their own timers to `scheduled_checks`."""

    title = "doorstroom service"
    config = Config()
    # The scheduled checks an operator may run at once (POST /checks/{name}): each check's
    # name, as `doorstroom run-check` takes it, and the timer method that runs it.
    scheduled_checks = {"retention": "keep_only_what_is_needed"}

    @api("GET", "/health", public=True, response=HealthSchema,
         unavailable="the database or the broker cannot be reached: `error` says which, and "
                     "the other fields are as in a 200")
    def health(self):
        """Whether the service reaches its database and the broker, and what an operator
        should mend that does not stop it working."""
        checks = {"database": _check(self._database_ok), "broker": _check(self._broker_ok)}
        failing = [f"{name} {status}" for name, status in checks.items() if status != "ok"]
        report = {"service": self.name, "status": "unhealthy" if failing else "ok", **checks,
                  "warnings": self.uow.warnings(clock.today())}
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
        """For operators: facts waiting in the outbox, when the last fact was recorded, the
        facts set aside because they could not be published (how many, and the oldest), and the
        revision of the database's schema (which release's, during an upgrade)."""
        with self.uow as uow:
            return {**uow.outbox_state(), "schema_revision": uow.schema_revision()}

    @api("POST", "/outbox/retry", roles=("operator",))
    def retry_outbox(self, caller):
        """For operators, once the cause is mended (a permission granted, say): publish the facts
        set aside or waiting for their next attempt again, with fresh attempts; the facts about
        their subjects that waited behind them follow, in order."""
        with self.uow as uow:
            retried = uow.retry_set_aside()
            uow.commit()
        return {"retried": retried}

    @api("POST", "/checks/<name>", roles=("operator",), response=CheckRunSchema)
    def run_check(self, caller, name):
        """For operators: run one of the service's scheduled checks now, as its timer would
        (`doorstroom run-check`), e.g. placement's `milestones` or any service's `retention`; a
        404 names the checks the service has. What runs on one instance at a time is left to
        the instance running it just then, and a 409 says so
        (test_a_check_another_instance_is_running_is_left_to_it)."""
        if name not in self.scheduled_checks:
            raise NotFound(f"{self.name} has no scheduled check {name!r}; its checks are "
                           f"{', '.join(sorted(self.scheduled_checks))}")
        if not getattr(self, self.scheduled_checks[name])():
            raise Conflict(f"another instance of {self.name} is running its {name} check just "
                           "now; it is left to that one")
        return {"service": self.name, "check": name}

    @api("GET", "/events", roles=ANY_ROLE, readers=audit.FACT_READERS, query=PublishedFactsQuery,
         many=True)
    def published_facts(self, caller, query):
        """For operators: the facts this service recorded, oldest first, optionally about one
        participant; every attempt to read them is logged, allowed or refused (403)."""
        return audit.read_facts(self.uow, caller, query["subject"])

    @api("GET", "/audit/personal-data-reads", roles=PRIVACY_OFFICER, query=AuditQuery,
         response=PersonalDataReadSchema, many=True, csv=True)
    def personal_data_reads(self, caller, query):
        """Who read or tried to read whose personal data, when, and with what outcome, in the
        order logged; as CSV with format=csv."""
        as_csv = query.pop("format") == "csv"
        with self.uow as uow:
            reads = uow.audit.reads(**query)
        return csv_of(PersonalDataReadSchema(), reads) if as_csv else reads

    @api("GET", "/audit/verify", roles=PRIVACY_OFFICER, response=ChainCheckSchema)
    def verify_audit_log(self, caller):
        """Whether the audit log is as it was written, and if not, which entry first breaks
        its hash chain."""
        with self.uow as uow:
            return uow.audit.check()

    @timer(interval=3600, eager=True)
    def keep_only_what_is_needed(self):
        """Purge what has passed its retention (shared/retention.py); one instance at a time."""
        with self.uow.lease("retention") as ours:
            if ours:
                purged = retention.purge(self.uow, retention.cutoffs(self.name, self.config))
                metrics = metrics_for(self.name)
                for period, count in purged.items():
                    metrics.purged.labels(period.setting or "request-answers").inc(count)
        return ours

    def _database_ok(self):
        with self.uow as uow:
            ping(uow.session)

    def _broker_ok(self):
        with Connection(self.config["AMQP_URI"], connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1)


def csv_of(schema, items):
    """`items` as CSV with a header row, a row each, the columns of the JSON answer; lists
    joined by spaces."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(schema.fields))
    writer.writeheader()
    for row in schema.dump(items, many=True):
        writer.writerow({name: " ".join(value) if isinstance(value, list) else value
                         for name, value in row.items()})
    return Response(out.getvalue(), status=200, mimetype="text/csv")


def _check(probe):
    try:
        probe()
    except Exception as exc:  # a health check reports faults, it does not raise them
        return f"failing: {exc.__class__.__name__}: {exc}"
    return "ok"
