"""Commerce-specific domain errors (the general ones live in rightdesk.core.errors)."""

from __future__ import annotations

from rightdesk.core.errors import DomainError


class BadSignature(DomainError):
    """A webhook whose signature does not prove it came from the source."""

    status = 401
    default_code = "bad_signature"
