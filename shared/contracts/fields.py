"""Field types the contracts share, with the bounds that keep payloads sane."""
from marshmallow import ValidationError, fields, validate

from shared.contracts import municipalities, vocabulary

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


def Id(**kwargs):
    return fields.String(required=True, validate=validate.Regexp(UUID_PATTERN, error="Not a valid id."), **kwargs)


def Code(choices, **kwargs):
    return fields.String(validate=validate.OneOf(sorted(choices)), **kwargs)


def Codes(choices, **kwargs):
    return fields.List(Code(choices), validate=validate.Length(max=50), **kwargs)


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
