"""Agent console views (work in progress: pages are filled in next)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def _page(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "desk/base.html")


queue = search = ticket_new = ticket_detail = ticket_action = _page
customer_detail = tokens = token_revoke = _page
