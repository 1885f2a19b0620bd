"""Turn the raw bytes of an e-mail into plain values: pure, no database, no network.

Everything here must survive hostile input: broken MIME, unknown charsets,
8-bit headers, absurd nesting, enormous headers. Each limit below exists so
that one message cannot take the worker's CPU or memory; a message that goes
past a limit raises :class:`ParseError` with a stable code and ends in
quarantine instead of crashing the worker.

This module imports nothing from Django so the parser limits can be checked in
a small subprocess with hard resource limits.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser, BytesParser
from email.utils import parsedate_to_datetime

from mailparser_reply import EmailReplyParser

from rightdesk.core.html import html_to_text

#: Raw characters of one header we are willing to decode (the rest is ignored).
MAX_HEADER_CHARS = 16 * 1024
#: How many MIME levels we descend; deeper parts are ignored (50 must work).
MAX_DEPTH = 64
#: More "multipart/" declarations than this and we do not even try to parse.
MAX_MULTIPART_DECLARATIONS = 500
#: Parts we look at in one message.
MAX_PARTS = 500
#: Ids kept from a References header.
MAX_REFERENCES = 100
#: Text longer than this is not split into reply and quoted history (regex cost).
MAX_REPLY_SPLIT_CHARS = 100_000
#: Text and HTML we keep from one message.
MAX_TEXT_CHARS = 200_000
MAX_HTML_CHARS = 1_000_000

_MSGID = re.compile(r"<([^<>\s]{1,250})>")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u0085]+")
_BAD_FILENAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")
_MULTIPART = re.compile(rb"multipart/", re.IGNORECASE)
_ANGLE_ADDR = re.compile(r"^([^<>]*)<([^<>@\s]+@[^<>@\s]+)>$")
_AUTO_SENDERS = {"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"}


class ParseError(Exception):
    """The message cannot be read safely; ``code`` says why (kept on the quarantine entry)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ParsedAttachment:
    """One attachment or inline image; ``data`` is empty when it was over the size limit."""

    filename: str
    content_type: str
    size: int
    data: bytes
    inline: bool = False
    content_id: str = ""
    too_large: bool = False


