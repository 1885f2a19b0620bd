"""The service queue (P17): first come, first served, unless a reason is on the timeline.

Each waiting job shows its position and an estimated start. The estimate
comes from recent throughput: jobs finished in the last ``throughput_days``
days per hour. With fewer than three finished jobs the configured default job
length stands in. A job at position ``p`` (1 = next) starts once
``p - 1`` queued jobs ahead of it and the jobs in work have made way, i.e.
after ``p - 1 + in_work`` completions (never fewer than zero).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from rightdesk.accounts.services import is_agent
from rightdesk.core.errors import Conflict, Forbidden, Invalid
from rightdesk.custody.choices import EventKinds, ItemStatus, JobStatus
from rightdesk.custody.models import CustodyItem, ServiceJob
from rightdesk.custody.services import custody_settings
from rightdesk.tickets.services import append_event

MIN_REASON_CHARS = 5
MIN_HISTORY = 3


@dataclass(frozen=True)
class QueueEntry:
    job: ServiceJob
    position: int  # 1 = next to start
    estimated_start: datetime


def _key(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def _require_agent(actor: User | None) -> User:
    if actor is None or not is_agent(actor):
        raise Forbidden("Only agents can do this.")
    return actor


@transaction.atomic
def enqueue_job(
    *, item: CustodyItem, description: str, actor: User | None, at: datetime | None = None
) -> ServiceJob:
    """Put an item's job at the back of the queue (its place is its arrival time)."""
    agent = _require_agent(actor)
    description = " ".join((description or "").split())
    if not description:
        raise Invalid("Say what the job is.", field="description")
    if item.status == ItemStatus.RETURNED:
        raise Conflict("The item was returned to the customer.", code="returned")
    now = at or timezone.now()
    try:
        with transaction.atomic():
            job = ServiceJob.objects.create(
                item=item,
                ticket=item.ticket,
                description=description[:200],
                arrived_at=now,
                sort_key=_key(now),
            )
    except IntegrityError as exc:
        raise Conflict(
            "This item already has a job in the queue.", code="already_queued", field="item"
        ) from exc
    append_event(
        ticket=item.ticket,
        kind=EventKinds.QUEUED,
        actor=agent,
        at=now,
        data={"job": job.pk, "item": item.pk, "description": job.description},
    )
    return job


@transaction.atomic
def move_job_ahead(
    *, job: ServiceJob, ahead_of: ServiceJob, reason: str, actor: User | None
) -> ServiceJob:
    """Let a job jump the queue; the reason is written on its ticket's timeline."""
    agent = _require_agent(actor)
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_CHARS:
        raise Invalid(
            "Moving a job ahead of others needs a reason.", code="reason_required", field="reason"
        )
    locked = {
        j.pk: j for j in ServiceJob.objects.select_for_update().filter(pk__in=[job.pk, ahead_of.pk])
    }
    job, ahead_of = locked[job.pk], locked[ahead_of.pk]
    if job.status != JobStatus.QUEUED or ahead_of.status != JobStatus.QUEUED:
        raise Conflict("Only waiting jobs can change places.", code="not_queued")
    if (job.sort_key, job.pk) < (ahead_of.sort_key, ahead_of.pk):
        raise Conflict("That job is already ahead.", code="already_ahead")
    before = (
        ServiceJob.objects.filter(status=JobStatus.QUEUED, sort_key__lt=ahead_of.sort_key)
        .order_by("-sort_key")
        .values_list("sort_key", flat=True)
        .first()
    )
    low = before if before is not None else ahead_of.sort_key - 2_000_000
    jumped = list(
        ServiceJob.objects.filter(
            status=JobStatus.QUEUED, sort_key__gte=ahead_of.sort_key, sort_key__lte=job.sort_key
        )
        .exclude(pk=job.pk)
        .values_list("pk", flat=True)
    )
    job.sort_key = (low + ahead_of.sort_key) // 2 if ahead_of.sort_key - low > 1 else low
    job.moved_ahead_reason = reason[:2000]
    job.save(update_fields=["sort_key", "moved_ahead_reason"])
    append_event(
        ticket=job.ticket,
        kind=EventKinds.MOVED_AHEAD,
        actor=agent,
        data={"job": job.pk, "ahead_of": ahead_of.pk, "jumped": len(jumped), "reason": reason},
    )
    return job


@transaction.atomic
def start_job(*, job: ServiceJob, actor: User | None) -> ServiceJob:
    """Work begins on a job: the queue moves and the item is in work."""
    from rightdesk.custody.services import change_item_status

    agent = _require_agent(actor)
    job = ServiceJob.objects.select_for_update().get(pk=job.pk)
    if job.status != JobStatus.QUEUED:
        raise Conflict("Only a waiting job can start.", code="not_queued")
    now = timezone.now()
    job.status = JobStatus.IN_WORK
    job.started_at = now
    job.save(update_fields=["status", "started_at"])
    append_event(
        ticket=job.ticket,
        kind=EventKinds.JOB_STARTED,
        actor=agent,
        at=now,
        data={"job": job.pk, "description": job.description},
    )
    if job.item.status != ItemStatus.IN_WORK:
        change_item_status(item=job.item, status=ItemStatus.IN_WORK, actor=agent)
    return job


@transaction.atomic
def finish_job(*, job: ServiceJob, actor: User | None, at: datetime | None = None) -> ServiceJob:
    """A job is done (it now counts towards throughput)."""
    agent = _require_agent(actor)
    job = ServiceJob.objects.select_for_update().get(pk=job.pk)
    if job.status != JobStatus.IN_WORK:
        raise Conflict("Only a job in work can be finished.", code="not_in_work")
    now = at or timezone.now()
    job.status = JobStatus.DONE
    job.finished_at = now
    job.save(update_fields=["status", "finished_at"])
    append_event(
        ticket=job.ticket,
        kind=EventKinds.JOB_FINISHED,
        actor=agent,
        at=now,
        data={"job": job.pk, "description": job.description},
    )
    return job


def hours_per_job(*, now: datetime | None = None) -> float:
    """Recent throughput expressed as hours between completions."""
    moment = now or timezone.now()
    conf = custody_settings()
    window = timedelta(days=conf.throughput_days)
    finished = ServiceJob.objects.filter(
        status=JobStatus.DONE, finished_at__gt=moment - window, finished_at__lte=moment
    ).count()
    if finished < MIN_HISTORY:
        return float(conf.default_job_hours)
    return window.total_seconds() / 3600 / finished


def service_queue(*, now: datetime | None = None) -> list[QueueEntry]:
    """Waiting jobs in order, each with its position and estimated start."""
    moment = now or timezone.now()
    per_job = hours_per_job(now=moment)
    in_work = ServiceJob.objects.filter(status=JobStatus.IN_WORK).count()
    jobs = (
        ServiceJob.objects.filter(status=JobStatus.QUEUED)
        .select_related("item", "item__customer", "ticket")
        .order_by("sort_key", "id")
    )
    entries = []
    for index, job in enumerate(jobs):
        completions = max(0, index + in_work)
        entries.append(
            QueueEntry(
                job=job,
                position=index + 1,
                estimated_start=moment + timedelta(hours=per_job * completions),
            )
        )
    return entries


def queue_entry_for(item: CustodyItem, *, now: datetime | None = None) -> QueueEntry | None:
    """The item's place in the queue, if it is waiting."""
    for entry in service_queue(now=now):
        if entry.job.item_id == item.pk:
            return entry
    return None
