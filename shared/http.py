"""JSON over HTTP for every service: API keys, input validation, error mapping and OpenAPI.

An endpoint declares who may call it and the schemas of what it takes and gives; the handler
method receives the loaded input and the caller, and returns plain data. Bad input always gets a
4xx with a JSON body naming the fields; an unexpected fault gets a 500 without internals.
"""
import copy
import hmac
import inspect
import json
import logging
import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from apispec import APISpec
from eventlet.event import Event
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, ValidationError, fields, validate
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR, SharedExtension
from nameko.web.handlers import HttpRequestHandler
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from shared.errors import DomainError, Invalid, NotFound
from shared.store import retry_races

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024

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
class Caller:
    name: str
    role: str
    organisation: str
    # For the employer role: the one employer whose data the key opens.
    employer_id: str | None = None


class ApiError(Exception):
    def __init__(self, status, message, fields=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = fields


class Paging(Schema):
    """Query parameters of every list endpoint."""
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))


class ErrorSchema(Schema):
    error = fields.String(required=True)
    fields = fields.Dict(metadata={"description": "messages per offending field"})


class ApiKeys(SharedExtension):
    """The service's API keys, from `API_KEYS_FILE`: a JSON object that maps each key holder's
    name to their role and key, e.g. {"a.jansen": {"role": "pi-case-manager", "key": "..."}};
    an employer's key also names its `employer_id`. The name is what audit logs record as the
    reader. The file is read again when it changes, so keys are issued and revoked without a
    restart; a file that cannot be read keeps the keys in force."""

    def setup(self):
        self.path = self.container.config.get("API_KEYS_FILE")
        self.read_at = None
        self.holders = {}
        self._refresh()
        if self.path and self.read_at is None:
            raise ValueError(f"{self.path}: not a usable API keys file")

    def caller_for(self, token):
        self._refresh()
        for name, entry in self.holders.items():
            if hmac.compare_digest(entry["key"].encode(), token.encode()):
                return Caller(name, entry["role"], ROLES[entry["role"]], entry.get("employer_id"))
        return None

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
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.error("API keys in %s not (re)loaded: %r", self.path, exc)
            return
        self.holders, self.read_at = holders, modified


class ApiEndpoint(HttpRequestHandler):
    api_keys = ApiKeys()

    def __init__(self, method, url, *, roles=(), body=None, query=None, response=None,
                 status=200, summary=None, public=False, **kwargs):
        if not roles and not public:
            raise ValueError(f"{method} {url}: name the roles that may call it, or make it public")
        self.roles = frozenset(roles)
        self.body_schema = body
        self.query_schema = query
        self.response_schema = response
        self.status = status
        self.summary = summary
        self.public = public
        # Refused requests are logged as expected, not as faults of the service.
        kwargs.setdefault("expected_exceptions", (DomainError, ApiError, ValidationError))
        super().__init__(method, url, **kwargs)

    def handle_request(self, request):
        request.shallow = False
        try:
            context_data = self.server.context_data_from_headers(request)
            args, kwargs = self.get_entrypoint_parameters(request)
            self.check_signature(args, kwargs)
            result = retry_races(lambda: self._run_worker(args, copy.deepcopy(kwargs),
                                                          context_data))
            response = self.response_from_result(result)
        except Exception as exc:
            response = self.response_from_exception(exc)
        return response

    def _run_worker(self, args, kwargs, context_data):
        # A use case that lost a race with a concurrent transaction rolled back whole, so
        # retry_races runs it again, and then it sees what the other one did.
        event = Event()
        self.container.spawn_worker(self, args, kwargs, context_data=context_data,
                                    handle_result=partial(self.handle_result, event))
        return event.wait()

    def get_entrypoint_parameters(self, request):
        kwargs = dict(request.path_values)
        if not self.public:
            kwargs["caller"] = self._authorise(request)
        if self.body_schema is not None:
            kwargs["body"] = _load(self.body_schema(), _json_body(request))
        if self.query_schema is not None:
            kwargs["query"] = _load(self.query_schema(), request.args.to_dict())
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
        if self.response_schema is not None and result is not None:
            result = self.response_schema(many=isinstance(result, list)).dump(result)
        return _json_response(status, result)

    def response_from_exception(self, exc):
        if isinstance(exc, ApiError):
            return _error(exc.status, exc.message, exc.fields)
        if isinstance(exc, ValidationError):
            return _error(422, "invalid input", exc.messages)
        if isinstance(exc, DomainError):
            status = 404 if isinstance(exc, NotFound) else 422 if isinstance(exc, Invalid) else 409
            return _json_response(status, {"error": str(exc), **exc.details})
        if isinstance(exc, HTTPException):
            return _error(exc.code, exc.description)
        log.error("unexpected error in %s %s", self.method, self.url, exc_info=exc)
        return _error(500, "internal error")


