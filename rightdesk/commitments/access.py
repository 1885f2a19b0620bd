"""Loading a promise for a request: fetch plus permission check."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

from rightdesk.accounts.services import is_agent
from rightdesk.commitments.models import Commitment
from rightdesk.core.errors import NotFound


def access_commitment(user: User | AnonymousUser, commitment_id: int) -> Commitment:
    """Agents see every promise of the desk; anyone else gets NotFound."""
    if not isinstance(user, User) or not is_agent(user):
        raise NotFound("No such promise.", field="commitment")
    commitment = (
        Commitment.objects.select_related("ticket", "ticket__customer", "owner", "owner__agent")
        .filter(pk=commitment_id)
        .first()
    )
    if commitment is None:
        raise NotFound(f"No promise {commitment_id}.", field="commitment")
    return commitment
