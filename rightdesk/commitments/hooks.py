"""What the promises domain does when something happens on a ticket.

Ticket services call these explicitly, inside their transaction, so that a
reply keeps a "reply" promise, a call keeps a "call back" promise, a new ticket
gets its acknowledgment and a customer's update request is recognised as a chase.
"""

from __future__ import annotations

from rightdesk.tickets.models import Message, Ticket


def on_ticket_opened(*, ticket: Ticket, by_customer: bool) -> None:
    """A ticket was opened (by the customer when ``by_customer``)."""


def on_customer_contact(*, message: Message) -> None:
    """The customer wrote or called (message kind inbound, or an inbound call)."""


def on_reply_sent(*, message: Message) -> None:
    """An agent's reply to the customer was recorded."""


def on_call_logged(*, message: Message) -> None:
    """An agent logged a phone call."""
