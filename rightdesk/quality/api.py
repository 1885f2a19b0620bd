"""REST: check a reply draft before sending (POST /api/v1/tickets/{ref}/reply-check)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Router

from rightdesk.quality.schemas import ReplyCheckIn, ReplyCheckOut
from rightdesk.quality.services import check_reply
from rightdesk.tickets.access import access_ticket

router = Router(tags=["reply check"])


@router.post("/{ticket_ref}/reply-check", response=ReplyCheckOut)
def reply_check(request: HttpRequest, ticket_ref: str, payload: ReplyCheckIn) -> dict[str, object]:
    """Findings for a draft reply on this ticket; nothing is sent or stored."""
    user = request.user
    assert isinstance(user, User)  # the API's auth guarantees an agent
    ticket = access_ticket(user, ticket_ref)
    findings = check_reply(ticket=ticket, draft=payload.body, author=user)
    return {
        "findings": [f.as_dict() for f in findings],
        "blocking": any(f.blocking for f in findings),
    }
