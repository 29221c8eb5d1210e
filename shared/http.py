"""JSON over HTTP for every service: API keys, input validation, error mapping and OpenAPI.

An endpoint declares who may call it and the schemas of what it takes and gives; the handler
method receives the loaded input and the caller, and returns plain data. Bad input always gets a
4xx with a JSON body naming the fields, and every answer is as the service's OpenAPI document
says (tests/test_schemathesis.py); a database that is away for longer than a request can
wait gets a 503 with Retry-After; an unexpected fault gets a 500 without internals.

A write request may carry an Idempotency-Key (draft-ietf-httpapi-idempotency-key-header): the
key commits with the request's effects, so that the same request sent again gets the first
answer and changes nothing, and the same key with another request gets a 422
(shared/tests/test_idempotency.py).
"""
import copy
import hashlib
import hmac
import inspect
import json
import logging
import re
import sys
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from apispec import APISpec
from eventlet.event import Event
from marshmallow import INCLUDE, Schema, ValidationError, fields, validate
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR, SharedExtension
from nameko.web.handlers import HttpRequestHandler
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from shared.contracts.fields import UUID_PATTERN
from shared.database import UnitsOfWork
from shared.errors import DomainError, Forbidden, Invalid, NotFound
from shared.openapi import Plugin
from shared.organisations import MANY_OF_A_KIND, OfAnOrganisation, organisation_named, which
from shared.store import (COMMITTED, KEYED_REQUEST, KEYED_WORK, KeyedRequest, Page,
                          OutcomeUnknown, database_unavailable, lost_a_race,
                          retry_transaction)

log = logging.getLogger(__name__)

ANY_ID = re.compile(UUID_PATTERN.strip("^$"), re.IGNORECASE)
QUERY = re.compile(r"\?[^\s\"]*")


class MaskedIds(logging.Filter):
    """The web server logs each request's path, and paths name participants
    (GET /candidates/<id>): its log shows every id as <id>, so that an erased participant does
    not live on in it, and no query, which may search by name or BSN
    (shared/tests/test_http_inputs.py::test_the_access_log_names_no_id,
    test_the_access_log_keeps_no_search,
    tests/test_chain_e2e.py::test_withdrawing_every_consent_leaves_the_participant_only_at_intake_and_the_pi)."""

    def filter(self, record):
        masked = ANY_ID.sub("<id>", record.getMessage())
        record.msg, record.args = QUERY.sub("?<query>", masked), ()
        return True


# nameko's web server writes its access log (eventlet's wsgi) to this logger.
logging.getLogger("nameko.web.server").addFilter(MaskedIds())

MAX_BODY_BYTES = 64 * 1024
# A key anyone could guess opens nothing: `doorstroom up` makes keys of 32 characters.
MIN_KEY_LENGTH = 16
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
IDEMPOTENCY_KEY = "Idempotency-Key"
# Seconds a client should wait before it tries again when the database is away.
RETRY_AFTER_SECONDS = 2
# What an Idempotency-Key may be: 1 to 255 printable ASCII characters, no space at either end.
IDEMPOTENCY_KEY_PATTERN = re.compile(r"[!-~]([ -~]*[!-~])?")

# Each API key stands for one role of one organisation in the chain.
ROLES = {
    "pi-case-manager": "pi",
    "pi-privacy-officer": "pi",
    "trainer": "work-company",
    "job-coach": "work-company",
    "employer-desk": "social-service",
    "employer": "employer",
    "municipality-caseworker": "municipality",
    "probation-officer": "probation",
    "operator": "operator",
}


@dataclass(frozen=True)
class Caller(OfAnOrganisation):
    name: str
    role: str
    # The organisation the key is of (shared/organisations.py): `municipality:0505`,
    # `employer:<id>`, `pi:<institution>`, or just the kind.
    organisation: str


class ApiError(Exception):
    def __init__(self, status, message, fields=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = fields


class FailedAfterCommit(Exception):
    """A use case failed after it committed: a fault of the use case, which should make its
    answer before it commits."""


# Beyond this a page would be empty in any chain this size, and the database's integers end.
MAX_OFFSET = 1_000_000


class Paging(Schema):
    """Query parameters of every list endpoint."""
    offset = fields.Integer(load_default=0, validate=validate.Range(0, MAX_OFFSET))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))


TOTAL_COUNT = "X-Total-Count"


