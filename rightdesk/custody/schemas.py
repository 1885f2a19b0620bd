"""API shapes of custody items, locations, the lot walk and the service queue."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from rightdesk.custody.models import CustodyItem


class LocationIn(Schema):
    name: str = Field(..., max_length=80)
    kind: str = "lot"
    sort_order: int = 0


class LocationOut(Schema):
    id: int
    name: str
    kind: str
    sort_order: int
    is_active: bool


class ItemCheckIn(Schema):
    customer_id: int
    kind: str
    arrival: str
    make: str = Field("", max_length=60)
    model: str = Field("", max_length=60)
    colour: str = Field("", max_length=40)
    plate: str = Field("", max_length=20)
    vin: str = Field("", max_length=17)
    serial: str = Field("", max_length=80)
    description: str = Field("", max_length=2000)
    ticket: str | None = None
    order_id: int | None = None
    location_id: int | None = None


class ItemOut(Schema):
    id: int
    title: str
    customer_id: int
    customer_name: str
    ticket: str
    order_id: int | None
    kind: str
    make: str
    model: str
    colour: str
    plate: str
    vin: str
    serial: str
    description: str
    arrival: str
    checked_in_at: datetime
    location: str | None
    status: str
    last_confirmed_at: datetime | None
    flagged_at: datetime | None

    @staticmethod
    def resolve_customer_name(obj: CustodyItem) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_ticket(obj: CustodyItem) -> str:
        return obj.ticket.reference

    @staticmethod
    def resolve_location(obj: CustodyItem) -> str | None:
        return obj.location.name if obj.location else None


class LotWalkItemOut(ItemOut):
    overdue: bool


class MoveIn(Schema):
    location_id: int


class StatusIn(Schema):
    status: str
    note: str = Field("", max_length=300)


class ConfirmIn(Schema):
    location_id: int | None = None


class JobCreate(Schema):
    item_id: int
    description: str = Field(..., max_length=200)


class MoveAheadIn(Schema):
    ahead_of: int
    reason: str = ""


class JobOut(Schema):
    id: int
    item_id: int
    ticket: str
    description: str
    status: str
    arrived_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    moved_ahead_reason: str

    @staticmethod
    def resolve_ticket(obj: object) -> str:
        return obj.ticket.reference  # type: ignore[attr-defined]


class QueueEntryOut(Schema):
    position: int
    estimated_start: datetime
    job: JobOut
    item_title: str
