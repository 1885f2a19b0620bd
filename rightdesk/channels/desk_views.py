"""The console's mail page: held, quarantined and undelivered mail, and what to do with each."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages as flash
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from rightdesk.channels import services
from rightdesk.channels.queries import mail_to_sort
from rightdesk.core.errors import DomainError
from rightdesk.desk.views import agent_of, agent_required


@require_GET
@agent_required
def attention(request: HttpRequest) -> HttpResponse:
    """Everything the mail channel could not finish without a person."""
    return render(
        request, "channels/attention.html", {"mail": mail_to_sort(), "nav_active": "mail"}
    )


def _act(request: HttpRequest, done: str, action: Callable[[User], object]) -> HttpResponse:
    """Run one decision; the page comes back with what happened, or why not."""
    try:
        action(agent_of(request))
    except DomainError as exc:
        flash.error(request, exc.message)
    else:
        flash.success(request, done)
    response = HttpResponseRedirect(reverse("mail:attention"))
    response.status_code = 303  # see the page again, never re-post the decision
    return response


@require_POST
@agent_required
def join(request: HttpRequest, raw_id: int) -> HttpResponse:
    """The sender is someone the customer sent (a partner, an assistant): add it to the ticket."""
    return _act(
        request,
        "The message was added to the ticket it named.",
        lambda user: services.release_held(raw_id=raw_id, actor=user, join=True),
    )


@require_POST
@agent_required
def separate(request: HttpRequest, raw_id: int) -> HttpResponse:
    """The sender is not part of that case: open a ticket of their own."""
    return _act(
        request,
        "A new ticket was opened for the sender.",
        lambda user: services.release_held(raw_id=raw_id, actor=user, join=False),
    )


@require_POST
@agent_required
def retry(request: HttpRequest, raw_id: int) -> HttpResponse:
    """Process a quarantined message again (after the cause was fixed)."""
    return _act(
        request,
        "The message will be processed again.",
        lambda user: services.retry_message(raw_id=raw_id, actor=user),
    )


@require_POST
@agent_required
def resend(request: HttpRequest, outbound_id: int) -> HttpResponse:
    """Queue a reply that could not be delivered once more."""
    return _act(
        request,
        "The e-mail is queued to be sent again.",
        lambda user: services.resend_outbound(outbound_id=outbound_id, actor=user),
    )
