"""Errors the domain models raise; plain Python, so domains stay free of frameworks."""


class DomainError(Exception):
    """A request the domain refuses; `details` are facts the caller may need to act on it."""

    def __init__(self, message, details=None):
        super().__init__(message)
        self.details = details or {}


class NotFound(DomainError):
    pass


class Forbidden(DomainError):
    """The caller's role may not have this, as a use case decides (one that audits refusals,
    say)."""


class Conflict(DomainError):
    """The request clashes with the current state, e.g. an illegal state transition."""


class Invalid(DomainError):
    """A value the domain rules out, named by its field."""

    def __init__(self, field, message):
        super().__init__(message, {"fields": {field: [message]}} if field else None)
        self.field = field
