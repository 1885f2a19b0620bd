"""The only way a request loads a custody item, location or job: fetch plus permission check."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

from rightdesk.accounts.services import is_agent
from rightdesk.core.errors import NotFound
from rightdesk.custody.models import CustodyItem, Location, ServiceJob


def _agent_or_404(user: User | AnonymousUser, what: str) -> None:
    if not isinstance(user, User) or not is_agent(user):
        raise NotFound(f"No such {what}.", field=what)


def access_item(user: User | AnonymousUser, item_id: int) -> CustodyItem:
    """An item for an agent (the whole desk may need to find any car), or NotFound."""
    _agent_or_404(user, "item")
    item = (
        CustodyItem.objects.select_related("customer", "location", "ticket")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise NotFound(f"No item {item_id}.", field="item")
    return item


def access_location(
    user: User | AnonymousUser, location_id: int, field: str = "location_id"
) -> Location:
    _agent_or_404(user, "location")
    location = Location.objects.filter(pk=location_id).first()
    if location is None:
        raise NotFound(f"No location {location_id}.", field=field)
    return location


def access_job(user: User | AnonymousUser, job_id: int, field: str = "job") -> ServiceJob:
    _agent_or_404(user, "job")
    job = ServiceJob.objects.select_related("item", "ticket").filter(pk=job_id).first()
    if job is None:
        raise NotFound(f"No job {job_id}.", field=field)
    return job
