"""The SLA sweep: every minute, record the breaches of tickets whose clocks ran out."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from rightdesk.sla.services import sweep_sla


@db_periodic_task(crontab(minute="*"))
def sweep_sla_clocks() -> int:
    return sweep_sla()
