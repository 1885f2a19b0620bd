"""What a signed-in customer sees: only their own records, never internal notes."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rightdesk.commerce.services.refunds import RefundItem, Withholding, request_refund
from rightdesk.commerce.tests.factories import seed001_order
from rightdesk.commitments.choices import CommitmentStatus
from rightdesk.commitments.models import Commitment
from rightdesk.custody.choices import Arrival, ItemKind
from rightdesk.custody.models import CustodyItem
from rightdesk.custody.queue import enqueue_job
from rightdesk.custody.services import Identity, check_in_item
from rightdesk.customers.models import Customer
from rightdesk.portal.tests.conftest import HttpsClient, sign_in_as
from rightdesk.tickets.choices import CallDirection, Status
from rightdesk.tickets.models import Message
from rightdesk.tickets.services import (
    add_note,
    assign_ticket,
    create_ticket,
    log_call,
    merge_tickets,
    send_reply,
)


def _car(customer: Customer, agent: User, plate: str) -> CustodyItem:
    return check_in_item(
        customer=customer,
        kind=ItemKind.VEHICLE,
        arrival=Arrival.TOWED,
        identity=Identity(make="Toyota", model="Corolla", colour="red", plate=plate),
        actor=agent,
    )


def page(client: HttpsClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_my_requests_name_the_owner_newest_first(
    client: HttpsClient, customer: Customer, stranger: Customer, agent: User
) -> None:
    older = create_ticket(customer=customer, subject="Brakes squeal", body_text="They squeal.")
    assign_ticket(ticket=older, actor=agent, owner=agent)
    newer = create_ticket(customer=customer, subject="Invoice copy", body_text="Please.")
    create_ticket(customer=stranger, subject="Tom's secret", body_text="Private.")
    sign_in_as(client, customer)
    html = page(client, "/portal/")
    assert html.index("Invoice copy") < html.index("Brakes squeal")
    assert "Dana Price is handling this" in html
    assert older.reference in html and newer.reference in html
    assert "We are working on it" in html  # older is open
    assert "Received" in html  # newer is new
    assert "Tom&#x27;s secret" not in html and "Tom's secret" not in html


def test_the_conversation_hides_notes_and_call_summaries(
    client: HttpsClient, customer: Customer, agent: User
) -> None:
    ticket = create_ticket(customer=customer, subject="Brakes squeal", body_text="They squeal.")
    send_reply(ticket=ticket, actor=agent, body_text="Bring it in on Monday, Maria.")
    add_note(ticket=ticket, actor=agent, body_text="Customer seems difficult, upsell pads.")
    log_call(
        ticket=ticket,
        actor=agent,
        direction=CallDirection.OUTBOUND,
        summary="Discussed discount code STAFF50 internally.",
    )
    sign_in_as(client, customer)
    html = page(client, f"/portal/requests/{ticket.reference}/")
    assert "They squeal." in html
    assert "Bring it in on Monday, Maria." in html
    assert "Automatic acknowledgment" in html
    assert f"reference {ticket.reference}" in html
    assert "Phone call with Dana Price" in html
    assert "upsell" not in html
    assert "STAFF50" not in html
    assert "Dana Price is handling this" in html


def test_open_promises_are_shown_with_their_due_time(
    client: HttpsClient, customer: Customer
) -> None:
    ticket = create_ticket(customer=customer, subject="Brakes squeal", body_text="They squeal.")
    promise = Commitment.objects.get(ticket=ticket, status=CommitmentStatus.OPEN)
    sign_in_as(client, customer)
    html = page(client, f"/portal/requests/{ticket.reference}/")
    assert "What we promised you" in html
    assert f'datetime="{promise.due_at.isoformat()}"' in html
    assert promise.promised_text in html


def test_a_message_from_the_portal_reopens_the_case_like_an_email(
    client: HttpsClient, customer: Customer, agent: User
) -> None:
    ticket = create_ticket(customer=customer, subject="Brakes squeal", body_text="They squeal.")
    send_reply(ticket=ticket, actor=agent, body_text="Which wheel?", status=Status.WAITING_CUSTOMER)
    sign_in_as(client, customer)
    response = client.post(f"/portal/requests/{ticket.reference}/", {"body": "Front left."})
    assert response.status_code == 302
    assert response["Location"] == f"/portal/requests/{ticket.reference}/#latest"
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.waiting_since is not None
    latest = Message.objects.filter(ticket=ticket).order_by("-id").first()
    assert latest is not None
    assert (latest.kind, latest.from_customer, latest.body_text) == ("inbound", True, "Front left.")


def test_an_empty_message_is_refused_and_nothing_is_recorded(
    client: HttpsClient, customer: Customer
) -> None:
    ticket = create_ticket(customer=customer, subject="Brakes squeal", body_text="They squeal.")
    before = Message.objects.filter(ticket=ticket).count()
    sign_in_as(client, customer)
    response = client.post(f"/portal/requests/{ticket.reference}/", {"body": "   "})
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert Message.objects.filter(ticket=ticket).count() == before


def test_another_customer_s_request_is_not_found_like_a_missing_one(
    client: HttpsClient, customer: Customer, stranger: Customer
) -> None:
    theirs = create_ticket(customer=stranger, subject="Tom's secret", body_text="Private.")
    before = Message.objects.filter(ticket=theirs).count()
    sign_in_as(client, customer)
    for ref in (theirs.reference, str(theirs.pk + 1000), "RD-999999", "nonsense"):
        response = client.get(f"/portal/requests/{ref}/")
        assert response.status_code == 404
        assert "Private." not in response.content.decode()
    posted = client.post(f"/portal/requests/{theirs.reference}/", {"body": "Injected"})
    assert posted.status_code == 404
    assert Message.objects.filter(ticket=theirs).count() == before
    theirs.refresh_from_db()
    assert theirs.status == Status.NEW


def test_a_merged_request_redirects_to_the_survivor(
    client: HttpsClient, customer: Customer, agent: User
) -> None:
    first = create_ticket(customer=customer, subject="Order A-1 late", body_text="Late.")
    second = create_ticket(customer=customer, subject="Order A-1 again", body_text="Still.")
    merge_tickets(source=second, target=first, actor=agent)
    sign_in_as(client, customer)
    response = client.get(f"/portal/requests/{second.reference}/")
    assert response.status_code == 302
    assert response["Location"] == f"/portal/requests/{first.reference}/"
    posted = client.post(f"/portal/requests/{second.reference}/", {"body": "Hello?"})
    assert posted.status_code == 302
    assert Message.objects.filter(body_text="Hello?").count() == 0
    listing = page(client, "/portal/")
    assert "Order A-1 late" in listing and "Order A-1 again" not in listing


def test_items_show_status_queue_place_and_estimate_only_for_their_owner(
    client: HttpsClient, customer: Customer, stranger: Customer, agent: User
) -> None:
    theirs = _car(stranger, agent, "TOM 1")
    enqueue_job(item=theirs, description="Brake noise", actor=agent)
    mine = _car(customer, agent, "IL ABC 123")
    enqueue_job(item=mine, description="No start after tow", actor=agent)
    sign_in_as(client, customer)
    html = page(client, "/portal/items/")
    assert "Red Toyota Corolla (IL ABC 123)" in html
    assert "Checked in" in html
    assert '<dd class="position">2</dd>' in html
    assert "(estimate)" in html
    assert "TOM 1" not in html
    detail = page(client, f"/portal/items/{mine.pk}/")
    assert '<dd class="position">2</dd>' in detail
    assert mine.ticket.reference in detail
    assert client.get(f"/portal/items/{theirs.pk}/").status_code == 404
    assert client.get("/portal/items/999999/").status_code == 404


def test_refunds_are_itemised_with_withheld_parts_and_reasons(
    client: HttpsClient, customer: Customer, stranger: Customer, agent: User
) -> None:
    order = seed001_order(customer)
    plugin = order.lines.get(product="Plugin pack")
    request_refund(
        order=order,
        items=[RefundItem(line_id=plugin.pk)],
        actor=agent,
        withholdings=[
            Withholding(label="Restocking", amount="5.00", reason="The pack was downloaded.")
        ],
    )
    other = seed001_order(stranger, ref="B-2002")
    sign_in_as(client, customer)
    html = page(client, "/portal/orders/")
    assert "Order A-1001" in html
    assert "Card processing fee" in html
    assert "Requested" in html
    assert "USD 41.20" in html  # paid for the item, its fee share included
    assert "Kept back: Restocking." in html
    assert "The pack was downloaded." in html
    assert "USD 36.20" in html  # the refund
    assert "B-2002" not in html
    assert "USD 36.20" in page(client, f"/portal/orders/{order.pk}/")
    assert client.get(f"/portal/orders/{other.pk}/").status_code == 404


@pytest.mark.parametrize("url", ["/portal/", "/portal/items/", "/portal/orders/"])
def test_list_pages_do_not_query_per_row(
    client: HttpsClient, customer: Customer, agent: User, url: str
) -> None:
    def add_rows(start: int, n: int) -> None:
        for i in range(start, start + n):
            ticket = create_ticket(customer=customer, subject=f"Case {i}", body_text="Help.")
            assign_ticket(ticket=ticket, actor=agent, owner=agent)
            item = _car(customer, agent, f"PL {i}")
            enqueue_job(item=item, description="Check", actor=agent)
            order = seed001_order(customer, ref=f"Q-{i}")
            plugin = order.lines.get(product="Plugin pack")
            request_refund(order=order, items=[RefundItem(line_id=plugin.pk)], actor=agent)

    sign_in_as(client, customer)
    add_rows(0, 1)
    page(client, url)  # first visit creates settings rows and the like
    with CaptureQueriesContext(connection) as one:
        page(client, url)
    add_rows(1, 4)
    with CaptureQueriesContext(connection) as five:
        html = page(client, url)
    assert len(five) == len(one), "\n".join(q["sql"][:200] for q in five.captured_queries)
    shown = {"/portal/": "Case 4", "/portal/items/": "PL 4", "/portal/orders/": "Order Q-4"}
    assert shown[url] in html
