"""Background sweep of custody: flag items nobody has confirmed in time (safe to run twice)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from rightdesk.custody.services import flag_unconfirmed_items


@db_periodic_task(crontab(minute="*/10"))
def flag_unconfirmed() -> int:
    """Flag items not confirmed on a lot walk within the configured hours."""
    return flag_unconfirmed_items()
