"""Tickets API: the queue, the case, and every action on it, each through one service."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Query, Router, Status

from rightdesk.accounts.models import Team
from rightdesk.accounts.services import is_agent
from rightdesk.core.api import caller
from rightdesk.core.errors import DomainError, Invalid, NotFound, under
from rightdesk.core.pagination import PageParams, keyset_page
from rightdesk.customers.models import Customer
from rightdesk.customers.services import normalise_email
from rightdesk.tickets.access import access_customer, access_customers, access_ticket
from rightdesk.tickets.models import Event, Message, Ticket
from rightdesk.tickets.queries import paginate_queue, pending_handoffs, queue_queryset
from rightdesk.tickets.schemas import (
    AssignIn,
    CallCreate,
    EventPage,
    InboundCreate,
    MergeIn,
    MessageOut,
    MessagePage,
    NoteCreate,
    PriorityIn,
    QueueFilters,
    ReplyCreate,
    StatusIn,
    TicketBatchIn,
    TicketBatchOut,
    TicketCreate,
    TicketDetailOut,
    TicketPage,
)
from rightdesk.tickets.services import (
    NewCustomer,
    TicketSpec,
    add_inbound_message,
    add_note,
    assign_ticket,
    change_priority,
    change_status,
    log_call,
    mark_handoffs_seen,
    merge_tickets,
    open_from_spec,
    open_tickets,
    send_reply,
)

router = Router(tags=["tickets"])


def _detail(user: User, ticket: Ticket) -> Ticket:
    """The ticket as ``TicketDetailOut`` shows it: reloaded, with the caller's unread handoffs."""
    fresh = access_ticket(user, ticket.pk)
    # Read by TicketDetailOut.
    fresh.pending_handoffs = pending_handoffs(fresh, user)  # type: ignore[attr-defined]
    return fresh


def _agent(user_id: int, field: str) -> User:
    """An active agent named by id in a request body, or a 422 on that field."""
    user = User.objects.select_related("agent").filter(pk=user_id, is_active=True).first()
    if user is None or not is_agent(user):
        raise Invalid(f"No active agent {user_id}.", code="unknown_agent", field=field)
    return user


def _team(team_id: int | None, field: str = "team_id") -> Team | None:
    if team_id is None:
        return None
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise Invalid(f"No team {team_id}.", code="unknown_team", field=field)
    return team


@router.get("", response=TicketPage, summary="The queue, longest-waiting customer first")
def list_tickets(
    request: HttpRequest, page: Query[PageParams], filters: Query[QueueFilters]
) -> Any:
    qs = queue_queryset(user=caller(request), view=filters.view, status=filters.status)
    result = paginate_queue(qs, cursor=page.cursor, limit=page.limit)
    return {"items": result.tickets, "next_cursor": result.next_cursor}


@router.post("", response={201: TicketDetailOut}, summary="Open a ticket")
def post_ticket(request: HttpRequest, payload: TicketCreate) -> Status[Ticket]:
    agent = caller(request)
    ticket = open_from_spec(_spec(agent, payload, _Known()))
    # The service returns the row it wrote, with customer, owner and team in hand:
    # no need to read it back.
    ticket.pending_handoffs = []  # type: ignore[attr-defined]  # a new ticket has no handoffs yet
    return Status(201, ticket)


@router.post(
    "/batch",
    response={201: TicketBatchOut},
    summary="Open up to 100 tickets in one request: all of them, or none",
)
def post_ticket_batch(request: HttpRequest, payload: TicketBatchIn) -> Status[dict[str, Any]]:
    agent = caller(request)
    items = payload.tickets
    # Everything the items name is read once for the batch, not once per item.
    known = _Known(
        customers=access_customers(
            agent, {i.customer_id for i in items if i.customer_id is not None}
        ),
        teams=Team.objects.in_bulk({i.team_id for i in items if i.team_id is not None}),
        owners={
            user.pk: user
            for user in User.objects.select_related("agent").filter(
                pk__in={i.owner_id for i in items if i.owner_id is not None}, is_active=True
            )
            if is_agent(user)
        },
    )
    specs = []
    for index, item in enumerate(items):
        with under(f"tickets[{index}]"):
            specs.append(_spec(agent, item, known))
    return Status(201, {"items": open_tickets(specs)})


@dataclass(frozen=True)
class _Known:
    """Customers, teams and owners already read (and checked) for a batch, by id."""

    customers: dict[int, Customer] = field(default_factory=dict)
    teams: dict[int, Team] = field(default_factory=dict)
    owners: dict[int, User] = field(default_factory=dict)


def _spec(agent: User, payload: TicketCreate, known: _Known) -> TicketSpec:
    """What to open for one ``TicketCreate``."""
    if (payload.customer_id is None) == (payload.customer is None):
        raise Invalid("Give exactly one of customer_id or customer.", field="customer_id")
    owner: User | None = None
    if payload.owner_id is not None:
        owner = known.owners.get(payload.owner_id) or _agent(payload.owner_id, "owner_id")
    team: Team | None = None
    if payload.team_id is not None:
        team = known.teams.get(payload.team_id) or _team(payload.team_id)
    return TicketSpec(
        customer=_customer_for(agent, payload, known.customers),
        subject=payload.subject,
        body_text=payload.body_text,
        body_html=payload.body_html,
        channel=payload.channel,
        priority=payload.priority,
        team=team,
        owner=owner,
        actor=None if payload.from_customer else agent,
    )


