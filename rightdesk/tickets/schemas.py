"""API shapes for tickets, their messages and their timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from rightdesk.accounts.schemas import AgentRef, TeamRef
from rightdesk.customers.schemas import CustomerRef
from rightdesk.tickets.choices import (
    CallDirection,
    Channel,
    EventKind,
    MessageKind,
    Priority,
    Status,
)
from rightdesk.tickets.models import REFERENCE_OFFSET, Event, Handoff, Message, Ticket


def reference_of(ticket_id: int | None) -> str | None:
    """The reference of a ticket id without loading the ticket."""
    return Ticket(pk=ticket_id).reference if ticket_id is not None else None


class TicketOut(Schema):
    id: int
    reference: str = Field(..., description=f"Readable reference, e.g. RD-{REFERENCE_OFFSET + 42}.")
    subject: str
    status: str
    priority: int
    channel: str
    customer: CustomerRef
    owner: AgentRef | None
    team: TeamRef | None
    created_at: datetime
    updated_at: datetime
    waiting_since: datetime | None = Field(
        ..., description="Since when the customer waits on us; null when they do not."
    )
    last_customer_contact_at: datetime | None
    resolved_at: datetime | None
    message_count: int
    merged_into: str | None = Field(..., description="Reference of the surviving ticket.")

    @staticmethod
    def resolve_merged_into(obj: Ticket) -> str | None:
        return reference_of(obj.merged_into_id)


class HandoffOut(Schema):
    id: int
    from_user: AgentRef | None
    to_user: AgentRef
    by_user: AgentRef | None
    note: str
    created_at: datetime
    seen_at: datetime | None


class TicketDetailOut(TicketOut):
    """A ticket plus the handoff notes that wait for the calling agent (read these first)."""

    pending_handoffs: list[HandoffOut]

    @staticmethod
    def resolve_pending_handoffs(obj: Ticket) -> list[Handoff]:
        pending: list[Handoff] = getattr(obj, "pending_handoffs", [])
        return pending


class TicketPage(Schema):
    items: list[TicketOut]
    next_cursor: str | None


class NewCustomer(Schema):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(..., max_length=254)
    name: str = Field("", max_length=200)


class TicketCreate(Schema):
    """Open a ticket for an existing customer (``customer_id``) or by e-mail (``customer``).

    By e-mail, the customer owning the address is used, or created with the
    given name. ``from_customer`` records that the customer opened it (web form,
    an integration) rather than the calling agent.
    """

    model_config = ConfigDict(extra="forbid")

    subject: str = Field(..., max_length=300)
    body_text: str = ""
    body_html: str = ""
    customer_id: int | None = None
    customer: NewCustomer | None = None
    channel: Channel = Channel.API
    priority: Priority = Priority.NORMAL
    team_id: int | None = None
    owner_id: int | None = None
    from_customer: bool = False


class TicketBatchIn(Schema):
    """Up to 100 tickets, each as ``POST /tickets/`` takes it; all are opened or none."""

    model_config = ConfigDict(extra="forbid")

    tickets: list[TicketCreate] = Field(..., min_length=1, max_length=100)


class TicketBatchOut(Schema):
    items: list[TicketOut] = Field(..., description="The opened tickets, in the order sent.")


class CallOut(Schema):
    direction: str
    party: str
    started_at: datetime | None
    duration_seconds: int | None


class MessageOut(Schema):
    id: int
    ticket: str = Field(..., description="Reference of the ticket it is on.")
    kind: str
    author: AgentRef | None
    from_customer: bool
    body_text: str
    body_html: str = Field(..., description="Sanitized HTML; safe to render.")
    created_at: datetime
    call: CallOut | None

    @staticmethod
    def resolve_ticket(obj: Message) -> str | None:
        return reference_of(obj.ticket_id)

    @staticmethod
    def resolve_call(obj: Message) -> dict[str, Any] | None:
        if obj.kind != MessageKind.CALL:
            return None
        return {
            "direction": obj.call_direction,
            "party": obj.call_party,
            "started_at": obj.call_started_at,
            "duration_seconds": obj.call_duration_seconds,
        }


class MessagePage(Schema):
    items: list[MessageOut]
    next_cursor: str | None


class InboundCreate(Schema):
    """What the customer wrote, delivered by an integration."""

    model_config = ConfigDict(extra="forbid")

    body_text: str = ""
    body_html: str = ""


class ReplyCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    body_text: str = ""
    body_html: str = ""
    status: Status | None = Field(None, description="Status to move to with the reply.")


class NoteCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    body_text: str


class CallCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    direction: CallDirection
    summary: str
    party: str = Field("", max_length=200)
    started_at: datetime | None = None
    duration_seconds: int | None = Field(None, ge=0, le=86_400)


class AssignIn(Schema):
    """Give the ticket to ``owner_id``; a note is required to take it from someone else."""

    model_config = ConfigDict(extra="forbid")

    owner_id: int
    note: str = ""
    team_id: int | None = None


class StatusIn(Schema):
    model_config = ConfigDict(extra="forbid")

    status: Status
    reason: str = Field("", max_length=300)


class PriorityIn(Schema):
    model_config = ConfigDict(extra="forbid")

    priority: Priority


class MergeIn(Schema):
    """Fold this ticket into ``into`` (another ticket of the same customer)."""

    model_config = ConfigDict(extra="forbid")

    into: str = Field(..., description="Reference of the surviving ticket, e.g. RD-1042.")


class EventOut(Schema):
    id: int
    ticket: str
    kind: str
    label: str
    actor: AgentRef | None
    created_at: datetime
    message_id: int | None
    data: dict[str, Any]

    @staticmethod
    def resolve_ticket(obj: Event) -> str | None:
        return reference_of(obj.ticket_id)

    @staticmethod
    def resolve_label(obj: Event) -> str:
        try:
            return str(EventKind(obj.kind).label)
        except ValueError:
            return obj.kind


class EventPage(Schema):
    items: list[EventOut]
    next_cursor: str | None


class QueueFilters(Schema):
    view: Literal["mine", "team", "unassigned", "all"] = "mine"
    status: Status | None = None
