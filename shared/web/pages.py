"""Pages for people, beside a service's API and calling the same use cases: an entrypoint like
the API's (shared/http.py), but signed in with a session cookie instead of a key, every form
checked for its CSRF token, and HTML answers with headers that keep the page to itself.

A page method takes `page` (PageRequest): who is signed in, the query and the form, and how to
answer. A form is read with the API's own schema, so it keeps the API's rules; where it breaks
them, or a domain rule refuses it, the page named `invalid` is shown again with the errors
beside their fields (tests/test_web_sign_in.py, tests/test_web_browser.py)."""
import copy
import functools
import hmac
import inspect
import mimetypes
import secrets
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from marshmallow import ValidationError, fields
from werkzeug.security import safe_join
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from shared.errors import DomainError, Forbidden, Invalid, NotFound
from shared.http import ROLES, ApiEndpoint, ApiError, FailedAfterCommit, _nul_fields
from shared.store import OutcomeUnknown, database_unavailable
from shared.web.people import People, PeopleProvider, SignInRefused, csrf_token_of
from shared.web.render import render, secured

STATIC = Path(__file__).parent / "static"
CSRF_FIELD = "csrf_token"


class SignInNeeded(Exception):
    def __init__(self, where):
        super().__init__(where)
        self.where = where


class PageRequest:
    """What a page method is given of its request, and how it answers."""

    def __init__(self, endpoint, request, signed_in, csrf_token):
        self.endpoint = endpoint
        self.request = request
        self.signed_in = signed_in
        # Who is signed in: not yet while their second factor is awaited.
        self.person = signed_in.caller if signed_in and signed_in.complete else None
        self.csrf_token = csrf_token
        self.language = language_of(request)
        self.query = request.args.to_dict()
        self.raw_form = request.form
        self.form = None
        self.errors = {}
        self.problem = None
        self.status = 200
        self.cookies = []

    def __deepcopy__(self, memo):
        """A fresh copy for each run of the page's transaction (shared/http.py retries one that
        lost a race): the same request, none of what the run before made of it."""
        again = copy.copy(self)
        again.form, again.errors, again.problem, again.status = None, {}, None, 200
        again.cookies = list(self.cookies)
        return again

    def render(self, template, **context):
        response = Response(render(self.endpoint.service_cls, template, self.language, {
            "page": self, "person": self.person, "csrf_token": self.csrf_token,
            "shown_as": self.signed_in.shown_as if self.signed_in else None,
            "errors": self.errors, "problem": self.problem, **context}),
            status=self.status, mimetype="text/html")
        return self._finish(response)

    def url_with(self, path=None, **changes):
        """This page's address, or `path`, with this page's query, some of it changed: the next
        page of a list, or its export."""
        query = {**self.query, **{name: str(value) for name, value in changes.items()}}
        return (path or self.request.path) + ("?" + urlencode(query) if query else "")

    def redirect(self, where):
        return self._finish(redirect(where, 303))

    def set_cookie(self, value, max_age=None, suffix=""):
        self.cookies.append((self.endpoint.cookie_name + suffix, value, max_age))

    def refused(self, exc):
        """Show the page again with why the form was refused."""
        if isinstance(exc, ValidationError):
            self.errors = flat_messages(exc.messages)
            self.status = 422
        else:
            self.problem = exc
            self.status = 422 if isinstance(exc, Invalid) else 409
            if isinstance(exc, Invalid):
                self.errors = {exc.field: [str(exc)]} if getattr(exc, "field", None) else {}

    def _finish(self, response):
        for name, value, max_age in self.cookies:
            if value is None:
                response.delete_cookie(name, path="/", httponly=True, samesite="Strict",
                                       secure=self.endpoint.secure_cookies)
            else:
                response.set_cookie(name, value, max_age=max_age, path="/", httponly=True,
                                    samesite="Strict", secure=self.endpoint.secure_cookies)
        return secured(response)


def language_of(request):
    """Dutch, unless the browser prefers English."""
    return request.accept_languages.best_match(["nl", "en"], default="nl")


