"""What the channels domain does when a reply is recorded: queue it for delivery."""

from __future__ import annotations

from rightdesk.tickets.models import Message


def on_reply_recorded(*, message: Message, automatic: bool = False) -> None:
    """A reply (or the automatic acknowledgment when ``automatic``) must reach the customer.

    Called inside the ticket service's transaction: the outbox row is written
    with the reply and sent by the worker once the transaction commits.
    """
    from rightdesk.channels.services import queue_reply

    queue_reply(message=message, automatic=automatic)
