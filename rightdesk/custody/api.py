"""Custody API (/api/v1/custody/): items, locations, lot walk, search and service queue."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from rightdesk.commerce.access import access_order
from rightdesk.core.api import caller
from rightdesk.custody.access import access_item, access_job, access_location
from rightdesk.custody.models import CustodyItem, Location, ServiceJob
from rightdesk.custody.queue import (
    enqueue_job,
    finish_job,
    move_job_ahead,
    service_queue,
    start_job,
)
from rightdesk.custody.schemas import (
    ConfirmIn,
    ItemCheckIn,
    ItemOut,
    JobCreate,
    JobOut,
    LocationIn,
    LocationOut,
    LotWalkItemOut,
    MoveAheadIn,
    MoveIn,
    QueueEntryOut,
    StatusIn,
)
from rightdesk.custody.services import (
    Identity,
    change_item_status,
    check_in_item,
    confirm_item,
    create_location,
    lot_walk,
    move_item,
    where_is,
)
from rightdesk.tickets.access import access_customer, access_ticket

router = Router(tags=["custody"])


@router.get("/locations", response=list[LocationOut])
def list_locations(request: HttpRequest) -> Any:
    caller(request)
    return list(Location.objects.filter(is_active=True))


@router.post("/locations", response={201: LocationOut}, summary="Add a place (managers)")
def post_location(request: HttpRequest, payload: LocationIn) -> Status[Location]:
    agent = caller(request)
    location = create_location(
        name=payload.name, kind=payload.kind, sort_order=payload.sort_order, actor=agent
    )
    return Status(201, location)


@router.post("/items", response={201: ItemOut}, summary="Check an item in")
def post_item(request: HttpRequest, payload: ItemCheckIn) -> Status[CustodyItem]:
    agent = caller(request)
    customer = access_customer(agent, payload.customer_id)
    ticket = access_ticket(agent, payload.ticket) if payload.ticket else None
    order = access_order(agent, payload.order_id) if payload.order_id is not None else None
    location = (
        access_location(agent, payload.location_id) if payload.location_id is not None else None
    )
    item = check_in_item(
        customer=customer,
        kind=payload.kind,
        arrival=payload.arrival,
        actor=agent,
        ticket=ticket,
        order=order,
        location=location,
        identity=Identity(
            make=payload.make,
            model=payload.model,
            colour=payload.colour,
            plate=payload.plate,
            vin=payload.vin,
            serial=payload.serial,
            description=payload.description,
        ),
    )
    return Status(201, access_item(agent, item.pk))


@router.get(
    "/items",
    response=list[ItemOut],
    summary="Where is it? One search by customer name, plate, phone or e-mail",
)
def search_items(request: HttpRequest, q: str) -> Any:
    caller(request)
    return where_is(q)


@router.get("/items/{int:item_id}", response=ItemOut)
def get_item(request: HttpRequest, item_id: int) -> CustodyItem:
    return access_item(caller(request), item_id)


@router.post("/items/{int:item_id}/move", response=ItemOut)
def post_move(request: HttpRequest, item_id: int, payload: MoveIn) -> CustodyItem:
    agent = caller(request)
    item = access_item(agent, item_id)
    move_item(item=item, location=access_location(agent, payload.location_id), actor=agent)
    return access_item(agent, item_id)


@router.post("/items/{int:item_id}/status", response=ItemOut)
def post_status(request: HttpRequest, item_id: int, payload: StatusIn) -> CustodyItem:
    agent = caller(request)
    change_item_status(
        item=access_item(agent, item_id), status=payload.status, actor=agent, note=payload.note
    )
    return access_item(agent, item_id)


@router.post(
    "/items/{int:item_id}/confirm",
    response=ItemOut,
    summary="Lot walk: the item was seen (optionally somewhere else)",
)
def post_confirm(request: HttpRequest, item_id: int, payload: ConfirmIn) -> CustodyItem:
    agent = caller(request)
    location = (
        access_location(agent, payload.location_id) if payload.location_id is not None else None
    )
    confirm_item(item=access_item(agent, item_id), actor=agent, location=location)
    return access_item(agent, item_id)


@router.get(
    "/lot-walk",
    response=list[LotWalkItemOut],
    summary="Everything that should be on the premises, by place",
)
def get_lot_walk(request: HttpRequest) -> Any:
    caller(request)
    return lot_walk()


@router.get(
    "/queue",
    response=list[QueueEntryOut],
    summary="Waiting jobs in order, with position and estimated start",
)
def get_queue(request: HttpRequest) -> Any:
    caller(request)
    return [
        {
            "position": e.position,
            "estimated_start": e.estimated_start,
            "job": e.job,
            "item_title": e.job.item.title,
        }
        for e in service_queue()
    ]


@router.post("/queue", response={201: JobOut}, summary="Add an item's job to the queue")
def post_job(request: HttpRequest, payload: JobCreate) -> Status[ServiceJob]:
    agent = caller(request)
    job = enqueue_job(
        item=access_item(agent, payload.item_id), description=payload.description, actor=agent
    )
    return Status(201, job)


@router.post(
    "/queue/{int:job_id}/move-ahead",
    response=JobOut,
    summary="Move a job ahead of another (a reason is required)",
)
def post_move_ahead(request: HttpRequest, job_id: int, payload: MoveAheadIn) -> ServiceJob:
    agent = caller(request)
    return move_job_ahead(
        job=access_job(agent, job_id),
        ahead_of=access_job(agent, payload.ahead_of, "ahead_of"),
        reason=payload.reason,
        actor=agent,
    )


@router.post("/queue/{int:job_id}/start", response=JobOut)
def post_start(request: HttpRequest, job_id: int) -> ServiceJob:
    agent = caller(request)
    return start_job(job=access_job(agent, job_id), actor=agent)


@router.post("/queue/{int:job_id}/finish", response=JobOut)
def post_finish(request: HttpRequest, job_id: int) -> ServiceJob:
    agent = caller(request)
    return finish_job(job=access_job(agent, job_id), actor=agent)
