"""Agent console views: parse → access_* → one service call → render.

Every page works without JavaScript; with htmx the case actions post in the
background and the view answers with the case partial instead of the whole
page (the ``HX-Request`` header tells which one was asked for). Service
refusals (``DomainError``) come back as form errors with the error's status.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django import forms
from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.models import User
from django.contrib.auth.views import LoginView, redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rightdesk.accounts.models import ApiToken, Team
from rightdesk.accounts.services import is_agent, issue_token, revoke_token
from rightdesk.core.errors import DomainError, Invalid, NotFound
from rightdesk.core.middleware import SESSION_KEY, zone_for_agent
from rightdesk.customers.models import Customer, Fact
from rightdesk.customers.services import record_fact
from rightdesk.desk import forms as desk_forms
from rightdesk.desk.timeline import build_timeline
from rightdesk.quality.services import send_checked_reply
from rightdesk.search.services import search_customers, search_tickets
from rightdesk.tickets.access import access_customer, access_ticket
from rightdesk.tickets.choices import Status
from rightdesk.tickets.models import Event, Message, Ticket
from rightdesk.tickets.queries import (
    QUEUE_VIEWS,
    Record,
    paginate_queue,
    pending_handoffs,
    queue_queryset,
    unowned_problems,
)
from rightdesk.tickets.services import (
    NewCustomer,
    add_note,
    assign_ticket,
    change_priority,
    change_status,
    log_call,
    mark_handoffs_seen,
    merge_tickets,
    open_ticket,
)

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, P], HttpResponse]

QUEUE_PAGE_SIZE = 50
QUEUE_TABS = (("mine", "Mine"), ("team", "My teams"), ("unassigned", "Unassigned"), ("all", "All"))


def agent_required(view: View[P]) -> View[P]:
    """Logged-in agents only: anonymous users go to the login page, others get 403.

    Whatever the page looks up and does not find (an unknown ticket, customer or
    item) is a 404, however deep the lookup happened.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not isinstance(request.user, User) or not is_agent(request.user):
            raise PermissionDenied("The console is for agents.")
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc

    return wrapper


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def agent_of(request: HttpRequest) -> User:
    """The signed-in agent of a view behind ``agent_required``."""
    assert isinstance(request.user, User)  # guaranteed by agent_required
    return request.user


def _agents() -> QuerySet[User]:
    """Active people who can own tickets, for owner pickers."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(agent__isnull=False) | Q(is_superuser=True))
        .select_related("agent")
        .order_by("first_name", "last_name", "username")
    )


# ---------------------------------------------------------------- queue


@require_GET
@agent_required
def queue(request: HttpRequest) -> HttpResponse:
    """The agent's queue: who has waited longest comes first."""
    user = agent_of(request)
    tab = request.GET.get("view") or "mine"
    if tab not in QUEUE_VIEWS:
        tab = "mine"
    status_filter = request.GET.get("status") or ""
    cursor = request.GET.get("cursor") or None
    error = ""
    try:
        qs = queue_queryset(user=user, view=tab, status=status_filter or None)
        page = paginate_queue(qs, cursor=cursor, limit=QUEUE_PAGE_SIZE)
        tickets, next_cursor = page.tickets, page.next_cursor
    except Invalid as exc:
        error, tickets, next_cursor = exc.message, [], None
    context = {
        "nav_active": "queue",
        "tab": tab,
        "tabs": QUEUE_TABS,
        "status_filter": status_filter,
        "statuses": Status.choices,
        "tickets": tickets,
        "next_cursor": next_cursor,
        "first_page": cursor is None,
        "problems": unowned_problems(),
        "problem_minutes": settings.RIGHTDESK_UNOWNED_PROBLEM_MINUTES,
        "error": error,
        "now": timezone.now(),
    }
    template = "desk/partials/queue_table.html" if is_htmx(request) else "desk/queue.html"
    return render(request, template, context, status=422 if error else 200)


# ---------------------------------------------------------------- case file


def _customer_card(customer: Customer) -> dict[str, Any]:
    contacts = list(customer.contacts.all())
    facts = list(
        Fact.objects.filter(customer=customer)
        .select_related("recorded_by", "recorded_by__agent", "source_message")
        # The card names the source message's kind and time, never its (long) body.
        .defer("source_message__body_text", "source_message__body_html")
    )
    return {"customer": customer, "contacts": contacts, "facts": facts}