@dataclass
class ParsedEmail:
    """What processing needs from one e-mail, already decoded and made single-line."""

    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    subject: str = ""
    from_address: str = ""
    from_name: str = ""
    sender_problem: str = ""
    date: datetime | None = None
    text: str = ""
    html: str = ""
    new_text: str = ""
    quoted_text: str = ""
    signature: str = ""
    attachments: list[ParsedAttachment] = field(default_factory=list)
    auto_reason: str = ""
    is_report: bool = False
    defects: list[str] = field(default_factory=list)

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this message answers, nearest first."""
        seen: list[str] = []
        for mid in [*self.in_reply_to, *reversed(self.references)]:
            if mid not in seen:
                seen.append(mid)
        return seen


def one_line(value: str, limit: int = 300) -> str:
    """Collapse control characters (CR, LF, NUL, …) into spaces: a value never becomes a header."""
    return " ".join(_CONTROL.sub(" ", value or "").split())[:limit]


def message_ids(raw_value: str | None, limit: int = MAX_REFERENCES) -> list[str]:
    """The ``<id>`` tokens of a Message-ID / In-Reply-To / References value, lower-cased."""
    if not raw_value:
        return []
    found = _MSGID.findall(str(raw_value)[:MAX_HEADER_CHARS])
    return [f"<{mid.lower()}>" for mid in found[:limit]]


def _split_headers(raw: bytes) -> tuple[bytes, bytes]:
    for sep in (b"\r\n\r\n", b"\n\n"):
        end = raw.find(sep)
        if end != -1:
            return raw[:end], raw[end + len(sep) :]
    return raw, b""


def _raw_headers(msg: Message) -> dict[str, str]:
    """First raw value of each header, lower-cased names, capped; nothing decoded yet."""
    headers: dict[str, str] = {}
    for name, value in msg.raw_items():
        key = str(name).lower()
        if key not in headers:
            headers[key] = str(value)[:MAX_HEADER_CHARS]
    return headers


def dedupe_key(raw: bytes) -> tuple[str, str]:
    """(key, message_id) for exactly-once storage, computed from the header block only.

    The key is the Message-ID together with the From header (so a stranger
    cannot suppress someone else's mail by reusing its Message-ID), or a hash of
    the content when there is no Message-ID. The same message delivered by
    SMTP and by IMAP has the same key.
    """
    head, body = _split_headers(raw)
    try:
        msg = BytesHeaderParser(policy=policy.compat32).parsebytes(
            head[: 4 * 1024 * 1024] + b"\n\n"
        )
        headers = _raw_headers(msg)
    except Exception:  # a header block we cannot read still gets a content key
        headers = {}
    ids = message_ids(headers.get("message-id"), limit=1)
    sender = " ".join(headers.get("from", "").lower().split())
    digest = hashlib.sha256()
    if ids:
        digest.update(b"mid\0" + ids[0].encode("utf-8", "replace") + b"\0")
        digest.update(sender.encode("utf-8", "replace"))
        return digest.hexdigest(), ids[0]
    for name in ("from", "date", "subject", "to"):
        digest.update(headers.get(name, "").encode("utf-8", "replace") + b"\0")
    digest.update(body)
    return digest.hexdigest(), ""


def _decode_words(raw: str) -> str:
    try:
        return str(make_header(decode_header(raw)))
    except (HeaderParseError, LookupError, UnicodeError, ValueError):
        return raw


def _subject(raw: str) -> str:
    if not raw:
        return ""
    try:
        value = str(policy.default.header_factory("subject", raw))
    except Exception:  # the modern parser rejects some garbage; fall back to plain decoding
        value = _decode_words(raw)
    return one_line(value)


def _sender(raw: str) -> tuple[str, str, str]:
    """(address, display name, problem). Anything ambiguous is a problem, never a guess."""
    if not raw.strip():
        return "", "", "no_sender"
    try:
        header = policy.default.header_factory("from", raw)
        addresses = list(header.addresses)
        defects = [d for d in header.defects if "Obsolete" not in type(d).__name__]
        if defects:
            return "", "", "ambiguous_sender"
        pairs = [(a.display_name, a.addr_spec) for a in addresses]
    except ValueError:
        # Encoded CR/LF in a display name: read the address from the undecoded value.
        # Only the unambiguous shape "phrase <addr-spec>" is accepted here.
        match = _ANGLE_ADDR.match(raw.strip())
        if match is None:
            return "", "", "ambiguous_sender"
        pairs = [(_decode_words(match.group(1).strip().strip('"')), match.group(2))]
    pairs = [(name, addr) for name, addr in pairs if addr]
    if len(pairs) != 1:
        return "", "", "ambiguous_sender" if pairs else "no_sender"
    name, addr = pairs[0]
    addr = addr.strip().lower()
    if addr.count("@") != 1 or _CONTROL.search(addr) or " " in addr or len(addr) > 254:
        return "", "", "ambiguous_sender"
    return addr, one_line(name, 200), ""


def _charset(part: Message) -> str:
    name = part.get_content_charset() or "utf-8"
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return "utf-8"


def _text_of(part: Message, limit: int) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return payload[: limit * 4].decode(_charset(part), errors="replace")[:limit]


def _filename(part: Message, index: int) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:  # broken RFC 2231 parameters
        name = ""
    name = _BAD_FILENAME.sub("_", one_line(str(name), 200)).strip(" ._")
    if not name:
        subtype = part.get_content_subtype() or "bin"
        name = f"part-{index}.{re.sub(r'[^a-z0-9]', '', subtype.lower())[:10] or 'bin'}"
    return name


def _walk(msg: Message) -> list[tuple[Message, int]]:
    """Leaf parts with their depth, iteratively, stopping at the depth and part limits."""
    leaves: list[tuple[Message, int]] = []
    stack: list[tuple[Message, int]] = [(msg, 0)]
    visited = 0
    while stack and visited < MAX_PARTS:
        part, depth = stack.pop()
        visited += 1
        payload = part.get_payload()
        if part.get_content_maintype() == "multipart" and isinstance(payload, list):
            if depth < MAX_DEPTH:
                stack.extend(
                    (child, depth + 1) for child in reversed(payload) if isinstance(child, Message)
                )
            continue
        leaves.append((part, depth))
    return leaves


def _auto_reason(headers: dict[str, str], from_address: str, content_type: str) -> str:
    """Why this message was written by a machine (RFC 3834 and common practice), or ''."""
    auto = headers.get("auto-submitted", "").strip().lower()
    if auto and not auto.startswith("no"):
        return f"Auto-Submitted: {one_line(auto, 40)}"
    precedence = headers.get("precedence", "").strip().lower()
    if precedence in {"bulk", "junk", "list", "auto_reply"}:
        return f"Precedence: {precedence}"
    for name in ("x-autoreply", "x-autorespond", "x-auto-reply"):
        if name in headers:
            return name.title()
    if headers.get("x-auto-response-suppress", "").strip().lower() in {"all", "oof"} and (
        "x-ms-exchange-generated-message-source" in headers
    ):
        return "X-Auto-Response-Suppress"
    if "list-id" in headers:
        return "List-Id"
    local = from_address.split("@", 1)[0]
    if local in _AUTO_SENDERS:
        return f"sender {local}"
    if content_type == "multipart/report":
        return "delivery report"
    return ""


def split_reply(text: str) -> tuple[str, str, str]:
    """(new text, quoted history, signature) of a plain-text reply."""
    if not text.strip() or len(text) > MAX_REPLY_SPLIT_CHARS:
        return text.strip(), "", ""
    try:
        reply = EmailReplyParser(languages=["en", "de", "fr", "es", "nl"]).read(text=text).replies
    except Exception:  # the splitter is a convenience: never lose the message over it
        return text.strip(), "", ""
    if not reply:
        return text.strip(), "", ""
    new = (reply[0].body or "").strip()
    signature = (reply[0].signatures or "").strip()
    if not new:
        return text.strip(), "", ""
    quoted = text.strip()
    position = quoted.find(new)
    if position != -1:
        quoted = quoted[position + len(new) :].strip()
    if signature and quoted.startswith(signature):
        quoted = quoted[len(signature) :].strip()
    return new, quoted, signature


def parse_email(raw: bytes, *, max_attachment_bytes: int = 25 * 1024 * 1024) -> ParsedEmail:
    """Parse raw RFC 5322 bytes into a :class:`ParsedEmail` or raise :class:`ParseError`."""
    if not raw or not raw.strip():
        raise ParseError("empty", "The message is empty.")
    if len(_MULTIPART.findall(raw, 0, 64 * 1024 * 1024)) > MAX_MULTIPART_DECLARATIONS:
        raise ParseError("too_deep", "The message nests too many MIME parts to read safely.")
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
    except RecursionError as exc:
        raise ParseError("too_deep", "The message nests MIME parts too deeply.") from exc
    assert isinstance(msg, EmailMessage)
    headers = _raw_headers(msg)
    if not headers:
        raise ParseError("no_headers", "The message has no headers.")
    result = ParsedEmail()
    result.defects = sorted({type(d).__name__ for d in msg.defects})[:20]
    ids = message_ids(headers.get("message-id"), limit=1)
    result.message_id = ids[0] if ids else ""
    result.in_reply_to = message_ids(headers.get("in-reply-to"), limit=5)
    result.references = message_ids(headers.get("references"))
    result.subject = _subject(headers.get("subject", ""))
    result.from_address, result.from_name, result.sender_problem = _sender(headers.get("from", ""))
    try:
        date = parsedate_to_datetime(headers["date"]) if headers.get("date") else None
        result.date = date if date is not None and date.tzinfo is not None else None
    except (TypeError, ValueError, IndexError, OverflowError):
        result.date = None
    content_type = msg.get_content_type()
    result.is_report = content_type == "multipart/report"
    result.auto_reason = _auto_reason(headers, result.from_address, content_type)

    text_parts: list[str] = []
    html_parts: list[str] = []
    total = 0
    for index, (part, _depth) in enumerate(_walk(msg)):
        ctype = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        is_attachment = disposition == "attachment" or (
            disposition != "inline" and bool(part.get_param("name"))
        )
        if ctype == "text/plain" and not is_attachment and not text_parts:
            text_parts.append(_text_of(part, MAX_TEXT_CHARS))
            continue
        if ctype == "text/html" and not is_attachment and not html_parts:
            html_parts.append(_text_of(part, MAX_HTML_CHARS))
            continue
        if ctype in ("text/plain", "text/html") and not is_attachment:
            continue  # alternative renderings of the same text
        if ctype == "message/delivery-status" or part.get_content_maintype() == "multipart":
            continue
        try:
            if ctype == "message/rfc822":
                inner = part.get_payload()
                first = inner[0] if isinstance(inner, list) and inner else None
                data = first.as_bytes() if isinstance(first, Message) else b""
            else:
                decoded = part.get_payload(decode=True)
                data = decoded if isinstance(decoded, bytes) else b""
        except Exception:  # an undecodable part is skipped, the rest of the message is kept
            result.defects.append("UndecodablePart")
            continue
        if not data:
            continue
        size = len(data)
        too_large = size > max_attachment_bytes or total + size > 2 * max_attachment_bytes
        if not too_large:
            total += size
        content_id = message_ids(str(part.get("Content-ID", "") or "")[:300], limit=1)
        result.attachments.append(
            ParsedAttachment(
                filename=_filename(part, index),
                content_type=one_line(ctype, 100) or "application/octet-stream",
                size=size,
                data=b"" if too_large else data,
                inline=disposition == "inline" or bool(content_id),
                content_id=content_id[0].strip("<>") if content_id else "",
                too_large=too_large,
            )
        )
    result.text = (text_parts[0] if text_parts else "").replace("\x00", "")
    result.html = (html_parts[0] if html_parts else "").replace("\x00", "")
    base = result.text if result.text.strip() else html_to_text(result.html)[:MAX_TEXT_CHARS]
    result.new_text, result.quoted_text, result.signature = split_reply(base)
    return result
