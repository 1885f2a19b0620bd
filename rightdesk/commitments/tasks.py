"""The promise sweep: every minute, remind owners and break promises past due.

Any number of workers may run it at once: the services lock rows with
``skip_locked``, re-check them under the lock, and every notification has a
unique key, so a reminder is never sent twice.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from rightdesk.commitments.services import sweep_commitments


@db_periodic_task(crontab(minute="*"))
def sweep_promises() -> dict[str, int]:
    return sweep_commitments()


@db_task()
def sweep_promises_now() -> dict[str, int]:
    """The same sweep on demand (after an import, or from the command line)."""
    return sweep_commitments()
