"""Outgoing SMTP: hand one message to the relay configured in the environment.

Only transport lives here. Errors are sorted into transient (retry later) and
permanent (tell the ticket) so the outbox can decide what to do.
"""

from __future__ import annotations

import smtplib
import ssl
import time
import uuid
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

from django.conf import settings

from rightdesk.channels.parsing import one_line


class TransientSendError(Exception):
    """The relay could not take the message now (4xx, timeout, connection refused)."""


class PermanentSendError(Exception):
    """The relay refused the message for good (5xx): retrying will not help."""


def format_address(name: str, address: str) -> str:
    """A From/To value built from parts, so nothing in a name can start a new header."""
    local, _, domain = one_line(address, 254).partition("@")
    return str(Address(display_name=one_line(name, 200), username=local, domain=domain))


def _classify(code: int, text: str) -> Exception:
    detail = f"{code} {text}"
    if 400 <= code < 500:
        return TransientSendError(detail)
    return PermanentSendError(detail)


def _write_to_folder(msg: EmailMessage, *, sender: str, recipients: list[str]) -> Path:
    folder = Path(settings.EMAIL_FILE_PATH)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:12]}.eml"
    envelope = f"X-Envelope-From: {sender}\nX-Envelope-To: {', '.join(recipients)}\n"
    path = folder / name
    path.write_bytes(envelope.encode() + msg.as_bytes())
    return path


def send(msg: EmailMessage, *, sender: str, recipients: list[str]) -> None:
    """Send ``msg`` through ``EMAIL_HOST``; raise Transient/PermanentSendError on failure.

    With no ``EMAIL_HOST`` configured the message is written to the local
    mail-out folder instead (see settings), never silently dropped.
    """
    if not settings.EMAIL_HOST:
        _write_to_folder(msg, sender=sender, recipients=recipients)
        return
    host, port = settings.EMAIL_HOST, settings.EMAIL_PORT
    timeout = settings.EMAIL_TIMEOUT
    try:
        client: smtplib.SMTP
        if settings.EMAIL_USE_SSL:
            client = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        with client:
            if settings.EMAIL_USE_TLS:
                client.starttls(context=ssl.create_default_context())
            if settings.EMAIL_HOST_USER:
                client.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
            refused = client.send_message(msg, from_addr=sender, to_addrs=recipients)
    except smtplib.SMTPRecipientsRefused as exc:
        code, reply = next(iter(exc.recipients.values()))
        raise _classify(code, reply.decode("utf-8", "replace")) from exc
    except smtplib.SMTPResponseException as exc:
        text = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        raise _classify(exc.smtp_code, text) from exc
    except (
        TimeoutError,
        smtplib.SMTPServerDisconnected,
        smtplib.SMTPConnectError,
        ConnectionError,
        OSError,
    ) as exc:
        raise TransientSendError(f"{type(exc).__name__}: {exc}") from exc
    except smtplib.SMTPException as exc:
        raise PermanentSendError(f"{type(exc).__name__}: {exc}") from exc
    if refused:
        code, answer = next(iter(refused.values()))
        raise _classify(code, answer.decode("utf-8", "replace"))
