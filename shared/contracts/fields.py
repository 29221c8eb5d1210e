"""Field types the contracts share, with the bounds that keep payloads sane."""
from marshmallow import fields, validate

from shared.contracts import vocabulary

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


def Id(**kwargs):
    return fields.String(required=True, validate=validate.Regexp(UUID_PATTERN, error="Not a valid id."), **kwargs)


def Code(choices, **kwargs):
    return fields.String(validate=validate.OneOf(sorted(choices)), **kwargs)


def Codes(choices, **kwargs):
    return fields.List(Code(choices), validate=validate.Length(max=50), **kwargs)


def Text(max_length=200, **kwargs):
    return fields.String(validate=validate.Length(min=1, max=max_length), **kwargs)


def Municipality(**kwargs):
    return Text(80, **kwargs)


def LanguageLevel(**kwargs):
    return Code(vocabulary.LANGUAGE_LEVELS, **kwargs)


def TimeOfDay(**kwargs):
    return fields.String(validate=validate.Regexp(r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
                                                  error="Not a time of day (HH:MM)."), **kwargs)
