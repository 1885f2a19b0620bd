"""Daily housekeeping of the portal: spent sign-in links and expired sessions go."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from rightdesk.portal.services import sweep_sign_in_links


@db_periodic_task(crontab(hour="3", minute="17"))
def sweep_sign_ins() -> int:
    """Delete sign-in links long expired and sessions past their expiry (customers' and agents')."""
    links = sweep_sign_in_links()
    sessions, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return links + sessions