class ErrorSchema(Schema):
    """Why a request was refused; beside `error` and `fields`, facts the caller may need to act
    on it (a 409 for a BSN already in the chain names that `participant_id`)."""

    class Meta:
        unknown = INCLUDE

    error = fields.String(required=True)
    fields = fields.Dict(metadata={"description": "messages per offending field"})


class ApiKeys(SharedExtension):
    """The service's API keys, from `API_KEYS_FILE`: a JSON object that maps each key holder's
    name to their role and key, e.g. {"a.jansen": {"role": "pi-case-manager", "key": "..."}},
    or the key's hash instead ({"key_sha256": "..."}, as `doorstroom keys add` writes it). A
    person who signs in to the pages has an entry with a password hash instead of a key, or
    beside it (shared/web/people.py, `doorstroom accounts add`). A key
    names its `organisation` where there are many of its kind ("municipality:0505",
    "employer:<id>", optionally "pi:<institution>"); an employer's key may name its
    `employer_id` instead. The name is what audit logs record as the reader. The file is read
    again when it changes, so keys are issued and revoked without a restart; a file that cannot
    be read keeps the keys in force, and a key whose entry is wrong opens nothing."""

    def setup(self):
        self.path = self.container.config.get("API_KEYS_FILE")
        self.read_at = None
        self.holders = {}
        self._refresh()
        if self.path and self.read_at is None:
            raise ValueError(f"{self.path}: not a usable API keys file")

    def caller_for(self, token):
        self._refresh()
        if len(token) < MIN_KEY_LENGTH:
            return None
        presented = key_hash(token)
        for name, entry in self.holders.items():
            if entry["key_sha256"] and hmac.compare_digest(entry["key_sha256"], presented):
                return Caller(name, entry["role"], entry["organisation"])
        return None

    def person(self, name):
        """The account of the person of this name, who signs in to the pages with a password
        (shared/web/people.py), as its caller and its entry; or None."""
        self._refresh()
        entry = self.holders.get(name)
        if entry is None or "password_argon2" not in entry:
            return None
        return Caller(name, entry["role"], entry["organisation"]), entry

    def _refresh(self):
        if not self.path:
            return
        try:
            modified = Path(self.path).stat().st_mtime_ns
            if modified == self.read_at:
                return
            holders = json.loads(Path(self.path).read_text())
            unknown = {entry["role"] for entry in holders.values()} - set(ROLES)
            if unknown:
                raise ValueError(f"unknown roles {sorted(unknown)}")
            short = sorted(name for name, entry in holders.items()
                           if len(entry.get("key", "x" * MIN_KEY_LENGTH)) < MIN_KEY_LENGTH)
            if short:
                log.error("API keys of %s in %s are shorter than %d characters: they open "
                          "nothing", short, self.path, MIN_KEY_LENGTH)
            # Hashed once per reading, so each request hashes only the key it presents.
            usable = {name: {**entry, "organisation": _organisation_of(name, entry),
                             "key_sha256": entry.get("key_sha256") or
                             (key_hash(entry["key"]) if "key" in entry else None)}
                      for name, entry in holders.items() if name not in short}
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.error("API keys in %s not (re)loaded: %r", self.path, exc)
            return
        self.holders = {name: entry for name, entry in usable.items() if entry["organisation"]}
        self.read_at = modified


def _organisation_of(holder, entry):
    """The organisation a key is of, or None (logged) when its entry names another kind."""
    kind = ROLES[entry["role"]]
    employer = entry.get("employer_id")
    try:
        return organisation_named(entry.get("organisation") or
                                  (f"employer:{employer}" if employer else kind), kind)
    except ValueError as exc:
        log.error("the API key of %s opens nothing: %s", holder, exc)
        return None


