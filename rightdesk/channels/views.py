"""Downloads: attachments and the full original of an e-mail, never rendered inline."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header

from rightdesk.channels.access import access_attachment, access_raw_message
from rightdesk.core.errors import NotFound


def _download(data: bytes, filename: str) -> HttpResponse:
    # Always a download, always opaque bytes: a hostile HTML or SVG "attachment"
    # can never run in the console's origin.
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def attachment(request: HttpRequest, attachment_id: int) -> HttpResponse:
    try:
        item = access_attachment(request.user, attachment_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return _download(bytes(item.data), item.filename)


def original(request: HttpRequest, raw_id: int) -> HttpResponse:
    """The whole message as received (quotes, signature, every header): one click away."""
    try:
        raw = access_raw_message(request.user, raw_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return _download(bytes(raw.raw), f"message-{raw.pk}.eml")
