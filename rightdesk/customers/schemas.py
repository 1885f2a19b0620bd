"""API shapes for customers, their contact points and known facts."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema
from pydantic import ConfigDict

from rightdesk.accounts.schemas import AgentRef
from rightdesk.customers.models import ContactKind, ContactPoint, Customer, Tier


class ContactPointOut(Schema):
    id: int
    kind: str
    value: str = Field(..., description="Normalised: lower-case e-mail, E.164 phone.")
    label: str
    is_primary: bool
    failing_since: datetime | None


class CustomerRef(Schema):
    """A customer as a ticket mentions them."""

    id: int
    name: str
    preferred_name: str


class CustomerOut(Schema):
    id: int
    name: str
    preferred_name: str
    greeting_name: str = Field(..., description="What to call them in a greeting.")
    tier: str
    account_owner: AgentRef | None
    contacts: list[ContactPointOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_contacts(obj: Customer) -> list[ContactPoint]:
        return list(obj.contacts.all())


class CustomerPage(Schema):
    items: list[CustomerOut]
    next_cursor: str | None


class CustomerCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., max_length=200)
    preferred_name: str = Field("", max_length=100)
    tier: Tier = Tier.STANDARD
    emails: list[str] = Field(default_factory=list, max_length=20)
    phones: list[str] = Field(default_factory=list, max_length=20)
    account_owner_id: int | None = None


class CustomerUpdate(Schema):
    """Only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=200)
    preferred_name: str | None = Field(None, max_length=100)
    tier: Tier | None = None


class ContactPointCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: ContactKind
    value: str = Field(..., max_length=254)
    label: str = Field("", max_length=40)
    is_primary: bool = False


class FactOut(Schema):
    id: int
    key: str
    label: str
    value: str
    source_message_id: int | None
    source_note: str
    recorded_by: AgentRef | None
    recorded_at: datetime


class FactPage(Schema):
    items: list[FactOut]
    next_cursor: str | None


class FactCreate(Schema):
    """A fact the customer told us; recording a known key again corrects it."""

    model_config = ConfigDict(extra="forbid")

    label: str = Field(..., max_length=80, description="e.g. 'Car colour'.")
    value: str = Field(..., max_length=500)
    source_message_id: int | None = Field(
        None, description="The message or call (of this customer) that told us."
    )
    source_note: str = Field("", max_length=200)
    ticket: str | None = Field(
        None, description="Reference of the ticket whose timeline shows the fact, e.g. RD-1042."
    )
