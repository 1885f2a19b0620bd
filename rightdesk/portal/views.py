"""Customer portal pages: parse → access → one service call → render.

The portal has its own sign-in (one-time e-mailed links) and keeps the signed-in
customer under its own session key, apart from the agents' login. Every page
but the sign-in ones sends an anonymous visitor to the portal sign-in.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import rotate_token
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rightdesk.channels.webform import submit_web_form
from rightdesk.core.errors import DomainError, NotFound
from rightdesk.customers.models import Customer
from rightdesk.portal import queries
from rightdesk.portal.access import (
    PORTAL_SESSION_KEY,
    access_portal_item,
    access_portal_order,
    access_portal_ticket,
    portal_customer,
)
from rightdesk.portal.services import link_is_usable, request_sign_in_link, sign_in_with_link
from rightdesk.tickets.models import Ticket
from rightdesk.tickets.services import add_inbound_message

P = ParamSpec("P")
PortalView = Callable[Concatenate[HttpRequest, Customer, P], HttpResponse]
View = Callable[Concatenate[HttpRequest, P], HttpResponse]


def customer_required(view: PortalView[P]) -> View[P]:
    """Signed-in customers only; anyone else goes to the portal sign-in."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        customer = portal_customer(request.session)
        if customer is None:
            return HttpResponseRedirect(reverse("portal:sign_in"))
        return view(request, customer, *args, **kwargs)

    return wrapper


class SignInForm(forms.Form):
    email = forms.CharField(label="Your e-mail address", max_length=254)


class ContactForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=200)
    email = forms.CharField(label="Your e-mail address", max_length=254)
    subject = forms.CharField(label="What is it about?", max_length=300)
    body = forms.CharField(label="Your message", widget=forms.Textarea, max_length=20_000)


class MessageForm(forms.Form):
    body = forms.CharField(label="Your message", widget=forms.Textarea, max_length=20_000)


# ---------------------------------------------------------------- contact form


@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    """The public web form: no sign-in; the answer never reveals existing tickets."""
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            submit_web_form(**form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return render(
                request, "portal/contact_sent.html", {"email": form.cleaned_data["email"]}
            )
    status = 422 if request.method == "POST" else 200
    return render(request, "portal/contact.html", {"form": form}, status=status)


# ---------------------------------------------------------------- sign-in


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Ask for a sign-in link; the answer is the same whether the address is known."""
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        request_sign_in_link(
            email=form.cleaned_data["email"],
            url_prefix=request.build_absolute_uri(reverse("portal:sign_in")),
        )
        return render(request, "portal/sign_in_sent.html", {"email": form.cleaned_data["email"]})
    status = 422 if request.method == "POST" else 200
    return render(request, "portal/sign_in.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def use_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (mail scanners that open links must not spend them); POST signs in."""
    if request.method == "GET":
        usable = link_is_usable(token=token)
        return render(
            request, "portal/use_link.html", {"usable": usable}, status=200 if usable else 410
        )
    try:
        customer = sign_in_with_link(token=token)
    except DomainError as exc:
        return render(
            request, "portal/use_link.html", {"usable": False, "error": exc.message}, status=410
        )
    # A new session id and CSRF token at sign-in, as Django's login() does.
    request.session.cycle_key()
    rotate_token(request)
    request.session[PORTAL_SESSION_KEY] = customer.pk
    return HttpResponseRedirect(reverse("portal:home"))


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    request.session.pop(PORTAL_SESSION_KEY, None)
    request.session.cycle_key()
    return HttpResponseRedirect(reverse("portal:sign_in"))


# ---------------------------------------------------------------- pages


@require_GET
@customer_required
def home(request: HttpRequest, customer: Customer) -> HttpResponse:
    """My requests, newest first, each with its status and who is handling it."""
    rows = queries.my_tickets(customer)
    return render(
        request, "portal/requests.html", {"customer": customer, "rows": rows, "nav": "requests"}
    )


def _ticket_or_404(customer: Customer, ref: str) -> Ticket:
    try:
        return access_portal_ticket(customer, ref)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@require_http_methods(["GET", "POST"])
@customer_required
def ticket(request: HttpRequest, customer: Customer, ref: str) -> HttpResponse:
    """One request: the conversation the customer may read, promises, and a reply form."""
    found = _ticket_or_404(customer, ref)
    if found.merged_into_id is not None:
        survivor = queries.surviving_ticket(found)
        return HttpResponseRedirect(reverse("portal:ticket", args=[survivor.reference]))
    form = MessageForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                add_inbound_message(ticket=found, body_text=form.cleaned_data["body"])
            except DomainError as exc:
                form.add_error("body", exc.message)
                status = exc.status
            else:
                url = reverse("portal:ticket", args=[found.reference])
                return HttpResponseRedirect(f"{url}#latest")
        else:
            status = 422
    context = {
        "customer": customer,
        "nav": "requests",
        "ticket": found,
        "status_label": queries.status_label(found.status),
        "handled_by": queries.handled_by(found),
        "entries": queries.conversation(found),
        "promises": queries.open_promises(found),
        "form": form,
    }
    return render(request, "portal/ticket.html", context, status=status)


@require_GET
@customer_required
def items(request: HttpRequest, customer: Customer) -> HttpResponse:
    """Items we hold for the customer: what, status, queue place and estimated start."""
    rows = queries.my_items(customer)
    return render(
        request, "portal/items.html", {"customer": customer, "rows": rows, "nav": "items"}
    )


@require_GET
@customer_required
def item(request: HttpRequest, customer: Customer, item_id: int) -> HttpResponse:
    try:
        found = access_portal_item(customer, item_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    row = queries.item_detail(found)
    return render(request, "portal/item.html", {"customer": customer, "row": row, "nav": "items"})


@require_GET
@customer_required
def orders(request: HttpRequest, customer: Customer) -> HttpResponse:
    """Orders with their lines and fees, and every refund itemised."""
    views = queries.my_orders(customer)
    return render(
        request, "portal/orders.html", {"customer": customer, "orders": views, "nav": "orders"}
    )


@require_GET
@customer_required
def order(request: HttpRequest, customer: Customer, order_id: int) -> HttpResponse:
    try:
        found = access_portal_order(customer, order_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    view = queries.order_detail(found)
    return render(request, "portal/order.html", {"customer": customer, "o": view, "nav": "orders"})
