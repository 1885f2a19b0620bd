"""Background jobs of the e-mail channel: process stored mail, poll IMAP, send the outbox.

Each job takes ids, calls one service and is safe to run twice.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from rightdesk.channels import services


@db_task(retries=3, retry_delay=10)
def process_message(raw_id: int) -> str:
    """Place one stored message (busy-database errors are retried by huey)."""
    return services.create_from_email(raw_id=raw_id).state


@db_periodic_task(crontab(minute="*"))
@lock_task("channels-process-pending")
def process_pending() -> int:
    """Catch anything stored while the worker was down or an enqueue was lost."""
    ids = services.pending_message_ids()
    for raw_id in ids:
        services.create_from_email(raw_id=raw_id)
    return len(ids)


@db_task()
def send_outbound(outbound_id: int) -> str:
    return services.deliver_outbound(outbound_id=outbound_id)


@db_periodic_task(crontab(minute="*"))
@lock_task("channels-sweep-outbox")
def sweep_outbox() -> int:
    return services.sweep_outbox()


@db_periodic_task(crontab(minute="*"))
@lock_task("channels-poll-imap")
def poll_mailboxes() -> int:
    """Fetch new mail from every mailbox that has IMAP credentials."""
    from rightdesk.channels.imap import poll_all

    return poll_all()