def _case_forms(
    ticket: Ticket, messages: list[Message], agents: list[User], teams: list[Team]
) -> dict[str, forms.Form]:
    return {
        "reply": desk_forms.ReplyForm(ticket=ticket, prefix="reply"),
        "note": desk_forms.NoteForm(prefix="note"),
        "call": desk_forms.CallForm(prefix="call"),
        "fact": desk_forms.FactForm(messages=messages, prefix="fact"),
        "assign": desk_forms.AssignForm(
            agents=agents,
            teams=teams,
            prefix="assign",
            initial={"owner": str(ticket.owner_id or "")},
        ),
        "status": desk_forms.StatusForm(ticket=ticket, prefix="status"),
        "priority": desk_forms.PriorityForm(
            prefix="priority", initial={"priority": ticket.priority}
        ),
        "merge": desk_forms.MergeForm(prefix="merge"),
    }


def _case_context(
    request: HttpRequest,
    ticket: Ticket,
    *,
    bound: tuple[str, forms.Form] | None = None,
    notice: str = "",
) -> dict[str, Any]:
    """Everything the case file shows, in a fixed number of queries.

    Handoff notes to the agent stay on top until they mark them as read.
    """
    messages = list(Message.objects.filter(ticket=ticket).select_related("author", "author__agent"))
    events = list(Event.objects.filter(ticket=ticket).select_related("actor", "actor__agent"))
    other_tickets = list(
        Ticket.objects.filter(customer_id=ticket.customer_id, merged_into__isnull=True)
        .exclude(pk=ticket.pk)
        .select_related("owner", "owner__agent")
        .order_by("-created_at", "-id")[:20]
    )
    agents = list(_agents())
    teams = list(Team.objects.all())
    case_forms = _case_forms(ticket, messages, agents, teams)
    open_action = "reply"
    if bound is not None:
        open_action = bound[0]
        case_forms[bound[0]] = bound[1]
    return {
        "nav_active": "",
        "ticket": ticket,
        "handoffs": pending_handoffs(ticket, agent_of(request)),
        "timeline": build_timeline(ticket=ticket, messages=messages, events=events),
        # The panels (SLA clocks) reuse what was read for the timeline.
        "case_record": Record(messages=messages, events=events),
        "other_tickets": other_tickets,
        "forms": case_forms,
        "open_action": open_action,
        "notice": notice,
        "now": timezone.now(),
        **_customer_card(ticket.customer),
    }


@require_GET
@agent_required
def ticket_detail(request: HttpRequest, ref: str) -> HttpResponse:
    """The case file: handoff notes first, then the customer, the history and the actions."""
    ticket = access_ticket(agent_of(request), ref)
    if ticket.merged_into_id is not None:
        survivor = Ticket(pk=ticket.merged_into_id)
        flash.info(request, f"{ticket.reference} was merged into {survivor.reference}.")
        return HttpResponseRedirect(reverse("desk:ticket", args=[survivor.reference]))
    context = _case_context(request, ticket)
    template = "desk/partials/case.html" if is_htmx(request) else "desk/ticket.html"
    return render(request, template, context)


CaseAction = Callable[[User, Ticket, dict[str, Any]], str | HttpResponse]


def _do_reply(user: User, ticket: Ticket, data: dict[str, Any]) -> str:
    send_checked_reply(
        ticket=ticket,
        actor=user,
        body_text=data["body"],
        override_reason=data.get("override_reason", ""),
        status=data["status"] or None,
    )
    return "Reply sent."


def _do_note(user: User, ticket: Ticket, data: dict[str, Any]) -> str:
    add_note(ticket=ticket, actor=user, body_text=data["body"])
    return "Note added."


def _do_call(user: User, ticket: Ticket, data: dict[str, Any]) -> str:
    minutes = data["duration_minutes"]
    log_call(
        ticket=ticket,
        actor=user,
        direction=data["direction"],
        summary=data["summary"],
        party=data["party"],
        started_at=data["started_at"],
        duration_seconds=minutes * 60 if minutes is not None else None,
    )
    return "Call logged."


def _do_fact(user: User, ticket: Ticket, data: dict[str, Any]) -> str:
    fact = record_fact(
        customer=ticket.customer,
        label=data["label"],
        value=data["value"],
        actor=user,
        source_message=data["source_message"],
        source_note=data["source_note"],
        ticket=ticket,
    )
    return f"Recorded {fact.label}."


def _do_assign(user: User, ticket: Ticket, data: dict[str, Any]) -> str:
    assign_ticket(
        ticket=ticket, actor=user, owner=data["owner"], note=data["note"], team=data["team"]
    )
    return "Owner updated."


def _do_status(user: User, ticket: Ticket, data: dict[str, Any]) -> str:
    change_status(ticket=ticket, actor=user, status=data["status"], reason=data["reason"])
    return "Status changed."


def _do_priority(user: User, ticket: Ticket, data: dict[str, Any]) -> str:
    change_priority(ticket=ticket, actor=user, priority=data["priority"])
    return "Priority changed."


