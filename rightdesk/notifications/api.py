"""Notifications API: the caller's bell."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from rightdesk.core.api import caller
from rightdesk.notifications.models import Notification
from rightdesk.notifications.services import mark_read, unread_count

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None


class BellOut(Schema):
    unread: int
    items: list[NotificationOut]


class ReadIn(Schema):
    ids: list[int] | None = None


class ReadOut(Schema):
    marked: int


@router.get("", response=BellOut, summary="My latest notifications and the unread count")
def bell(request: HttpRequest) -> Any:
    user = caller(request)
    items = list(Notification.objects.filter(recipient=user).order_by("-created_at", "-id")[:50])
    return {"unread": unread_count(user), "items": items}


@router.post("/read", response=ReadOut, summary="Mark notifications read (all when no ids)")
def read(request: HttpRequest, payload: ReadIn) -> Any:
    return {"marked": mark_read(user=caller(request), notification_ids=payload.ids)}