def key_hash(key):
    """How a keys file may hold a key: its SHA-256, hex (`doorstroom keys add`). Keys are
    random and long, so a plain hash is enough."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiEndpoint(HttpRequestHandler):
    api_keys = ApiKeys()
    # Pages for people (shared/web/pages.py) are no part of the API its document describes.
    in_openapi = True

    def __init__(self, method, url, *, roles=(), body=None, query=None, response=None,
                 many=False, status=200, summary=None, public=False, refers_to=(), csv=False,
                 readers=(), creates=None,
                 unavailable="the database is away for now; see Retry-After", **kwargs):
        if not roles and not public:
            raise ValueError(f"{method} {url}: name the roles that may call it, or make it public")
        self.roles = frozenset(roles)
        # Of those, whom the use case lets read: it refuses the rest itself, so that their
        # attempts are logged (shared/audit.py audited_read).
        self.readers = frozenset(readers) or self.roles
        self.body_schema = body
        self.query_schema = query
        # A list asked for page by page, which answers how many there are in all (Page).
        self.paged = isinstance(query, type) and issubclass(query, Paging)
        self.response_schema = response
        # The answer is a list (of `response`), as the OpenAPI document says.
        self.many = many
        self.status = status
        self.summary = summary
        self.public = public
        # Body fields that name records of the service: one that names none is a 404.
        self.refers_to = tuple(refers_to)
        # The names (path parameters, body fields) by which other operations name the record
        # this endpoint creates, each with the field of the answer that holds it: a name alone
        # means the answer's `id`. The OpenAPI document links the answer to the operations on
        # that record.
        self.creates = {creates: "id"} if isinstance(creates, str) else dict(creates or {})
        # The answer comes as text/csv too, when the query asks for it.
        self.csv = csv
        # What a 503 of this endpoint means.
        self.unavailable = unavailable
        # Refused requests are logged as expected, not as faults of the service.
        kwargs.setdefault("expected_exceptions", (DomainError, ApiError, ValidationError))
        super().__init__(method, url, **kwargs)

    @property
    def path(self):
        """The path as the OpenAPI document names it: /cohorts/{cohort_id}."""
        return _PATH_PARAM.sub(r"{\1}", self.url)

    def handle_request(self, request):
        request.shallow = False
        try:
            context_data = self.server.context_data_from_headers(request)
            args, kwargs = self.get_entrypoint_parameters(request)
            self.check_signature(args, kwargs)
            keyed = self._keyed_request(request, kwargs.get("caller"))
            if keyed is not None:
                context_data[KEYED_REQUEST] = keyed
            # A use case that lost a race with a concurrent transaction, or its connection,
            # rolled back whole, so it is run again. One whose commit may or may not have
            # happened is run again only with a key, which then finds it done.
            response = retry_transaction(
                lambda: self._answer(keyed, args, copy.deepcopy(kwargs), context_data),
                rerun_uncertain=keyed is not None)
        except Exception as exc:
            response = self.response_from_exception(exc, request)
        return response

    def _answer(self, keyed, args, kwargs, context_data):
        if keyed is not None:
            earlier = self._units_of_work.keyed_requests.earlier(keyed)
            if earlier is not None:
                return _answer_again(keyed, earlier)
        attempt = dict(context_data)
        try:
            return self._run_worker(args, kwargs, attempt)
        except Exception as exc:
            if attempt.get(COMMITTED) and (lost_a_race(exc) or database_unavailable(exc)):
                raise FailedAfterCommit(exc) from exc  # running it again would do it twice
            raise

    def _run_worker(self, args, kwargs, context_data):
        """The worker's answer as a Response; raises what the worker raised."""
        event = Event()
        self.container.spawn_worker(self, args, kwargs, context_data=context_data,
                                    handle_result=partial(self.handle_result, event))
        return event.wait()

    def handle_result(self, event, worker_ctx, result, exc_info):
        # In the worker's own thread, right after the use case returned: a keyed request's
        # transaction commits with its answer before any other thread runs, so SQLite's write
        # lock is held no longer than before. Nothing raised here may escape: it would stop
        # the service.
        work = worker_ctx.data.get(KEYED_WORK)
        try:
            if exc_info is not None:
                raise exc_info[1].with_traceback(exc_info[2])
            response = self.response_from_result(result)
            if work is not None and work.holds_commit:
                work.commit_with_answer(response.status_code, response.get_data(as_text=True))
            event.send(response)
        except Exception:
            if work is not None:
                work.abandon()
            event.send(None, sys.exc_info())
        return result, exc_info

    @property
    def _units_of_work(self):
        return next(dependency for dependency in self.container.dependencies
                    if isinstance(dependency, UnitsOfWork))

    def _keyed_request(self, request, caller):
        header = request.headers.get(IDEMPOTENCY_KEY)
        if header is None or self.method not in WRITE_METHODS:
            return None
        key = header.strip()
        if len(key) > 255 or not IDEMPOTENCY_KEY_PATTERN.fullmatch(key):
            raise ApiError(400, f"{IDEMPOTENCY_KEY} must be 1 to 255 printable ASCII characters",
                           {IDEMPOTENCY_KEY: ["not a usable key"]})
        if len(key) > 2 and key[0] == key[-1] == '"':  # the draft's form: a quoted string
            key = key[1:-1]
        # Keyed with the caller's API key, which the database never holds: a body with a BSN
        # in it cannot be guessed back from its fingerprint.
        secret = request.headers.get("Authorization", "").encode()
        asked = hmac.new(secret, f"{self.method} {request.path}\n".encode(), hashlib.sha256)
        asked.update(_canonical(request.get_data(cache=True)))
        return KeyedRequest(caller.name if caller else "", key, asked.hexdigest())

    def get_entrypoint_parameters(self, request):
        kwargs = dict(request.path_values)
        if not self.public:
            kwargs["caller"] = self._authorise(request)
        if _nul_fields(request.path_values):
            raise ApiError(404, "not found: no id or code holds a NUL character")
        if self.body_schema is not None:
            kwargs["body"] = _load(self.body_schema(), _json_body(request))
        if self.query_schema is not None:
            kwargs["query"] = _load(self.query_schema(), _query(request.args))
        return (), kwargs

    def _authorise(self, request):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        caller = self.api_keys.caller_for(token.strip()) if scheme.lower() == "bearer" else None
        if caller is None:
            raise ApiError(401, "a valid API key is required (Authorization: Bearer <key>)")
        if caller.role not in self.roles:
            raise ApiError(403, f"role {caller.role!r} may not call {self.method} {self.url}")
        return caller

    def response_from_result(self, result):
        if isinstance(result, Response):
            return result
        status = self.status
        if isinstance(result, tuple):
            status, result = result
        if result is not None and isinstance(result, list) != self.many:
            raise TypeError(f"{self.method} {self.url} answered a {type(result).__name__}, but its "
                            f"OpenAPI document says {'a list' if self.many else 'one object'}")
        if self.paged and status < 400 and not isinstance(result, Page):
            raise TypeError(f"{self.method} {self.url} answered a page without its total: "
                            f"its OpenAPI document promises {TOTAL_COUNT}")
        total = result.total if isinstance(result, Page) else None
        # An answer of an error status is in the Error schema, not the response's.
        if self.response_schema is not None and result is not None and status < 400:
            result = self.response_schema(many=self.many).dump(result)
        response = _json_response(status, result)
        if total is not None:
            response.headers[TOTAL_COUNT] = str(total)
        return response

    def response_from_exception(self, exc, request=None):
        if isinstance(exc, ApiError):
            return _error(exc.status, exc.message, exc.fields)
        if isinstance(exc, ValidationError):
            return _error(422, "invalid input", exc.messages)
        if isinstance(exc, DomainError):
            status = (404 if isinstance(exc, NotFound) else 403 if isinstance(exc, Forbidden)
                      else 422 if isinstance(exc, Invalid) else 409)
            return _json_response(status, {"error": str(exc), **exc.details})
        if isinstance(exc, HTTPException):
            return _error(exc.code, exc.description)
        if isinstance(exc, FailedAfterCommit):
            log.error("%s %s failed after it committed", self.method, self.url,
                      exc_info=exc.__cause__)
            return _error(500, "the request was carried out, but its answer could not be made; "
                          "look up its result")
        if isinstance(exc, OutcomeUnknown):
            log.warning("%s %s: %s", self.method, self.url, exc)
            return _error(503, "the database went away while this request was being saved: it "
                          "may or may not have been carried out; to find out safely, send it "
                          f"again with the same {IDEMPOTENCY_KEY} (or with one, if it had none "
                          "and changes nothing when done twice)", retry_after=True)
        if database_unavailable(exc):
            log.warning("%s %s: database unavailable: %r", self.method, self.url, exc)
            return _error(503, "service temporarily unavailable: its database cannot be "
                          "reached; try again shortly", retry_after=True)
        log.error("unexpected error in %s %s", self.method, self.url, exc_info=exc)
        return _error(500, "internal error")


