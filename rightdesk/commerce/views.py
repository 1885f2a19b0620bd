"""Console pages of commerce: the manager's refund view (promises kept and broken)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from rightdesk.accounts.services import is_manager
from rightdesk.commerce.services.refunds import refunds_for_managers
from rightdesk.desk.views import agent_required


@require_GET
@agent_required
def refunds_manager(request: HttpRequest) -> HttpResponse:
    """Refunds waiting for a decision or payment, broken promises first (managers only)."""
    assert isinstance(request.user, User)
    if not is_manager(request.user):
        raise PermissionDenied("The refund view is for managers.")
    refunds = list(refunds_for_managers()[:200])
    return render(
        request,
        "commerce/refunds_manager.html",
        {"refunds": refunds, "now": timezone.now(), "nav_active": "refunds"},
    )
