"""Field types the contracts share, with the bounds that keep payloads sane."""
import re
from contextlib import contextmanager
from contextvars import ContextVar

from marshmallow import ValidationError, fields, validate

from shared.contracts import municipalities, vocabulary

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


def Id(**kwargs):
    return fields.String(required=True, validate=validate.Regexp(UUID_PATTERN, error="Not a valid id."), **kwargs)


# What a code of an open vocabulary looks like, so that one this release does not know is kept
# only when it is a code and fits where codes are stored.
CODE_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
CODE_MAX_LENGTH = 40

# While a consumer reads a fact: the unknown codes of open vocabularies it keeps, as
# (field, code) pairs; unset, every code is checked strictly (docs/events.md#versioning).
_kept = ContextVar("kept_codes", default=None)
# While a consumer applies a fact: the codes it kept, which the facts it records may pass on.
_passed_on = ContextVar("passed_on_codes", default=frozenset())


class Code(fields.String):
    """A code from `choices`, one of the chain's code lists. An `open` vocabulary grows within
    an event type: a consumer reading a newer producer's fact keeps a code its release does not
    know instead of refusing the fact (shared/tests/test_events.py)."""

    def __init__(self, choices, open=False, **kwargs):
        self.open = open
        super().__init__(validate=validate.OneOf(sorted(choices)), **kwargs)
        self.choices = frozenset(choices)

    def _validate(self, value):
        if self.open and value not in self.choices and _looks_like_a_code(value):
            kept = _kept.get()
            if kept is not None:
                kept.append((self.name, value))
                return
            if value in _passed_on.get():
                return
        super()._validate(value)


def _looks_like_a_code(value):
    return len(value) <= CODE_MAX_LENGTH and CODE_PATTERN.match(value) is not None


@contextmanager
def keeping_unknown_codes():
    """Read codes of open vocabularies leniently; yields the list of those kept."""
    kept = []
    token = _kept.set(kept)
    try:
        yield kept
    finally:
        _kept.reset(token)


@contextmanager
def passing_on(codes):
    """Let the facts recorded meanwhile carry `codes`, which a consumed fact brought: a code
    this release does not know is its producer's word, passed on unchanged; a code a service
    gives of its own accord is still checked strictly."""
    token = _passed_on.set(frozenset(codes))
    try:
        yield
    finally:
        _passed_on.reset(token)


def Codes(choices, open=False, **kwargs):
    return fields.List(Code(choices, open=open), validate=validate.Length(max=50), **kwargs)


def Text(max_length=200, **kwargs):
    return fields.String(validate=validate.Length(min=1, max=max_length), **kwargs)


class Municipality(fields.String):
    """A municipality, always as its CBS code (shared/contracts/municipalities.py): a request may
    give the code or the exact name, and gets the code back; anything else is refused, naming
    what it most likely meant (shared/tests/test_municipalities.py)."""

    def __init__(self, **kwargs):
        metadata = {"description": "CBS municipality code, e.g. 0512 (the exact name, Gorinchem, "
                                   "is taken too)", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, validate=validate.Length(1, 80), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        code = municipalities.municipality_code(text)
        if code is not None:
            return code
        guess = municipalities.meant(text)
        hint = f" Did you mean {guess[1]!r} ({guess[0]})?" if guess else ""
        raise ValidationError("Not a municipality: give its CBS code (e.g. 0512) or its exact "
                              f"name (e.g. Gorinchem).{hint}")


def LanguageLevel(**kwargs):
    return Code(vocabulary.LANGUAGE_LEVELS, **kwargs)


def TimeOfDay(**kwargs):
    return fields.String(validate=validate.Regexp(r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
                                                  error="Not a time of day (HH:MM)."), **kwargs)
