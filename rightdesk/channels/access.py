"""Loading e-mail attachments and originals: agents only, everyone else gets NotFound."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

from rightdesk.accounts.services import is_agent
from rightdesk.channels.models import Attachment, RawMessage
from rightdesk.core.errors import NotFound


def access_attachment(user: User | AnonymousUser, attachment_id: int) -> Attachment:
    if not isinstance(user, User) or not is_agent(user):
        raise NotFound("No such attachment.")
    attachment = Attachment.objects.filter(pk=attachment_id, dropped=False).first()
    if attachment is None:
        raise NotFound("No such attachment.")
    return attachment


def access_raw_message(user: User | AnonymousUser, raw_id: int) -> RawMessage:
    if not isinstance(user, User) or not is_agent(user):
        raise NotFound("No such message.")
    raw = RawMessage.objects.filter(pk=raw_id).first()
    if raw is None:
        raise NotFound("No such message.")
    return raw