class PageEndpoint(ApiEndpoint):
    in_openapi = False
    people = People()

    def __init__(self, method, url, *, awaiting_code=False, sessionless=False, **kwargs):
        # A page of the sign-in itself, which a session waiting for its second factor opens.
        self.awaiting_code = awaiting_code
        # The same for everyone (the pages' assets): no session is looked up for it.
        self.sessionless = sessionless
        kwargs.setdefault("expected_exceptions", (DomainError, ApiError, ValidationError,
                                                  SignInNeeded))
        super().__init__(method, url, **kwargs)

    def setup(self):
        super().setup()
        config = self.container.config
        self.service_cls = self.container.service_cls
        self.cookie_name = f"doorstroom-{self.container.service_name}"
        # Only a chain served on this machine over plain http turns it off (doorstroom up).
        self.secure_cookies = str(config.get("WEB_COOKIE_SECURE", "true")).lower() != "false"

    def _keyed_request(self, request, caller):
        """None: a page's form is no API request, and an Idempotency-Key it brings is ignored,
        so that no answer with personal data is kept to be replayed."""
        return None

    def get_entrypoint_parameters(self, request):
        if _nul_fields(request.path_values) or _nul_fields(request.form.to_dict()):
            raise ApiError(404 if _nul_fields(request.path_values) else 422,
                           "text may not hold a NUL character")
        signed_in = None if self.sessionless else self.people.signed_in(
            request.cookies.get(self.cookie_name))
        if not self.public:
            if signed_in is None:
                raise SignInNeeded(request.full_path if self.method == "GET" else None)
            if not signed_in.complete and not self.awaiting_code:
                raise SignInNeeded(None)
            if signed_in.caller.role not in self.roles:
                raise ApiError(403, "deze pagina is niet voor uw rol")
        form_secret = request.cookies.get(self.cookie_name + "-form")
        csrf = (signed_in.csrf_token if signed_in else
                csrf_token_of(form_secret) if form_secret else None)
        if self.method == "POST":
            given = request.form.get(CSRF_FIELD, "")
            if csrf is None or not hmac.compare_digest(given.encode(), csrf.encode()):
                raise ApiError(403, "het formulier is verlopen of niet van deze site: "
                                    "open de pagina opnieuw en probeer het nog eens")
        page = PageRequest(self, request, signed_in, csrf)
        if csrf is None:
            # Before sign-in, the forms' token comes from a cookie of their own.
            form_secret = secrets.token_urlsafe(32)
            page.csrf_token = csrf_token_of(form_secret)
            page.set_cookie(form_secret, suffix="-form")
        return (), {**request.path_values, "page": page}

    def response_from_exception(self, exc, request=None):
        if isinstance(exc, SignInNeeded):
            where = "/signin" + (f"?{urlencode({'next': exc.where})}" if _local(exc.where)
                                 else "")
            return secured(redirect(where, 303))
        status, message = _status_of(exc)
        if status >= 500:
            super().response_from_exception(exc, request)  # logged as the API logs it
        language = language_of(request) if request is not None else "nl"
        response = Response(render(self.service_cls, "error.html", language, {
            "status": status, "message_text": message, "person": None, "csrf_token": None,
            "errors": {}, "problem": None}), status=status, mimetype="text/html")
        if status == 503:
            response.headers["Retry-After"] = "2"
        return secured(response)


def _status_of(exc):
    if isinstance(exc, ApiError):
        return exc.status, exc.message
    if isinstance(exc, NotFound):
        return 404, "niet gevonden"
    if isinstance(exc, Forbidden):
        return 403, "dit mag uw rol niet"
    if isinstance(exc, ValidationError) and isinstance(exc.messages, dict):
        # A filter of a page without a form to show it beside: named, in words.
        return 422, "; ".join(f"{name}: {' '.join(map(str, texts))}"
                              for name, texts in flat_messages(exc.messages).items())
    if isinstance(exc, (ValidationError, DomainError)):
        return 422, str(exc)
    if isinstance(exc, OutcomeUnknown):
        return 503, ("de database viel weg terwijl dit werd opgeslagen: het kan wel of niet "
                     "gebeurd zijn; kijk na of het er staat voor u het opnieuw stuurt")
    if isinstance(exc, FailedAfterCommit):
        return 500, "het is uitgevoerd, maar de pagina kon niet worden gemaakt; kijk het na"
    if database_unavailable(exc):
        return 503, "de database is even niet bereikbaar; probeer het zo nog eens"
    return 500, "er ging iets mis; het is gemeld"


def page(method, url, *, form=None, invalid=None, **kwargs):
    """A page entrypoint. `form` is the schema that reads the form; `invalid` names the page
    method that shows it again when it, or a domain rule, refuses what was sent."""
    def decorate(show):
        @functools.wraps(show)
        def answer(self, page, *args, **path):
            try:
                if form is not None:
                    page.form = form().load(form_data(form(), page.raw_form))
                return show(self, page, *args, **path)
            except (ValidationError, Invalid, DomainError) as exc:
                if invalid is None or isinstance(exc, (NotFound, Forbidden)):
                    raise
                page.refused(exc)
                again = getattr(self, invalid)
                takes = inspect.signature(again.__wrapped__).parameters
                return again(page, **{name: value for name, value in path.items()
                                      if name in takes})
        return PageEndpoint.decorator(method, url, **kwargs)(answer)
    return decorate