def _answer_again(keyed, earlier):
    if earlier.fingerprint != keyed.fingerprint:
        raise ApiError(422, f"this {IDEMPOTENCY_KEY} was used for another request",
                       {IDEMPOTENCY_KEY: ["already used with another method, path or body"]})
    response = Response(earlier.answer, status=earlier.status, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _canonical(raw):
    """The body as its JSON value says it, so that spacing or key order makes no new request."""
    try:
        return json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, UnicodeDecodeError):
        return raw


def _json_body(request):
    request.max_content_length = MAX_BODY_BYTES
    raw = request.get_data(cache=True)
    if not raw:
        raise ApiError(400, "a JSON object is required as request body")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"malformed JSON: {exc}") from exc
    except RecursionError as exc:
        raise ApiError(400, "malformed JSON: nested too deeply") from exc


def _query(args):
    """The query's parameters, each given once: no query parameter is a list."""
    repeated = sorted(name for name, values in args.lists() if len(values) > 1)
    if repeated:
        raise ApiError(422, "each query parameter may be given once",
                       {name: ["given more than once"] for name in repeated})
    return args.to_dict()


def _load(schema, data):
    if not isinstance(data, dict):
        raise ApiError(422, f"expected a JSON object, got {type(data).__name__}",
                       {"_schema": ["Invalid input type."]})
    nul = _nul_fields(data)
    if nul:
        raise ApiError(422, "text may not hold a NUL character", nul)
    return schema.load(data)