def _do_handoffs_seen(user: User, ticket: Ticket, data: dict[str, Any]) -> str:
    shown = [handoff.pk for handoff in data["handoff"]]
    mark_handoffs_seen(ticket=ticket, user=user, handoff_ids=shown)
    return "Handoff notes marked as read."


def _do_merge(user: User, ticket: Ticket, data: dict[str, Any]) -> HttpResponse:
    target = access_ticket(user, data["target"])
    survivor = merge_tickets(source=ticket, target=target, actor=user)
    url = reverse("desk:ticket", args=[survivor.reference])
    response = HttpResponseRedirect(url)
    response["HX-Redirect"] = url
    return response


CASE_ACTIONS: dict[str, CaseAction] = {
    "reply": _do_reply,
    "note": _do_note,
    "call": _do_call,
    "fact": _do_fact,
    "assign": _do_assign,
    "status": _do_status,
    "priority": _do_priority,
    "merge": _do_merge,
    "handoffs_seen": _do_handoffs_seen,
}


@require_POST
@agent_required
def ticket_action(request: HttpRequest, ref: str, action: str) -> HttpResponse:
    """One case action (reply, note, call, fact, assign, status, priority, merge,
    or marking the handoff notes as read)."""
    handler = CASE_ACTIONS.get(action)
    if handler is None:
        raise Http404("No such action.")
    user = agent_of(request)
    ticket = access_ticket(user, ref)
    form = _bound_case_form(action, ticket, request.POST)
    status = 200
    if form.is_valid():
        try:
            outcome = handler(user, ticket, form.cleaned_data)
        except DomainError as exc:
            desk_forms.add_domain_error(form, exc)
            status = exc.status
        else:
            if isinstance(outcome, HttpResponse):
                return outcome
            if not is_htmx(request):
                flash.success(request, outcome)
                return HttpResponseRedirect(reverse("desk:ticket", args=[ticket.reference]))
            ticket = access_ticket(user, ticket.pk)
            context = _case_context(request, ticket, notice=outcome)
            return render(request, "desk/partials/case.html", context)
    else:
        status = 422
    ticket = access_ticket(user, ticket.pk)
    context = _case_context(request, ticket, bound=(action, form))
    template = "desk/partials/case.html" if is_htmx(request) else "desk/ticket.html"
    return render(request, template, context, status=status)


def _bound_case_form(action: str, ticket: Ticket, data: Any) -> forms.Form:
    if action == "reply":
        return desk_forms.ReplyForm(data, ticket=ticket, prefix="reply")
    if action == "note":
        return desk_forms.NoteForm(data, prefix="note")
    if action == "call":
        return desk_forms.CallForm(data, prefix="call")
    if action == "fact":
        messages = Message.objects.filter(ticket=ticket, kind__in=("inbound", "call"))
        return desk_forms.FactForm(data, messages=messages, prefix="fact")
    if action == "assign":
        return desk_forms.AssignForm(
            data, agents=_agents(), teams=Team.objects.all(), prefix="assign"
        )
    if action == "status":
        return desk_forms.StatusForm(data, ticket=ticket, prefix="status")
    if action == "priority":
        return desk_forms.PriorityForm(data, prefix="priority")
    if action == "handoffs_seen":
        return desk_forms.HandoffsSeenForm(data, ticket=ticket)
    return desk_forms.MergeForm(data, prefix="merge")


# ---------------------------------------------------------------- customers


@require_GET
@agent_required
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    """A customer's card and every ticket they have had."""
    customer = access_customer(agent_of(request), customer_id)  # unknown: agent_required's 404
    tickets = list(
        Ticket.objects.filter(customer=customer, merged_into__isnull=True)
        .select_related("owner", "owner__agent", "team")
        .order_by("-created_at", "-id")[:200]
    )
    context = {
        "nav_active": "",
        "tickets": tickets,
        "now": timezone.now(),
        **_customer_card(customer),
    }
    return render(request, "desk/customer.html", context)


def _find_customers(query: str, limit: int = 20) -> list[Customer]:
    """Customers whose name, preferred name or contact point contains the text.

    Unlike full-text search this matches any part ("0142" finds +13125550142):
    a front desk types the last digits the caller reads out.
    """
    query = query.strip()
    if not query:
        return []
    condition = (
        Q(name__icontains=query)
        | Q(preferred_name__icontains=query)
        | Q(contacts__value__icontains=query)
    )
    digits = "".join(ch for ch in query if ch.isdigit())
    if len(digits) >= 4:  # phones are stored as E.164: match "555 0142" against +13125550142
        condition |= Q(contacts__kind="phone", contacts__value__contains=digits)
    ids = Customer.objects.filter(condition).values_list("pk", flat=True).distinct()[:limit]
    return list(Customer.objects.filter(pk__in=list(ids)).prefetch_related("contacts"))


