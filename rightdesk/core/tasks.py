"""Background tasks that belong to no domain: the worker's answer to `rightdesk ping-worker`."""

from __future__ import annotations

import time

from huey.contrib.djhuey import task


@task(expires=60)
def ping(sent_at: float) -> float:
    """Prove a worker is consuming the queue: return when it ran (the caller times the trip)."""
    return time.time()
