"""What the promises domain does when something happens on a ticket.

Ticket services call these explicitly, inside their transaction, so that a
reply keeps a "reply" promise, a call keeps a "call back" promise, a new ticket
gets its acknowledgment and a customer's update request is recognised as a chase.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rightdesk.tickets.models import Message, Ticket


@dataclass(frozen=True)
class Opened:
    """A ticket just written, whether its customer opened it, and its first message."""

    ticket: Ticket
    by_customer: bool
    first_message: Message | None = None


def on_tickets_opened(opened: Sequence[Opened]) -> None:
    """Tickets were opened (one, or a batch): score the customers' first messages,
    start the SLA clocks and send each customer-opened ticket its one acknowledgment."""
    from rightdesk.channels.services import placing_automatic_mail
    from rightdesk.commitments.services import acknowledge_ticket
    from rightdesk.quality.services import score_new_inbound
    from rightdesk.sla.services import start_ticket_slas

    score_new_inbound([o.first_message for o in opened if o.first_message is not None])
    rows = start_ticket_slas([o.ticket for o in opened])
    # Machine-written mail (auto-replies, lists, bounces) never gets an
    # acknowledgment: two robots answering each other is a mail loop.
    # A ticket is opened by mail only while the gateway's message is being placed.
    automatic = placing_automatic_mail()
    for item, row in zip(opened, rows, strict=True):
        if item.by_customer and not automatic:
            acknowledge_ticket(ticket=item.ticket, promised_at=row.first_response_due)


def on_customer_contact(*, message: Message) -> None:
    """The customer wrote or called (message kind inbound, or an inbound call)."""
    from rightdesk.commitments.services import record_chase
    from rightdesk.quality.services import score_inbound
    from rightdesk.sla.services import refresh_ticket_sla

    score_inbound(message=message, new=True)  # called right after the message is recorded
    record_chase(message=message)
    refresh_ticket_sla(ticket=message.ticket, now=message.created_at)


def on_reply_sent(*, message: Message) -> None:
    """An agent's reply to the customer was recorded."""
    from rightdesk.commitments.services import promises_after_reply
    from rightdesk.sla.services import refresh_ticket_sla

    promises_after_reply(message=message)
    refresh_ticket_sla(ticket=message.ticket, now=message.created_at)


def on_call_logged(*, message: Message) -> None:
    """An agent logged a phone call."""
    from rightdesk.commitments.services import promises_after_call
    from rightdesk.sla.services import refresh_ticket_sla

    promises_after_call(message=message)
    # A call is a person talking with the customer: it answers, whoever dialled.
    refresh_ticket_sla(ticket=message.ticket, now=message.created_at)
