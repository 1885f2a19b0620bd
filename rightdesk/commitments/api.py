"""Promises API: list, create, correct, keep, cancel, and detect promises in a draft."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from rightdesk.accounts.services import is_agent
from rightdesk.commitments.access import access_commitment
from rightdesk.commitments.choices import CommitmentStatus
from rightdesk.commitments.models import Commitment
from rightdesk.commitments.schemas import (
    CommitmentCancel,
    CommitmentCreate,
    CommitmentOut,
    CommitmentPage,
    CommitmentUpdate,
    DetectedOut,
    DraftIn,
)
from rightdesk.commitments.services import (
    cancel_commitment,
    create_commitment,
    detect_for_ticket,
    keep_commitment,
    update_commitment,
)
from rightdesk.core.api import caller
from rightdesk.core.errors import Invalid
from rightdesk.core.pagination import PageParams, keyset_page
from rightdesk.tickets.access import access_ticket

router = Router(tags=["commitments"])


class CommitmentFilters(Schema):
    ticket: str | None = None
    owner: str | None = None  # "me" or an agent id
    status: str | None = None


@router.get("", response=CommitmentPage, summary="Promises, soonest due first")
def list_commitments(
    request: HttpRequest, page: Query[PageParams], filters: Query[CommitmentFilters]
) -> Any:
    user = caller(request)
    rows = Commitment.objects.select_related("ticket", "owner", "owner__agent")
    if filters.ticket:
        rows = rows.filter(ticket=access_ticket(user, filters.ticket))
    if filters.owner == "me":
        rows = rows.filter(owner=user)
    elif filters.owner:
        if not filters.owner.isdigit():
            raise Invalid("owner is 'me' or an agent id.", field="owner")
        rows = rows.filter(owner_id=int(filters.owner))
    if filters.status:
        if filters.status not in CommitmentStatus.values:
            raise Invalid(f"Unknown status {filters.status!r}.", field="status")
        rows = rows.filter(status=filters.status)
    return keyset_page(rows, order=["due_at", "id"], cursor=page.cursor, limit=page.limit)


@router.post("", response={201: CommitmentOut}, summary="Record a promise")
def create(request: HttpRequest, payload: CommitmentCreate) -> Any:
    user = caller(request)
    ticket = access_ticket(user, payload.ticket)
    owner = None
    if payload.owner_id is not None:
        owner = User.objects.filter(pk=payload.owner_id).first()
        if owner is None or not is_agent(owner):
            raise Invalid("The owner must be an agent.", field="owner_id")
    commitment = create_commitment(
        ticket=ticket,
        actor=user,
        kind=payload.kind,
        due_at=payload.due_at,
        promised_text=payload.promised_text,
        owner=owner,
    )
    return Status(201, commitment)


@router.get("/{int:commitment_id}", response=CommitmentOut, summary="One promise")
def detail(request: HttpRequest, commitment_id: int) -> Any:
    return access_commitment(caller(request), commitment_id)


@router.patch("/{int:commitment_id}", response=CommitmentOut, summary="Correct a promise")
def update(request: HttpRequest, commitment_id: int, payload: CommitmentUpdate) -> Any:
    user = caller(request)
    commitment = access_commitment(user, commitment_id)
    return update_commitment(
        commitment=commitment,
        actor=user,
        kind=payload.kind,
        due_at=payload.due_at,
        promised_text=payload.promised_text,
    )


@router.post("/{int:commitment_id}/keep", response=CommitmentOut, summary="Mark a promise kept")
def keep(request: HttpRequest, commitment_id: int) -> Any:
    user = caller(request)
    return keep_commitment(commitment=access_commitment(user, commitment_id), actor=user)


@router.post("/{int:commitment_id}/cancel", response=CommitmentOut, summary="Cancel with a reason")
def cancel(request: HttpRequest, commitment_id: int, payload: CommitmentCancel) -> Any:
    user = caller(request)
    return cancel_commitment(
        commitment=access_commitment(user, commitment_id), actor=user, reason=payload.reason
    )


@router.post("/detect", response=list[DetectedOut], summary="Promises a draft would make")
def detect(request: HttpRequest, payload: DraftIn) -> Any:
    ticket = access_ticket(caller(request), payload.ticket)
    return detect_for_ticket(ticket=ticket, text=payload.text)
