"""Secrets Rightdesk must keep and use again (a mailbox's IMAP password), sealed at rest.

A sealed value is ``enc1:`` followed by a Fernet token (AES-128-CBC with an
HMAC-SHA256) under a key derived from ``SECRET_KEY``. A copy of the database
alone does not give the passwords away. Rotating ``SECRET_KEY`` keeps old
values readable while the old key is listed in ``SECRET_KEY_FALLBACKS``, and
``reseal`` (called when a mailbox is saved) moves a value to the current key.
"""

from __future__ import annotations

import base64
import re

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from rightdesk.core.errors import Conflict

PREFIX = "enc1:"
#: A Fernet token: version byte 0x80 and a timestamp, URL-safe base64.
_TOKEN = re.compile(r"gAAAAA[A-Za-z0-9_-]{50,}={0,2}")


class SecretUnreadable(Conflict):
    """A sealed value that no configured key opens (``SECRET_KEY`` changed)."""

    default_code = "secret_unreadable"


def _fernet(key: str) -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"rightdesk-sealed-secrets",
        info=b"fernet key v1",
    ).derive(key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def _keys() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(str(key)) for key in keys])


def is_sealed(value: str) -> bool:
    """``value`` has the form of a sealed secret (a password "enc1:x" does not)."""
    return value.startswith(PREFIX) and _TOKEN.fullmatch(value[len(PREFIX) :]) is not None


def seal(plain: str) -> str:
    """``plain`` sealed under the current key ("" stays "")."""
    if not plain:
        return ""
    return PREFIX + _keys().encrypt(plain.encode()).decode()


def reseal(stored: str) -> str:
    """``stored`` sealed under the current key when an old configured key opens it, else
    as it is: a value the current key opens is not sealed again on every save."""
    if not is_sealed(stored):
        return stored
    token = stored[len(PREFIX) :].encode()
    try:
        _fernet(str(settings.SECRET_KEY)).decrypt(token)
        return stored
    except InvalidToken:
        pass
    try:
        return PREFIX + _keys().rotate(token).decode()
    except InvalidToken:
        return stored  # unreadable: kept, so the error names the cause


def unseal(stored: str, *, what: str = "The stored secret") -> str:
    """The plain value of ``stored``; a value written before sealing is returned as it is."""
    if not is_sealed(stored):
        return stored
    try:
        return _keys().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable(
            f"{what} was sealed with another SECRET_KEY: enter it again, or list the old key "
            "in SECRET_KEY_FALLBACKS."
        ) from exc