def _json_body(request):
    request.max_content_length = MAX_BODY_BYTES
    raw = request.get_data(cache=True)
    if not raw:
        raise ApiError(400, "a JSON object is required as request body")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"malformed JSON: {exc}") from exc


def _load(schema, data):
    if not isinstance(data, dict):
        raise ApiError(422, f"expected a JSON object, got {type(data).__name__}",
                       {"_schema": ["Invalid input type."]})
    return schema.load(data)


def _json_response(status, payload):
    body = "" if payload is None else json.dumps(payload, default=str)
    return Response(body, status=status, mimetype="application/json")


def _error(status, message, field_messages=None):
    payload = {"error": message}
    if field_messages:
        payload["fields"] = field_messages
    return _json_response(status, payload)


api = ApiEndpoint.decorator


def employer_of(caller):
    """The employer an employer's key is bound to."""
    if not caller.employer_id:
        raise ApiError(403, "this employer key is not bound to an employer")
    return caller.employer_id


def require_own(caller, employer_id, what="employer"):
    """An employer's key reaches only its own employer's data; anyone else's does not exist
    for it. Other roles pass."""
    if caller.role == "employer" and employer_of(caller) != employer_id:
        raise NotFound(f"no {what} of yours with that id")


def openapi_document(service_cls, title, description=""):
    """OpenAPI 3 for every endpoint of `service_cls`, from its marshmallow schemas."""
    spec = APISpec(title=title, version="1.0.0", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()], info={"description": description})
    spec.components.security_scheme("apiKey", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=ErrorSchema)
    paths = {}
    for _, method in inspect.getmembers(service_cls, inspect.isfunction):
        for endpoint in getattr(method, ENTRYPOINT_EXTENSIONS_ATTR, ()):
            if isinstance(endpoint, ApiEndpoint):
                path, operation = _operation(endpoint, method)
                paths.setdefault(path, {})[endpoint.method.lower()] = operation
    for path in sorted(paths):
        spec.path(path=path, operations=paths[path])
    return spec.to_dict()


_PATH_PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _operation(endpoint, method):
    error = {"content": {"application/json": {"schema": "Error"}}}
    path_params = _PATH_PARAM.findall(endpoint.url)
    operation = {
        "operationId": method.__name__,
        "summary": endpoint.summary or (inspect.getdoc(method) or method.__name__).splitlines()[0],
        "parameters": [{"in": "path", "name": name, "required": True, "schema": {"type": "string"}}
                       for name in path_params],
        "responses": {str(endpoint.status): {"description": "success"}},
    }
    if endpoint.response_schema is not None:
        operation["responses"][str(endpoint.status)]["content"] = {
            "application/json": {"schema": endpoint.response_schema}}
    if endpoint.query_schema is not None:
        operation["parameters"].append({"in": "query", "schema": endpoint.query_schema})
    if endpoint.body_schema is not None:
        operation["requestBody"] = {
            "required": True, "content": {"application/json": {"schema": endpoint.body_schema}}}
        operation["responses"].update({"400": {"description": "malformed JSON", **error},
                                       "413": {"description": "body too large", **error},
                                       "422": {"description": "invalid fields", **error}})
    if not endpoint.public:
        operation["security"] = [{"apiKey": []}]
        operation["responses"].update({"401": {"description": "no valid API key", **error},
                                       "403": {"description": "role not allowed", **error}})
    if path_params:
        operation["responses"]["404"] = {"description": "not found", **error}
    return _PATH_PARAM.sub(r"{\1}", endpoint.url), operation