def _nul_fields(value):
    """Where `value` holds text with a NUL character, nested as marshmallow names fields, or
    None: PostgreSQL cannot store one in text, and no name, code or reason has one."""
    if isinstance(value, str):
        return ["may not hold a NUL character"] if "\x00" in value else None
    items = (value.items() if isinstance(value, dict) else
             enumerate(value) if isinstance(value, list) else ())
    found = {key: messages for key, item in items
             if (messages := _nul_fields(key) or _nul_fields(item))}
    return found or None


def _json_response(status, payload):
    body = "" if payload is None else json.dumps(payload, default=str)
    return Response(body, status=status, mimetype="application/json")


def _error(status, message, field_messages=None, retry_after=False):
    payload = {"error": message}
    if field_messages:
        payload["fields"] = field_messages
    response = _json_response(status, payload)
    if retry_after:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


api = ApiEndpoint.decorator


def own_organisation(caller):
    """The caller's organisation, once its key says which one it is where the chain has many of
    its kind (an unbound employer or municipality key opens nothing of theirs)."""
    if caller.kind in MANY_OF_A_KIND and which(caller.organisation, caller.kind) is None:
        raise ApiError(403, f"this {caller.kind} key does not say which {caller.kind} it is of")
    return caller.organisation


def employer_of(caller):
    """The employer an employer's key is bound to."""
    return which(own_organisation(caller), "employer")


def require_own(caller, employer_id, what="employer"):
    """An employer's key reaches only its own employer's data; anyone else's does not exist
    for it. Other roles pass."""
    if caller.role == "employer" and employer_of(caller) != employer_id:
        raise NotFound(f"no {what} of yours with that id")


def openapi_document(service_cls, title, description=""):
    """OpenAPI 3 for every endpoint of `service_cls`, from its marshmallow schemas."""
    spec = APISpec(title=title, version="1.0.0", openapi_version="3.0.3", plugins=[Plugin()],
                   info={"description": description},
                   # Every instance serves its own document, on whatever port it was given.
                   servers=[{"url": "/", "description": "the service that serves this document"}])
    spec.tag({"name": service_cls.name, "description": title})
    spec.components.security_scheme("apiKey", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", {"description": " ".join(ErrorSchema.__doc__.split())},
                           schema=ErrorSchema)
    paths = {}
    service_endpoints = list(endpoints(service_cls))
    for endpoint, method in service_endpoints:
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = _operation(
            endpoint, method, service_cls.name, _links(endpoint, service_endpoints))
    for path in sorted(paths):
        spec.path(path=path, operations=paths[path])
    return spec.to_dict()


def endpoints(service_cls):
    """Each ApiEndpoint of `service_cls`, with the method it calls."""
    for _, method in inspect.getmembers(service_cls, inspect.isfunction):
        for endpoint in getattr(method, ENTRYPOINT_EXTENSIONS_ATTR, ()):
            if isinstance(endpoint, ApiEndpoint) and endpoint.in_openapi:
                yield endpoint, method