def form_data(schema, submitted):
    """The form as the schema reads it: `a.b` names field b of nested field a, a list field
    takes every value given, and an empty field counts as not given."""
    data = {}
    for name in submitted:
        if name == CSRF_FIELD:
            continue
        *outer, last = name.split(".")
        field, values = _field_at(schema, name.split(".")), [
            value for value in submitted.getlist(name) if value.strip() != ""]
        if not values:
            continue
        target = data
        for part in outer:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):  # `a` and `a.b` both given: the schema says which
                raise ValidationError({name: ["given both whole and in parts"]})
        target[last] = values if isinstance(field, fields.List) else values[0]
    return data


def _field_at(schema, path):
    field = None
    for part in path:
        field = schema.fields.get(part) if schema is not None else None
        schema = field.schema if isinstance(field, fields.Nested) else None
    return field


def flat_messages(messages, prefix=""):
    """marshmallow's messages by dotted field name, as the form names its fields."""
    flat = {}
    for name, value in messages.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            flat.update(flat_messages(value, key + "."))
        else:
            flat[key] = list(value)
    return flat


class PeoplePages:
    """Signing in and out for a service with pages, and their shared assets: a subclass names
    in `homes` the page each of its roles sees first."""
    homes = {}
    people = PeopleProvider()

    # Each of these names is one a service's API may not use: its pages' would replace it.
    @page("GET", "/", public=True)
    def first_page(self, page):
        if page.person is None:
            return page.redirect("/signin")
        if page.person.role not in self.homes:
            raise ApiError(403, "deze pagina is niet voor uw rol")
        return page.redirect(self.homes[page.person.role])

    @page("GET", "/signin", public=True)
    def sign_in_form(self, page):
        return page.render("signin.html", name=page.raw_form.get("name", ""),
                           next=page.query.get("next") or page.raw_form.get("next", ""))

    @page("POST", "/signin", public=True)
    def sign_in(self, page):
        name = page.raw_form.get("name", "").strip()[:120]
        try:
            token, caller, needs_code = self.people.sign_in(name,
                                                            page.raw_form.get("password", ""))
        except SignInRefused as refused:
            page.status, page.problem = (429 if refused.wait else 401), refused
            response = self.sign_in_form(page)
            if refused.wait:
                response.headers["Retry-After"] = str(int(refused.wait.total_seconds()) + 1)
            return response
        page.set_cookie(token)
        page.set_cookie(None, suffix="-form")
        where = _local(page.raw_form.get("next"))
        if needs_code:
            return page.redirect("/signin/code" + (f"?{urlencode({'next': where})}"
                                                   if where else ""))
        return page.redirect(where or self.homes.get(caller.role, "/"))

    @page("GET", "/signin/code", roles=ROLES, awaiting_code=True)
    def code_form(self, page):
        return page.render("code.html",
                           next=page.query.get("next") or page.raw_form.get("next", ""))

    @page("POST", "/signin/code", roles=ROLES, awaiting_code=True)
    def give_code(self, page):
        token = self.people.confirm(page.signed_in, page.raw_form.get("code", ""))
        if token is None:
            page.status = 401
            page.errors = {"code": ["deze code klopt niet, of is al gebruikt"]}
            return self.code_form(page)
        page.set_cookie(token)
        return page.redirect(_local(page.raw_form.get("next")) or
                             self.homes.get(page.signed_in.caller.role, "/"))

    @page("POST", "/signout", roles=ROLES, awaiting_code=True)
    def sign_out(self, page):
        self.people.sign_out(page.signed_in.token)
        page.set_cookie(None)
        return page.redirect("/signin")

    @page("GET", "/static/<path:asset>", public=True, sessionless=True)
    def asset(self, page, asset):
        path = safe_join(str(STATIC), asset)
        if path is None or not Path(path).is_file():
            raise NotFound("no such file")
        response = Response(Path(path).read_bytes(),
                            mimetype=mimetypes.guess_type(path)[0] or "application/octet-stream")
        response.headers["Cache-Control"] = "public, max-age=3600"
        return secured(response)


def _local(where):
    """`where` if it is a path on this site, so that a sign-in never sends anyone elsewhere: no
    scheme, no host, no backslash or control character that a browser would read otherwise
    (test_a_sign_in_sends_no_one_elsewhere)."""
    if not where or any(char == "\\" or ord(char) < 32 or ord(char) == 127 for char in where):
        return None
    parts = urlsplit(where)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or where.startswith("//"):
        return None
    return where
