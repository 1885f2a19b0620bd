"""Typed domain errors with stable codes.

Services raise these; the API maps them to HTTP responses in one handler and the
console maps them to form messages. The ``status`` is the HTTP status the error
corresponds to, so every interface agrees on what kind of failure it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    status = 400
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.field = field

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "field": self.field}


class NotFound(DomainError):
    """The object does not exist, or the caller may not know it exists."""

    status = 404
    default_code = "not_found"


class Invalid(DomainError):
    """The input is well-formed JSON/form data but violates a rule about values."""

    status = 422
    default_code = "invalid"


class Forbidden(DomainError):
    """The caller is known but may not do this."""

    status = 403
    default_code = "forbidden"


class Conflict(DomainError):
    """The request clashes with the current state (e.g. a handoff without a note)."""

    status = 409
    default_code = "conflict"


@contextmanager
def under(field: str) -> Iterator[None]:
    """Domain errors raised inside name their field under ``field``.

    ``with under("tickets[3]")`` turns a ``subject`` error into ``tickets[3].subject``
    (and one with no field into ``tickets[3]``).
    """
    try:
        yield
    except DomainError as exc:
        exc.field = f"{field}.{exc.field}" if exc.field else field
        raise
