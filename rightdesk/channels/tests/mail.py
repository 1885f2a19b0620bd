"""Building test e-mails as raw bytes, the way mail clients write them."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

_counter = itertools.count(1)


def build(
    *,
    sender: str = "Maria Gonzalez <maria@example.com>",
    to: str = "help@shop.example",
    subject: str = "My car is not ready",
    body: str = "Hello, when will my car be ready?",
    html: str | None = None,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime(2025, 3, 4, 10, 12, tzinfo=UTC))
    msg["Message-ID"] = message_id or f"<test-{next(_counter)}-{id(msg)}@client.example>"
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for filename, ctype, data in attachments or []:
        maintype, subtype = ctype.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()