_PATH_PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _links(source, targets):
    """OpenAPI links from a write's answer to each operation on a record it names: a path
    parameter, or a body field the operation `refers_to`, of the same name names the same
    record, taken from the path the write was called with, or from the answer's `id` where the
    write `creates` it. A client, or a stateful test, follows them from a new record to what can
    be done with it (tests/test_schemathesis.py)."""
    if source.method not in WRITE_METHODS:
        return {}
    known = {name: f"$request.path.{name}" for name in _PATH_PARAM.findall(source.url)}
    known.update({name: f"$response.body#/{field}" for name, field in source.creates.items()})
    links = {}
    for target, method in targets:
        parameters = {name: known[name] for name in _PATH_PARAM.findall(target.url)
                      if name in known}
        # A body is a literal, with each expression embedded in its string.
        body = {name: f"{{{known[name]}}}" for name in target.refers_to if name in known}
        link = {"operationId": method.__name__}
        if parameters:
            link["parameters"] = parameters
        if body:
            link["requestBody"] = body
        if len(link) > 1:
            links[method.__name__] = link
    return links


def _operation(endpoint, method, tag, links):
    doc = inspect.getdoc(method) or method.__name__
    path_params = _PATH_PARAM.findall(endpoint.url)
    success = {"description": "success"}
    schema = endpoint.response_schema
    if endpoint.many:
        schema = {"type": "array", "items": schema or {"type": "object"}}
    if schema is not None:
        success["content"] = {"application/json": {"schema": schema}}
    if endpoint.csv:
        success["content"]["text/csv"] = {"schema": {"type": "string"}}
    if links:
        success["links"] = links
    if endpoint.paged:
        success["headers"] = {TOTAL_COUNT: {
            "description": "how many items match the query, on all pages together",
            "schema": {"type": "integer", "minimum": 0}}}
    operation = {
        "operationId": method.__name__,
        "tags": [tag],
        # The docstring's first paragraph, on one line; the whole of it as the description.
        "summary": endpoint.summary or " ".join(doc.split("\n\n")[0].split()),
        "description": " ".join(doc.split()),
        "parameters": [{"in": "path", "name": name, "required": True, "schema": {"type": "string"}}
                       for name in path_params],
        "responses": {str(endpoint.status): success},
    }
    if endpoint.query_schema is not None:
        operation["parameters"].append({"in": "query", "schema": endpoint.query_schema})
    if endpoint.body_schema is not None:
        operation["requestBody"] = {
            "required": True, "content": {"application/json": {"schema": endpoint.body_schema}}}
    if endpoint.method in WRITE_METHODS:
        operation["parameters"].append({
            "in": "header", "name": IDEMPOTENCY_KEY, "required": False,
            "schema": {"type": "string", "maxLength": 255,
                       "pattern": f"^{IDEMPOTENCY_KEY_PATTERN.pattern}$"},
            "description": "makes the request safe to send again: the same key with the same "
                           "request gets the first answer; with another request, 422"})
    operation["security"] = [] if endpoint.public else [{"apiKey": []}]
    error = {"content": {"application/json": {"schema": "Error"}}}
    for status, reasons in sorted(_error_statuses(endpoint, path_params).items()):
        operation["responses"][str(status)] = {"description": "; ".join(reasons), **error}
    operation["responses"]["503"] = {
        "description": endpoint.unavailable,
        "headers": {"Retry-After": {"schema": {"type": "integer"}}}, **error}
    return operation


def _error_statuses(endpoint, path_params):
    """The 4xx statuses the endpoint can answer, each with why: what get_entrypoint_parameters,
    _keyed_request and response_from_exception refuse."""
    statuses = {}

    def answers(status, reason):
        statuses.setdefault(status, []).append(reason)
    if endpoint.body_schema is not None:
        answers(400, "malformed JSON")
        answers(413, "body too large")
        answers(422, "invalid fields")
    if endpoint.query_schema is not None:
        answers(422, "invalid query parameters")
    if endpoint.method in WRITE_METHODS:
        answers(400, f"malformed {IDEMPOTENCY_KEY}")
        answers(409, "conflicts with the current state")
        answers(422, f"an {IDEMPOTENCY_KEY} used for another request")
    if not endpoint.public:
        answers(401, "no valid API key")
        answers(403, "not for this key: its role, or an organisation it does not name")
    if path_params:
        answers(404, "not found")
    if endpoint.refers_to:
        answers(404, f"the body's {' or '.join(endpoint.refers_to)} names none")
    return statuses
