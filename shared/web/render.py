"""Templates and headers of the pages: Jinja2 with every value escaped, Dutch first and English
second, dates in Dutch and moments in Europe/Amsterdam."""
import inspect
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from shared.clock import ZONE
from shared.contracts.municipalities import named
from shared.web.words import ENGLISH, label, message

SHARED_TEMPLATES = Path(__file__).parent / "templates"
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")
# No script or style but the site's own files, no frames, no form sent elsewhere, no referrer.
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def secured(response):
    response.headers.update(HEADERS)
    if response.mimetype == "text/html":
        # A page shows personal data: no cache keeps it after its session ends.
        response.headers["Cache-Control"] = "no-store"
    return response


@lru_cache(maxsize=None)
def environment(service_cls):
    own = Path(inspect.getfile(service_cls)).parent / "templates"
    env = Environment(loader=ChoiceLoader([FileSystemLoader(str(own)),
                                           FileSystemLoader(str(SHARED_TEMPLATES))]),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(day=_day, moment=_moment)
    return env


def render(service_cls, template, language, context):
    english = language == "en"

    def words(text, **values):
        return (ENGLISH.get(text, text) if english else text).format(**values)
    return environment(service_cls).get_template(template).render(
        _=words, label=lambda code: label(code, language),
        coded=lambda codes: [(code, label(code, language)) for code in codes],
        municipality_name=named,
        message=lambda text: message(text, language), language=language, english=english,
        organisation=getattr(service_cls, "organisation_name", service_cls.title), **context)


def _day(value, language="nl"):
    """4 december 2026 (or December 4, 2026)."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if language == "en":
        return f"{MONTHS_EN[value.month - 1]} {value.day}, {value.year}"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def _moment(value, language="nl"):
    """4 december 2026, 14:05, in Amsterdam."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    local = value.astimezone(ZONE)
    return f"{_day(local.date(), language)}, {local:%H:%M}"