@require_http_methods(["GET", "POST"])
@agent_required
def ticket_new(request: HttpRequest) -> HttpResponse:
    """Open a ticket for an existing customer (found by search) or a new one."""
    user = agent_of(request)
    agents, teams = list(_agents()), list(Team.objects.all())
    customer_query = request.GET.get("customer_q", "")
    status = 200
    if request.method == "POST":
        chosen = request.POST.get("customer", "")
        customers = list(Customer.objects.filter(pk=int(chosen))) if chosen.isdigit() else []
        form = desk_forms.NewTicketForm(
            request.POST, customers=customers, agents=agents, teams=teams
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket = _open_ticket(user, data)
            except DomainError as exc:
                desk_forms.add_domain_error(form, exc)
                status = exc.status
            else:
                flash.success(request, f"Opened {ticket.reference}.")
                return HttpResponseRedirect(reverse("desk:ticket", args=[ticket.reference]))
        else:
            status = 422
    else:
        customers = _find_customers(customer_query)
        preset = request.GET.get("customer", "")
        if preset.isdigit() and not any(c.pk == int(preset) for c in customers):
            customers += list(Customer.objects.filter(pk=int(preset)))
        form = desk_forms.NewTicketForm(
            customers=customers,
            agents=agents,
            teams=teams,
            initial={
                "customer": preset or (str(customers[0].pk) if len(customers) == 1 else ""),
                "owner": str(user.pk),
            },
        )
    context = {
        "nav_active": "new",
        "form": form,
        "customer_query": customer_query,
        "customers": customers,
    }
    return render(request, "desk/ticket_new.html", context, status=status)


def _open_ticket(user: User, data: dict[str, Any]) -> Ticket:
    customer = data["customer"] or NewCustomer(
        name=data["new_name"], email=data["new_email"], phone=data["new_phone"]
    )
    return open_ticket(
        customer=customer,
        subject=data["subject"],
        body_text=data["body"],
        channel=data["channel"],
        priority=data["priority"],
        team=data["team"],
        owner=data["owner"],
        actor=user,
    )


# ---------------------------------------------------------------- search


@require_GET
@agent_required
def search(request: HttpRequest) -> HttpResponse:
    """Full-text search over tickets (subjects, messages) and customers."""
    user = agent_of(request)
    query = request.GET.get("q", "").strip()
    status_filter = request.GET.get("status") or None
    owner_filter = request.GET.get("owner") or ""
    team_filter = request.GET.get("team") or ""
    results: list[Any] = []
    customers: list[Customer] = []
    error = ""
    if query:
        try:
            results = search_tickets(
                user=user,
                query=query,
                status=status_filter,
                owner_id=int(owner_filter) if owner_filter.isdigit() else None,
                team_id=int(team_filter) if team_filter.isdigit() else None,
                limit=20,
            )
            customers = search_customers(user=user, query=query, limit=10)
        except DomainError as exc:
            error = exc.message
    context = {
        "nav_active": "search",
        "search_query": query,
        "status_filter": status_filter or "",
        "owner_filter": owner_filter,
        "team_filter": team_filter,
        "statuses": Status.choices,
        "agents": list(_agents()),
        "teams": list(Team.objects.all()),
        "results": results,
        "customers": customers,
        "error": error,
    }
    return render(request, "desk/search.html", context, status=422 if error else 200)


# ---------------------------------------------------------------- API tokens


@require_http_methods(["GET", "POST"])
@agent_required
def tokens(request: HttpRequest) -> HttpResponse:
    """The agent's API tokens; a new token's secret is shown once, on this response only."""
    user = agent_of(request)
    raw_token = ""
    status = 200
    if request.method == "POST":
        form = desk_forms.TokenForm(request.POST)
        if form.is_valid():
            try:
                _token, raw_token = issue_token(
                    user=user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
                )
            except DomainError as exc:
                desk_forms.add_domain_error(form, exc)
                status = exc.status
            else:
                form = desk_forms.TokenForm()
        else:
            status = 422
    else:
        form = desk_forms.TokenForm()
    context = {
        "nav_active": "tokens",
        "form": form,
        "raw_token": raw_token,
        "tokens": list(ApiToken.objects.filter(user=user)),
        "now": timezone.now(),
    }
    response = render(request, "desk/tokens.html", context, status=status)
    if raw_token:
        response["Cache-Control"] = "no-store"
    return response


@require_POST
@agent_required
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = revoke_token(user=agent_of(request), token_id=token_id)  # not theirs: a 404
    flash.success(request, f"Revoked {token.name}.")
    return HttpResponseRedirect(reverse("desk:tokens"))


class DeskLoginView(LoginView):
    """Django's login, remembering the agent's time zone for the session."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        self.request.session[SESSION_KEY] = zone_for_agent(form.get_user())
        return response
