"""API shapes of promises."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from rightdesk.accounts.services import agent_name
from rightdesk.commitments.models import Commitment


class CommitmentOut(Schema):
    id: int
    ticket: str
    kind: str
    promised_text: str
    owner_id: int | None
    owner: str | None
    due_at: datetime
    status: str
    vague: bool
    source: str
    created_at: datetime
    kept_at: datetime | None
    broken_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str

    @staticmethod
    def resolve_ticket(obj: Commitment) -> str:
        return obj.ticket.reference

    @staticmethod
    def resolve_owner(obj: Commitment) -> str | None:
        return agent_name(obj.owner) if obj.owner is not None else None


class CommitmentCreate(Schema):
    ticket: str = Field(description="Ticket reference, e.g. RD-1042.")
    kind: str
    due_at: datetime
    promised_text: str
    owner_id: int | None = None


class CommitmentUpdate(Schema):
    kind: str | None = None
    due_at: datetime | None = None
    promised_text: str | None = None


class CommitmentKeep(Schema):
    note: str = ""


class CommitmentCancel(Schema):
    reason: str


class DraftIn(Schema):
    ticket: str
    text: str = Field(max_length=200_000)


class DetectedOut(Schema):
    kind: str
    sentence: str
    due_at: datetime
    vague: bool
    phrase: str


class CommitmentPage(Schema):
    items: list[CommitmentOut]
    next_cursor: str | None
