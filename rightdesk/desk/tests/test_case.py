"""The case file page and its actions, with and without htmx."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from rightdesk.customers.models import Customer, Fact
from rightdesk.customers.services import create_customer, record_fact
from rightdesk.desk.tests.conftest import HttpsClient
from rightdesk.tickets.choices import CallDirection, Priority, Status
from rightdesk.tickets.models import Event, Handoff, Message, Ticket
from rightdesk.tickets.services import (
    add_inbound_message,
    add_note,
    assign_ticket,
    create_ticket,
    log_call,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def desk(client: Client, agent: User) -> Client:
    client.force_login(agent)
    return client


@pytest.fixture
def ticket(customer: Customer, agent: User) -> Ticket:
    return create_ticket(
        customer=customer, subject="Where is my car?", body_text="It was towed in on Monday."
    )


def _url(ticket: Ticket, action: str = "") -> str:
    return f"/desk/tickets/{ticket.reference}/" + (f"{action}/" if action else "")


def _event_count(ticket: Ticket) -> int:
    return Event.objects.filter(ticket=ticket).count()


def test_case_shows_customer_card_facts_and_contacts(
    desk: Client, ticket: Ticket, customer: Customer, agent: User
) -> None:
    call = log_call(
        ticket=ticket, actor=agent, direction=CallDirection.INBOUND, summary="Asked about the car."
    )
    record_fact(
        customer=customer,
        label="Car colour",
        value="Dark green",
        actor=agent,
        source_message=call,
        ticket=ticket,
    )
    record_fact(
        customer=customer, label="Plate", value="IL 4KX 921", actor=agent, source_note="Tow slip"
    )
    point = customer.contacts.get(kind="email")
    point.failing_since = timezone.now()
    point.failing_reason = "Mailbox full"
    point.save()

    html = desk.get(_url(ticket)).content.decode()

    assert "Maria Gonzalez" in html
    assert "Prefers to be called <strong>Maria</strong>" in html
    assert "Standard" in html
    assert "maria@example.com" in html and "+13125550142" in html
    assert "failing since" in html and "Mailbox full" in html
    assert "<dt>Car colour</dt>" in html and "Dark green" in html
    assert "from phone call of" in html
    assert "<dt>Plate</dt>" in html and "Tow slip" in html
    assert html.count("recorded by Dana Price") == 2


def test_case_lists_the_customers_other_tickets(
    desk: Client, ticket: Ticket, customer: Customer
) -> None:
    other = create_ticket(customer=customer, subject="Invoice copy")
    stranger = create_customer(name="Leo Park", emails=["leo@example.com"])
    foreign = create_ticket(customer=stranger, subject="Not Maria's")

    html = desk.get(_url(ticket)).content.decode()
    others = html.split('id="other-title"')[1].split("</section>")[0]

    assert other.reference in others and "Invoice copy" in others
    assert foreign.reference not in others
    assert f">{ticket.reference}<" not in others


def test_timeline_renders_messages_calls_notes_and_events(
    desk: Client, ticket: Ticket, agent: User
) -> None:
    add_note(ticket=ticket, actor=agent, body_text="Car is in bay 3.")
    log_call(
        ticket=ticket,
        actor=agent,
        direction=CallDirection.OUTBOUND,
        summary="Told her it is ready.",
        party="Maria",
        duration_seconds=125,
    )

    html = desk.get(_url(ticket)).content.decode()

    assert "Maria Gonzalez wrote" in html and "<p>It was towed in on Monday.</p>" in html
    assert 'class="tl-item tl-note"' in html and "Internal note by Dana Price" in html
    assert 'class="tl-item tl-call"' in html
    assert "We called the customer · with Maria" in html and "2 min 5 s" in html
    assert "Ticket opened (E-mail)" in html
    assert "Owner: nobody → Dana Price" in html  # outbound call took ownership
    # newest first: the call is above the note, which is above the customer's message
    assert html.index("Told her it is ready.") < html.index("Car is in bay 3.")
    assert html.index("Car is in bay 3.") < html.index("It was towed in on Monday.")


def test_unseen_handoff_notes_stay_first_until_the_new_owner_marks_them_read(
    client: Client, ticket: Ticket, agent: User, other_agent: User
) -> None:
    assign_ticket(ticket=ticket, actor=agent, owner=agent)
    assign_ticket(
        ticket=ticket, actor=agent, owner=other_agent, note="She is anxious; call before 5pm."
    )
    client.force_login(other_agent)

    html = client.get(_url(ticket)).content.decode()

    assert "Handed to you" in html
    assert html.index("She is anxious; call before 5pm.") < html.index('id="customer-title"')
    # Opening the page (or a link preview fetching it) does not count as reading it.
    assert Handoff.objects.get(ticket=ticket).seen_at is None
    assert "Handed to you" in client.get(_url(ticket)).content.decode()

    shown = [h.pk for h in Handoff.objects.filter(ticket=ticket)]
    # A note handed over after the page was shown stays unread.
    assign_ticket(ticket=ticket, actor=agent, owner=agent, note="Taking it back a moment.")
    assign_ticket(ticket=ticket, actor=agent, owner=other_agent, note="Also: she paid cash.")
    response = client.post(_url(ticket, "handoffs_seen"), {"handoff": shown}, follow=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Handoff notes marked as read." in html
    on_top = html[html.index('id="handoff-title"') : html.index('id="customer-title"')]
    assert "She is anxious; call before 5pm." not in on_top
    assert "Also: she paid cash." in on_top  # the newer note is still on top
    seen = Handoff.objects.filter(ticket=ticket, seen_at__isnull=False)
    assert [h.note for h in seen] == ["She is anxious; call before 5pm."]
    assert Event.objects.filter(ticket=ticket, kind="handoff_seen", actor=other_agent).count() == 1
    # Marking the same notes again changes nothing.
    client.post(_url(ticket, "handoffs_seen"), {"handoff": shown})
    assert Event.objects.filter(ticket=ticket, kind="handoff_seen").count() == 1
    # Ids that are not numbers are refused, and mark nothing.
    assert client.post(_url(ticket, "handoffs_seen"), {"handoff": ["x"]}).status_code == 422


def test_marking_handoff_notes_read_is_a_post_for_the_agent_the_ticket_is_handed_to(
    desk: Client, ticket: Ticket, agent: User, other_agent: User
) -> None:
    assign_ticket(ticket=ticket, actor=agent, owner=other_agent, note="For Sam only.")
    sam = HttpsClient()
    sam.force_login(other_agent)

    assert sam.get(_url(ticket, "handoffs_seen")).status_code == 405
    notes = [h.pk for h in Handoff.objects.filter(ticket=ticket)]
    desk.post(_url(ticket, "handoffs_seen"), {"handoff": notes})  # not Dana's notes to mark

    assert Handoff.objects.get(ticket=ticket).seen_at is None
    assert "For Sam only." in sam.get(_url(ticket)).content.decode()


def test_handoff_for_someone_else_is_not_shown_to_me(
    desk: Client, ticket: Ticket, agent: User, other_agent: User
) -> None:
    assign_ticket(ticket=ticket, actor=agent, owner=other_agent, note="For Sam only.")

    html = desk.get(_url(ticket)).content.decode()

    assert "Handed to you" not in html
    assert Handoff.objects.get(ticket=ticket).seen_at is None


def test_unknown_ticket_is_404(desk: Client) -> None:
    assert desk.get("/desk/tickets/RD-999999/").status_code == 404
    assert desk.get("/desk/tickets/nonsense/").status_code == 404


def test_reply_without_javascript_redirects_back_with_the_reply_on_the_timeline(
    desk: Client, ticket: Ticket, agent: User
) -> None:
    response = desk.post(_url(ticket, "reply"), {"reply-body": "Hi Maria, it is ready."})

    assert response.status_code == 302
    assert response["Location"] == _url(ticket)
    # (a customer-opened ticket may also hold the automatic acknowledgment, author-less)
    reply = Message.objects.get(ticket=ticket, kind="reply", author__isnull=False)
    assert reply.body_text == "Hi Maria, it is ready." and reply.author == agent
    page = desk.get(_url(ticket)).content.decode()
    assert "Reply sent." in page and "Reply by Dana Price" in page


def test_reply_with_htmx_returns_only_the_case_partial(desk: Client, ticket: Ticket) -> None:
    response = desk.post(
        _url(ticket, "reply"),
        {"reply-body": "On its way.", "reply-status": Status.WAITING_CUSTOMER},
        **HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<div id="case"') and "<html" not in html
    assert "On its way." in html and "Reply sent." in html
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING_CUSTOMER


def test_empty_reply_is_a_form_error_and_nothing_is_sent(desk: Client, ticket: Ticket) -> None:
    before = _event_count(ticket)
    messages_before = Message.objects.filter(ticket=ticket).count()

    response = desk.post(_url(ticket, "reply"), {"reply-body": "   "}, **HTMX)

    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert Message.objects.filter(ticket=ticket).count() == messages_before
    assert not Message.objects.filter(ticket=ticket, kind="reply", author__isnull=False).exists()
    assert _event_count(ticket) == before


def test_note_and_priority_actions(desk: Client, ticket: Ticket) -> None:
    desk.post(_url(ticket, "note"), {"note-body": "Customer is a regular."})
    desk.post(_url(ticket, "priority"), {"priority-priority": str(Priority.HIGH)})

    ticket.refresh_from_db()
    assert ticket.priority == Priority.HIGH
    note = Message.objects.get(ticket=ticket, kind="note")
    assert note.body_text == "Customer is a regular."
    data = Event.objects.get(ticket=ticket, kind="priority_changed").data
    assert data == {"from": Priority.NORMAL, "to": Priority.HIGH}


def test_log_call_action_records_direction_party_and_duration(
    desk: Client, ticket: Ticket, agent: User
) -> None:
    response = desk.post(
        _url(ticket, "call"),
        {
            "call-direction": CallDirection.INBOUND,
            "call-party": "Maria's husband",
            "call-duration_minutes": "4",
            "call-summary": "Asked when it will be ready.",
        },
        **HTMX,
    )

    assert response.status_code == 200
    call = Message.objects.get(ticket=ticket, kind="call")
    assert (call.call_direction, call.call_party, call.call_duration_seconds) == (
        CallDirection.INBOUND,
        "Maria's husband",
        240,
    )
    assert call.author == agent
    html = response.content.decode()
    assert "Customer called us · with Maria&#x27;s husband" in html and "4 min" in html


def test_record_fact_action_puts_the_fact_on_the_card_and_the_timeline(
    desk: Client, ticket: Ticket, customer: Customer, agent: User
) -> None:
    inbound = Message.objects.get(ticket=ticket, kind="inbound")
    response = desk.post(
        _url(ticket, "fact"),
        {
            "fact-label": "Car colour",
            "fact-value": "Dark green",
            "fact-source_message": str(inbound.pk),
            "fact-source_note": "",
        },
        **HTMX,
    )

    assert response.status_code == 200
    fact = Fact.objects.get(customer=customer)
    assert (fact.key, fact.value, fact.source_message, fact.recorded_by) == (
        "car_colour",
        "Dark green",
        inbound,
        agent,
    )
    html = response.content.decode()
    assert "<dt>Car colour</dt>" in html
    assert "Fact recorded: Car colour = Dark green" in html


def test_assign_without_handoff_note_is_refused_with_409_and_nothing_changes(
    desk: Client, ticket: Ticket, agent: User, other_agent: User
) -> None:
    assign_ticket(ticket=ticket, actor=agent, owner=agent)
    before = _event_count(ticket)

    response = desk.post(
        _url(ticket, "assign"), {"assign-owner": str(other_agent.pk), "assign-note": ""}, **HTMX
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "a handoff note is required" in html
    assert re.search(r'<details class="action-assign" open>', html)
    ticket.refresh_from_db()
    assert ticket.owner == agent
    assert not Handoff.objects.filter(ticket=ticket).exists()
    assert _event_count(ticket) == before


def test_assign_with_handoff_note(
    desk: Client, ticket: Ticket, agent: User, other_agent: User
) -> None:
    assign_ticket(ticket=ticket, actor=agent, owner=agent)

    response = desk.post(
        _url(ticket, "assign"),
        {"assign-owner": str(other_agent.pk), "assign-note": "Parts arrive Thursday."},
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.owner == other_agent
    handoff = Handoff.objects.get(ticket=ticket)
    assert (handoff.from_user, handoff.to_user, handoff.note) == (
        agent,
        other_agent,
        "Parts arrive Thursday.",
    )


def test_status_form_offers_only_the_allowed_next_statuses(
    desk: Client, ticket: Ticket, agent: User
) -> None:
    desk.post(_url(ticket, "status"), {"status-status": Status.RESOLVED})
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED

    html = desk.get(_url(ticket)).content.decode()
    select = html.split('name="status-status"')[1].split("</select>")[0]
    assert re.findall(r'<option value="(\w+)"', select) == ["open", "closed"]


def test_status_change_outside_the_table_is_refused(desk: Client, ticket: Ticket) -> None:
    desk.post(_url(ticket, "status"), {"status-status": Status.CLOSED})
    before = _event_count(ticket)

    response = desk.post(_url(ticket, "status"), {"status-status": Status.WAITING_US})

    assert response.status_code == 422
    assert "Select a valid choice." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert _event_count(ticket) == before


def test_merge_into_another_ticket_of_the_same_customer(
    desk: Client, ticket: Ticket, customer: Customer
) -> None:
    survivor = create_ticket(customer=customer, subject="Car pickup")

    response = desk.post(_url(ticket, "merge"), {"merge-target": survivor.reference}, **HTMX)

    assert response.status_code == 302
    assert response["HX-Redirect"] == _url(survivor)
    ticket.refresh_from_db()
    assert ticket.merged_into == survivor
    assert Message.objects.filter(ticket=survivor, body_text="It was towed in on Monday.").exists()
    # the merged ticket's page now leads to the survivor
    assert desk.get(_url(ticket))["Location"] == _url(survivor)


def test_merge_with_another_customers_ticket_is_refused(desk: Client, ticket: Ticket) -> None:
    stranger = create_customer(name="Leo Park", emails=["leo@example.com"])
    foreign = create_ticket(customer=stranger, subject="Leo's problem")
    messages_before = Message.objects.filter(ticket=ticket).count()
    foreign_before = Message.objects.filter(ticket=foreign).count()

    response = desk.post(_url(ticket, "merge"), {"merge-target": foreign.reference}, **HTMX)

    assert response.status_code == 409
    assert "Only tickets of the same customer can be merged." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.merged_into is None
    assert Message.objects.filter(ticket=ticket).count() == messages_before
    assert Message.objects.filter(ticket=foreign).count() == foreign_before


def test_merge_into_unknown_reference_is_a_form_error(desk: Client, ticket: Ticket) -> None:
    response = desk.post(_url(ticket, "merge"), {"merge-target": "RD-999999"}, **HTMX)

    assert response.status_code == 404
    assert "No ticket RD-999999." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.merged_into is None


def test_actions_need_post_and_a_known_action(desk: Client, ticket: Ticket) -> None:
    assert desk.get(_url(ticket, "reply")).status_code == 405
    assert desk.post(_url(ticket, "explode"), {}).status_code == 404


def test_inbound_html_is_rendered_inert(desk: Client, customer: Customer) -> None:
    ticket = create_ticket(customer=customer, subject="Photo")
    add_inbound_message(
        ticket=ticket,
        body_html=(
            '<p onclick="alert(1)">Look <img src="x" onerror="alert(2)">'
            '<a href="javascript:alert(3)">here</a></p><script>alert(4)</script>'
        ),
        at=timezone.now() + timedelta(seconds=1),
    )

    html = desk.get(_url(ticket)).content.decode()
    body = html.split('class="tl-body message-body">')[1].split("</div>")[0]

    assert "Look" in body and "here" in body
    assert "<script" not in body and "onerror" not in body and "onclick" not in body
    assert "javascript:" not in body


def test_case_shows_the_panels_of_installed_apps(desk: Client, ticket: Ticket) -> None:
    html = desk.get(_url(ticket)).content.decode()

    aside = html.split("<aside>")[1].split("</aside>")[0]
    assert 'id="custody-items-title"' in aside and 'id="ticket-orders-title"' in aside
    promises = html.index('id="ticket-promises"')
    assert html.index('id="customer-title"') < promises < html.index('class="actions"')
