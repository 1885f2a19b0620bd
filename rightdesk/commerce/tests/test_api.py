"""Orders and refunds over HTTP: webhooks, authorization and the seed-001 story."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client

from rightdesk.accounts.models import Team
from rightdesk.accounts.services import create_agent, create_team, issue_token
from rightdesk.commerce.models import Order, OrderLine, Refund, StatusNotification, WebhookNonce
from rightdesk.commerce.services.refunds import approve_refund, pay_refund
from rightdesk.commerce.services.routing import route_contact_to_order_ticket
from rightdesk.commerce.services.webhooks import sign
from rightdesk.commerce.tests.factories import shop
from rightdesk.customers.models import Customer
from rightdesk.tickets.models import Ticket
from rightdesk.tickets.services import assign_ticket

SECRET = "whsec_test_0123456789"


def https(**headers: str) -> Client:
    """A client whose requests arrive as HTTPS through the proxy (production settings)."""
    return Client(HTTP_X_FORWARDED_PROTO="https", **headers)


def api(user: User) -> Client:
    _, raw = issue_token(user=user, name="test")
    return https(HTTP_AUTHORIZATION=f"Bearer {raw}")


def order_body(ref: str = "W-500", price: object = "60.00") -> dict[str, object]:
    return {
        "external_ref": ref,
        "placed_at": "2025-03-03T09:30:00Z",
        "currency": "USD",
        "customer": {"email": "maria@example.com", "name": "Maria Gonzalez"},
        "lines": [
            {"product": "Photo editor licence", "kind": "digital", "unit_price": price},
            {"product": "Plugin pack", "kind": "digital", "unit_price": "40.00"},
            {
                "product": "Card processing fee",
                "kind": "fee",
                "fee_kind": "processing",
                "unit_price": "3.00",
            },
        ],
        "payments": [{"amount": "103.00", "method": "card"}],
    }


def deliver(
    client: Client,
    body: bytes,
    *,
    secret: str = SECRET,
    nonce: str = "nonce-0001",
    timestamp: int | None = None,
) -> object:
    ts = str(timestamp if timestamp is not None else int(time.time()))
    return client.post(
        "/api/v1/orders/webhook/shop",
        data=body,
        content_type="application/json",
        HTTP_X_RIGHTDESK_TIMESTAMP=ts,
        HTTP_X_RIGHTDESK_NONCE=nonce,
        HTTP_X_RIGHTDESK_SIGNATURE=sign(secret=secret, timestamp=ts, nonce=nonce, body=body),
    )


# ---------------------------------------------------------------- webhook (must-show 4)


def test_webhook_records_a_signed_order_once(customer: Customer) -> None:
    shop(secret=SECRET)
    body = json.dumps(order_body()).encode()
    response = deliver(https(), body)
    assert response.status_code == 201  # type: ignore[attr-defined]
    order = Order.objects.get()
    assert (order.external_ref, order.customer_id, order.currency) == ("W-500", customer.pk, "USD")
    assert [(line.product, line.unit_price) for line in order.lines.order_by("position")] == [
        ("Photo editor licence", Decimal("60.000")),
        ("Plugin pack", Decimal("40.000")),
        ("Card processing fee", Decimal("3.000")),
    ]
    # The same order in a new delivery (new nonce) is not duplicated.
    again = deliver(https(), body, nonce="nonce-0002")
    assert again.status_code == 200  # type: ignore[attr-defined]
    assert again.json() == {"order_id": order.pk, "created": False}  # type: ignore[attr-defined]
    assert Order.objects.count() == 1


def _nothing_changed() -> None:
    assert Order.objects.count() == 0
    assert OrderLine.objects.count() == 0
    assert Customer.objects.count() == 0
    assert WebhookNonce.objects.count() == 0


@pytest.mark.django_db
def test_webhook_with_a_bad_signature_is_401_and_changes_nothing() -> None:
    shop(secret=SECRET)
    body = json.dumps(order_body()).encode()
    response = deliver(https(), body, secret="not-the-secret")
    assert response.status_code == 401  # type: ignore[attr-defined]
    assert response.json()["code"] == "bad_signature"  # type: ignore[attr-defined]
    _nothing_changed()


@pytest.mark.django_db
def test_webhook_for_a_source_without_secret_is_401() -> None:
    shop(secret="")
    response = deliver(https(), json.dumps(order_body()).encode(), secret="")
    assert response.status_code == 401  # type: ignore[attr-defined]
    _nothing_changed()


@pytest.mark.django_db
def test_webhook_replay_is_409_and_changes_nothing() -> None:
    shop(secret=SECRET)
    body = json.dumps(order_body()).encode()
    assert deliver(https(), body).status_code == 201  # type: ignore[attr-defined]
    counts = (Order.objects.count(), OrderLine.objects.count(), WebhookNonce.objects.count())
    replay = deliver(https(), body)
    assert replay.status_code == 409  # type: ignore[attr-defined]
    assert replay.json()["code"] == "replay"  # type: ignore[attr-defined]
    stale = deliver(https(), body, nonce="nonce-0003", timestamp=int(time.time()) - 3600)
    assert stale.status_code == 409  # type: ignore[attr-defined]
    assert (
        (Order.objects.count(), OrderLine.objects.count(), WebhookNonce.objects.count())
        == counts
        == (1, 3, 1)
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"external_ref": "W-1"', None),
        (json.dumps({**order_body(), "placed_at": "yesterday"}).encode(), "placed_at"),
        (json.dumps(order_body(price="60.005")).encode(), "lines.0.unit_price"),
        (json.dumps({**order_body(), "currency": "dollars"}).encode(), "currency"),
        (json.dumps({k: v for k, v in order_body().items() if k != "lines"}).encode(), "lines"),
    ],
)
def test_webhook_malformed_body_is_422_with_the_field(body: bytes, field: str | None) -> None:
    shop(secret=SECRET)
    response = deliver(https(), body)
    assert response.status_code == 422  # type: ignore[attr-defined]
    if field is not None:
        assert response.json()["field"] == field  # type: ignore[attr-defined]
    _nothing_changed()
    # The nonce was not used up: the corrected delivery with the same nonce goes through.
    assert deliver(https(), json.dumps(order_body()).encode()).status_code == 201  # type: ignore[attr-defined]


# ---------------------------------------------------------------- authorization (must-show 5)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/orders/"),
        ("post", "/api/v1/orders/"),
        ("get", "/api/v1/refunds/"),
        ("post", "/api/v1/refunds/"),
        ("post", "/api/v1/refunds/1/approve"),
        ("post", "/api/v1/refunds/1/pay"),
        ("get", "/api/v1/custody/queue"),
        ("get", "/api/v1/custody/lot-walk"),
        ("post", "/api/v1/custody/items"),
        ("get", "/api/v1/custody/locations"),
    ],
)
def test_every_endpoint_needs_authentication(method: str, path: str) -> None:
    client = https()
    if method == "get":
        response = client.get(path)
    else:
        response = client.post(path, data="{}", content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def _refund_on_team_ticket(customer: Customer, agent: User, team: Team) -> Refund:
    client = api(agent)
    order_id = client.post(
        "/api/v1/orders/", data=order_body(), content_type="application/json"
    ).json()["id"]
    items = Order.objects.get(pk=order_id).lines.exclude(kind="fee")
    response = client.post(
        "/api/v1/refunds/",
        content_type="application/json",
        data={"order_id": order_id, "items": [{"line_id": line.pk} for line in items]},
    )
    assert response.status_code == 201
    refund = Refund.objects.get(pk=response.json()["id"])
    assign_ticket(ticket=refund.ticket, actor=agent, owner=agent, team=team)  # type: ignore[arg-type]
    return refund


def test_an_agent_of_another_team_cannot_approve_or_pay(
    customer: Customer, agent: User, team: Team
) -> None:
    refund = _refund_on_team_ticket(customer, agent, team)
    outsider = create_agent(
        username="olga", display_name="Olga Berg", teams=[create_team(name="Workshop")]
    )
    client = api(outsider)
    assert client.get(f"/api/v1/refunds/{refund.pk}").status_code == 200  # reading is fine
    for action in ("approve", "pay", "decline"):
        response = client.post(
            f"/api/v1/refunds/{refund.pk}/{action}",
            data={"reason": "Not eligible for a refund."},
            content_type="application/json",
        )
        assert response.status_code == 403
        assert response.json()["code"] == "refund_forbidden"
    refund.refresh_from_db()
    assert (refund.status, refund.approved_by, refund.paid_at) == ("requested", None, None)
    assert StatusNotification.objects.count() == 0


def test_a_team_member_and_a_manager_can_decide(
    customer: Customer, agent: User, other_agent: User, manager: User, team: Team
) -> None:
    refund = _refund_on_team_ticket(customer, agent, team)
    approved = api(other_agent).post(f"/api/v1/refunds/{refund.pk}/approve")
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    paid = api(manager).post(
        f"/api/v1/refunds/{refund.pk}/pay",
        data={"payment_reference": "re_1"},
        content_type="application/json",
    )
    assert paid.status_code == 200
    assert (paid.json()["status"], paid.json()["amount"], paid.json()["promise_state"]) == (
        "paid",
        "103.00",
        "kept",
    )


# ---------------------------------------------------------------- seed 001 (must-show 1)


def test_seed001_one_ticket_full_refund_and_a_broken_promise_on_the_manager_view(
    customer: Customer, agent: User, manager: User, team: Team
) -> None:
    client = api(agent)
    created = client.post(
        "/api/v1/orders/", data=order_body(ref="A-1001"), content_type="application/json"
    )
    assert created.status_code == 201
    order = Order.objects.get(pk=created.json()["id"])
    assert created.json()["totals"] == {
        "items": "100.00",
        "fees": "3.00",
        "total": "103.00",
        "paid": "103.00",
    }

    # E-mail about the first item, then the web form about the second: one ticket.
    first = route_contact_to_order_ticket(
        customer=customer,
        subject="Order A-1001: licence will not activate",
        body_text="The key says invalid.",
        channel="email",
    )
    second = route_contact_to_order_ticket(
        customer=customer,
        subject="Plugin pack missing",
        body_text="My order #a-1001 also had a plugin pack that never arrived.",
        channel="web",
    )
    assert first is not None and second is not None
    assert (first.joined, second.joined) == (False, True)
    assert second.ticket.pk == first.ticket.pk
    assert Ticket.objects.filter(customer=customer).count() == 1
    ticket = Ticket.objects.get()
    assert list(ticket.messages.filter(kind="inbound").values_list("body_text", flat=True)) == [
        "The key says invalid.",
        "Subject: Plugin pack missing\n\n"
        "My order #a-1001 also had a plugin pack that never arrived.",
    ]
    assign_ticket(ticket=ticket, actor=agent, owner=agent, team=team)
    lines = list(order.lines.order_by("position"))
    linked = client.post(
        f"/api/v1/orders/{order.pk}/tickets",
        content_type="application/json",
        data={"ticket": ticket.reference, "line_ids": [lines[0].pk, lines[1].pk]},
    )
    assert linked.status_code == 200

    # The refund defaults to everything paid for both items, the fee included.
    items = [{"line_id": lines[0].pk}, {"line_id": lines[1].pk}]
    quote = client.post(
        "/api/v1/refunds/quote",
        content_type="application/json",
        data={"order_id": order.pk, "items": items},
    ).json()
    assert (quote["paid_for_items"], quote["amount"]) == ("103.00", "103.00")
    assert [q["amount"] for q in quote["lines"]] == ["60.00", "40.00", "3.00"]

    # Keeping the fee without a reason is refused, either way it is tried.
    no_reason = client.post(
        "/api/v1/refunds/",
        content_type="application/json",
        data={
            "order_id": order.pk,
            "ticket": ticket.reference,
            "items": items,
            "withholdings": [{"label": "Card processing fee", "amount": "3.00", "reason": ""}],
        },
    )
    assert no_reason.status_code == 422
    assert (no_reason.json()["code"], no_reason.json()["field"]) == (
        "withholding_reason_required",
        "withholdings.0.reason",
    )
    short = client.post(
        "/api/v1/refunds/",
        content_type="application/json",
        data={"order_id": order.pk, "ticket": ticket.reference, "items": items, "amount": "100.00"},
    )
    assert (short.status_code, short.json()["code"]) == (422, "withholding_reason_required")
    assert Refund.objects.count() == 0

    response = client.post(
        "/api/v1/refunds/",
        content_type="application/json",
        data={"order_id": order.pk, "ticket": ticket.reference, "items": items},
    )
    assert response.status_code == 201
    assert response.json()["amount"] == "103.00"
    assert response.json()["ticket"] == ticket.reference
    refund = Refund.objects.get()

    # Approved Monday (Chicago time); paid Thursday = day 3 of a 2-business-day promise.
    approve_refund(refund=refund, actor=manager, at=datetime(2025, 3, 3, 16, 0, tzinfo=UTC))
    refund.refresh_from_db()
    assert refund.due_at == datetime(2025, 3, 6, 6, 0, tzinfo=UTC)  # Thu 00:00 in Chicago
    pay_refund(refund=refund, actor=manager, at=datetime(2025, 3, 6, 15, 0, tzinfo=UTC))
    refund.refresh_from_db()
    assert (refund.status, refund.promise_state) == ("paid", "broken")
    assert refund.commitment is not None
    assert (refund.commitment.kind, refund.commitment.status, refund.commitment.due_at) == (
        "refund",
        "broken",
        refund.due_at,
    )
    assert list(
        ticket.events.filter(kind__startswith="refund_")
        .order_by("id")
        .values_list("kind", flat=True)
    ) == ["refund_requested", "refund_approved", "refund_promise_broken", "refund_paid"]

    page = https()
    page.force_login(manager)
    case = page.get(f"/desk/tickets/{ticket.reference}/").content.decode()
    assert "Order A-1001" in case
    assert "Card processing fee <em>(Payment processing fee)</em>" in case
    assert "Refund paid: USD 103.00 of 103.00 paid" in case
    html = page.get("/desk/shop/refunds/").content.decode()
    assert f'id="refund-{refund.pk}" class="broken"' in html
    assert '<strong class="flag">Broken</strong>, paid Thu 6 Mar' in html
    notice = StatusNotification.objects.get(topic="refund_paid")
    assert "Card processing fee: all of it: USD 3.00" in notice.body
    assert "Refunded to you: USD 103.00 on 2025-03-06" in notice.body


def test_the_refund_view_is_for_managers(agent: User) -> None:
    page = https()
    page.force_login(agent)
    assert page.get("/desk/shop/refunds/").status_code == 403


def test_a_second_open_ticket_cannot_take_an_order(customer: Customer, agent: User) -> None:
    from rightdesk.tickets.services import create_ticket

    client = api(agent)
    order_id = client.post(
        "/api/v1/orders/", data=order_body(), content_type="application/json"
    ).json()["id"]
    one = create_ticket(customer=customer, subject="Licence", actor=agent)
    two = create_ticket(customer=customer, subject="Plugin", actor=agent)
    assert (
        client.post(
            f"/api/v1/orders/{order_id}/tickets",
            content_type="application/json",
            data={"ticket": one.reference},
        ).status_code
        == 200
    )
    refused = client.post(
        f"/api/v1/orders/{order_id}/tickets",
        content_type="application/json",
        data={"ticket": two.reference},
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "order_has_open_ticket"
    assert list(Order.objects.get().ticket_links.values_list("ticket_id", flat=True)) == [one.pk]
