"""Vocabularies of items in our custody, and the one item status transition table."""

from __future__ import annotations

from django.db import models


class ItemKind(models.TextChoices):
    VEHICLE = "vehicle", "Vehicle"
    DEVICE = "device", "Device"
    PARCEL = "parcel", "Parcel"
    OTHER = "other", "Other"


class Arrival(models.TextChoices):
    TOWED = "towed", "Towed in"
    DROPPED_OFF = "dropped_off", "Dropped off"
    POSTED = "posted", "Posted"


class LocationKind(models.TextChoices):
    LOT = "lot", "Lot"
    BAY = "bay", "Bay"
    SHELF = "shelf", "Shelf"
    OTHER = "other", "Other"


class ItemStatus(models.TextChoices):
    CHECKED_IN = "checked_in", "Checked in"
    WAITING = "waiting", "Waiting"
    DIAGNOSING = "diagnosing", "Diagnosing"
    WAITING_APPROVAL = "waiting_approval", "Waiting for your approval"
    IN_WORK = "in_work", "In work"
    READY = "ready", "Ready for collection"
    RETURNED = "returned", "Returned"


_ON_PREMISES = [s for s in ItemStatus.values if s != ItemStatus.RETURNED]

#: Which status may follow which. Work can go back (a repair needs another
#: approval); only a returned item is finished, and it can come back in.
ITEM_TRANSITIONS: dict[str, frozenset[str]] = {
    ItemStatus.CHECKED_IN: frozenset(
        {
            ItemStatus.WAITING,
            ItemStatus.DIAGNOSING,
            ItemStatus.IN_WORK,
            ItemStatus.READY,
            ItemStatus.RETURNED,
        }
    ),
    ItemStatus.WAITING: frozenset(
        {ItemStatus.DIAGNOSING, ItemStatus.IN_WORK, ItemStatus.READY, ItemStatus.RETURNED}
    ),
    ItemStatus.DIAGNOSING: frozenset(
        {
            ItemStatus.WAITING,
            ItemStatus.WAITING_APPROVAL,
            ItemStatus.IN_WORK,
            ItemStatus.READY,
            ItemStatus.RETURNED,
        }
    ),
    ItemStatus.WAITING_APPROVAL: frozenset(
        {ItemStatus.WAITING, ItemStatus.IN_WORK, ItemStatus.READY, ItemStatus.RETURNED}
    ),
    ItemStatus.IN_WORK: frozenset(
        {ItemStatus.WAITING, ItemStatus.WAITING_APPROVAL, ItemStatus.READY, ItemStatus.DIAGNOSING}
    ),
    ItemStatus.READY: frozenset({ItemStatus.IN_WORK, ItemStatus.RETURNED}),
    ItemStatus.RETURNED: frozenset({ItemStatus.CHECKED_IN}),
}

#: Statuses in which the item is on our premises and must show up on the lot walk.
ON_PREMISES = frozenset(_ON_PREMISES)


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting in the queue"
    IN_WORK = "in_work", "Being worked on"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class EventKinds:
    """Timeline event kinds written by custody services (Event.kind values)."""

    CHECKED_IN = "item_checked_in"
    MOVED = "item_moved"
    STATUS = "item_status_changed"
    UNCONFIRMED = "item_unconfirmed"
    IDENTITY = "item_identity_corrected"
    QUEUED = "job_queued"
    MOVED_AHEAD = "job_moved_ahead"
    JOB_STARTED = "job_started"
    JOB_FINISHED = "job_finished"