def _customer_for(
    agent: User, payload: TicketCreate, known: dict[int, Customer]
) -> Customer | NewCustomer:
    if payload.customer_id is not None:
        if payload.customer_id in known:
            return known[payload.customer_id]
        try:
            return access_customer(agent, payload.customer_id)
        except NotFound as exc:
            raise Invalid(
                f"No customer {payload.customer_id}.", code="unknown_customer", field="customer_id"
            ) from exc
    assert payload.customer is not None
    with under("customer"):
        email = normalise_email(payload.customer.email)
    return NewCustomer(name=payload.customer.name, email=email, reuse_by_email=True)


@router.get("/{ref}", response=TicketDetailOut, summary="One ticket, by reference (RD-1042)")
def get_ticket(request: HttpRequest, ref: str) -> Ticket:
    agent = caller(request)
    return _detail(agent, access_ticket(agent, ref))


@router.get(
    "/{ref}/messages", response=MessagePage, summary="Messages, notes and calls, oldest first"
)
def list_messages(request: HttpRequest, ref: str, page: Query[PageParams]) -> Any:
    ticket = access_ticket(caller(request), ref)
    qs = Message.objects.filter(ticket=ticket).select_related("author", "author__agent")
    return keyset_page(qs, order=["created_at", "id"], cursor=page.cursor, limit=page.limit)


@router.post("/{ref}/inbound", response={201: MessageOut}, summary="Record what the customer wrote")
def post_inbound(request: HttpRequest, ref: str, payload: InboundCreate) -> Status[Message]:
    ticket = access_ticket(caller(request), ref)
    message = add_inbound_message(
        ticket=ticket, body_text=payload.body_text, body_html=payload.body_html
    )
    return Status(201, message)


@router.post("/{ref}/replies", response={201: MessageOut}, summary="Reply to the customer")
def post_reply(request: HttpRequest, ref: str, payload: ReplyCreate) -> Status[Message]:
    agent = caller(request)
    ticket = access_ticket(agent, ref)
    message = send_reply(
        ticket=ticket,
        actor=agent,
        body_text=payload.body_text,
        body_html=payload.body_html,
        status=payload.status,
    )
    return Status(201, message)


@router.post("/{ref}/notes", response={201: MessageOut}, summary="Add an internal note")
def post_note(request: HttpRequest, ref: str, payload: NoteCreate) -> Status[Message]:
    agent = caller(request)
    ticket = access_ticket(agent, ref)
    return Status(201, add_note(ticket=ticket, actor=agent, body_text=payload.body_text))


@router.post("/{ref}/calls", response={201: MessageOut}, summary="Log a phone call")
def post_call(request: HttpRequest, ref: str, payload: CallCreate) -> Status[Message]:
    agent = caller(request)
    ticket = access_ticket(agent, ref)
    message = log_call(
        ticket=ticket,
        actor=agent,
        direction=payload.direction,
        summary=payload.summary,
        party=payload.party,
        started_at=payload.started_at,
        duration_seconds=payload.duration_seconds,
    )
    return Status(201, message)


@router.post("/{ref}/assign", response=TicketDetailOut, summary="Give the ticket one named owner")
def post_assign(request: HttpRequest, ref: str, payload: AssignIn) -> Ticket:
    agent = caller(request)
    ticket = access_ticket(agent, ref)
    owner = _agent(payload.owner_id, "owner_id")
    team = _team(payload.team_id)
    assign_ticket(ticket=ticket, actor=agent, owner=owner, note=payload.note, team=team)
    return _detail(agent, ticket)


@router.post(
    "/{ref}/handoffs/seen", response=TicketDetailOut, summary="I have read my handoff notes"
)
def post_handoffs_seen(request: HttpRequest, ref: str) -> Ticket:
    agent = caller(request)
    ticket = access_ticket(agent, ref)
    mark_handoffs_seen(ticket=ticket, user=agent)
    return _detail(agent, ticket)


@router.post("/{ref}/status", response=TicketDetailOut, summary="Change the status")
def post_status(request: HttpRequest, ref: str, payload: StatusIn) -> Ticket:
    agent = caller(request)
    ticket = access_ticket(agent, ref)
    change_status(ticket=ticket, actor=agent, status=payload.status, reason=payload.reason)
    return _detail(agent, ticket)


@router.post("/{ref}/priority", response=TicketDetailOut, summary="Change the priority")
def post_priority(request: HttpRequest, ref: str, payload: PriorityIn) -> Ticket:
    agent = caller(request)
    ticket = access_ticket(agent, ref)
    change_priority(ticket=ticket, actor=agent, priority=payload.priority)
    return _detail(agent, ticket)


@router.post("/{ref}/merge", response=TicketDetailOut, summary="Merge into another ticket")
def post_merge(request: HttpRequest, ref: str, payload: MergeIn) -> Ticket:
    """Returns the surviving ticket."""
    agent = caller(request)
    source = access_ticket(agent, ref)
    try:
        target = access_ticket(agent, payload.into)
    except NotFound as exc:
        raise Invalid(f"No ticket {payload.into}.", code="unknown_ticket", field="into") from exc
    try:
        survivor = merge_tickets(source=source, target=target, actor=agent)
    except DomainError as exc:
        if exc.field == "target":  # the service's name for what this API calls "into"
            exc.field = "into"
        raise
    return _detail(agent, survivor)


@router.get("/{ref}/timeline", response=EventPage, summary="Every change, with actor and time")
def list_timeline(request: HttpRequest, ref: str, page: Query[PageParams]) -> Any:
    ticket = access_ticket(caller(request), ref)
    qs = Event.objects.filter(ticket=ticket).select_related("actor", "actor__agent")
    return keyset_page(qs, order=["created_at", "id"], cursor=page.cursor, limit=page.limit)
