"""The tickets API end to end over HTTP with a bearer token (must-show 3), and its errors."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from rightdesk.accounts.services import issue_token
from rightdesk.customers.models import Customer, Fact
from rightdesk.tickets.models import Event, Handoff, Message, Ticket
from rightdesk.tickets.services import create_ticket

API = "/api/v1"


class Api:
    """A JSON client that sends one agent's bearer token."""

    def __init__(self, user: User) -> None:
        _, raw = issue_token(user=user, name="tests")
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(API + path, params, secure=True)

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(
            API + path, body or {}, content_type="application/json", secure=True
        )

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(API + path, body, content_type="application/json", secure=True)

    def delete(self, path: str) -> Any:
        return self.client.delete(API + path, secure=True)


@pytest.fixture
def api(agent: User) -> Api:
    return Api(agent)


def _ticket_state(ticket_id: int) -> tuple[Any, ...]:
    t = Ticket.objects.get(pk=ticket_id)
    return (t.owner_id, t.status, t.team_id, t.updated_at, t.queue_rank, t.queue_at)


def test_case_story_through_the_api(agent: User, other_agent: User) -> None:
    api = Api(agent)
    # 1. Create the customer.
    r = api.post(
        "/customers/",
        {
            "name": "Walt Becker",
            "preferred_name": "Walt",
            "emails": ["Walt@Example.com"],
            "phones": ["(312) 555-0188"],
        },
    )
    assert r.status_code == 201, r.content
    customer = r.json()
    assert customer["name"] == "Walt Becker" and customer["greeting_name"] == "Walt"
    assert [(c["kind"], c["value"]) for c in customer["contacts"]] == [
        ("email", "walt@example.com"),
        ("phone", "+13125550188"),
    ]
    cid = customer["id"]

    # 2. Open a ticket for them.
    r = api.post(
        "/tickets/",
        {
            "customer_id": cid,
            "subject": "Towed car: where is it?",
            "channel": "phone",
            "owner_id": agent.pk,
        },
    )
    assert r.status_code == 201, r.content
    ticket = r.json()
    ref = ticket["reference"]
    assert ref == f"RD-{ticket['id'] + 1000}"
    assert ticket["owner"] == {"id": agent.pk, "name": "Dana Price"}
    assert ticket["status"] == "open" and ticket["customer"]["id"] == cid

    # 3. Log the inbound call, then record two facts learnt on it.
    r = api.post(
        f"/tickets/{ref}/calls",
        {
            "direction": "inbound",
            "duration_seconds": 240,
            "summary": "Car was towed in; silver Camry.",
        },
    )
    assert r.status_code == 201, r.content
    call = r.json()
    assert call["kind"] == "call" and call["ticket"] == ref
    assert call["call"]["direction"] == "inbound" and call["call"]["duration_seconds"] == 240
    assert call["call"]["party"] == "Walt Becker"
    for label, value in [("Car colour", "Silver"), ("Plate", "IL ABC 123")]:
        r = api.post(
            f"/customers/{cid}/facts",
            {"label": label, "value": value, "ticket": ref, "source_message_id": call["id"]},
        )
        assert r.status_code == 201, r.content
        assert r.json()["recorded_by"] == {"id": agent.pk, "name": "Dana Price"}
        assert r.json()["source_message_id"] == call["id"]
    facts = api.get(f"/customers/{cid}/facts").json()
    assert [(f["key"], f["value"]) for f in facts["items"]] == [
        ("car_colour", "Silver"),
        ("plate", "IL ABC 123"),
    ]
    assert facts["next_cursor"] is None

    # 4. Reply.
    r = api.post(f"/tickets/{ref}/replies", {"body_text": "Hi Walt, your Camry is in bay 3."})
    assert r.status_code == 201, r.content
    assert r.json()["author"] == {"id": agent.pk, "name": "Dana Price"}

    # 5. Reassign without a note: refused, nothing changed.
    before = _ticket_state(ticket["id"])
    events_before = Event.objects.count()
    r = api.post(f"/tickets/{ref}/assign", {"owner_id": other_agent.pk})
    assert r.status_code == 409
    assert r.json() == {
        "code": "handoff_note_required",
        "message": f"Dana Price owns {ref}; a handoff note is required to pass it on.",
        "field": "note",
    }
    assert _ticket_state(ticket["id"]) == before
    assert Event.objects.count() == events_before and not Handoff.objects.exists()

    # 6. Reassign with a handoff note; the new owner sees it first.
    note = "Walt wants a call before 5pm; the tow invoice is on file."
    r = api.post(f"/tickets/{ref}/assign", {"owner_id": other_agent.pk, "note": note})
    assert r.status_code == 200, r.content
    assert r.json()["owner"] == {"id": other_agent.pk, "name": "Sam Ortiz"}
    assert r.json()["pending_handoffs"] == []  # they are for Sam, not for Dana
    sam = Api(other_agent)
    seen = sam.get(f"/tickets/{ref}").json()
    assert [h["note"] for h in seen["pending_handoffs"]] == [note]
    assert seen["pending_handoffs"][0]["from_user"] == {"id": agent.pk, "name": "Dana Price"}

    # The timeline holds every step, each with its actor and time, in order.
    timeline = api.get(f"/tickets/{ref}/timeline").json()
    assert timeline["next_cursor"] is None
    steps = [(e["kind"], e["actor"]["name"] if e["actor"] else None) for e in timeline["items"]]
    assert steps == [
        ("created", "Dana Price"),
        ("call_logged", "Dana Price"),
        ("fact_recorded", "Dana Price"),
        ("fact_recorded", "Dana Price"),
        ("reply_sent", "Dana Price"),
        ("owner_changed", "Dana Price"),
    ]
    items = timeline["items"]
    assert [e["data"].get("label") for e in items[2:4]] == ["Car colour", "Plate"]
    assert items[-1]["data"]["to"] == "Sam Ortiz" and items[-1]["data"]["note"] == note
    assert items[1]["message_id"] == call["id"] and items[1]["label"] == "Call logged"
    times = [datetime.fromisoformat(e["created_at"]) for e in items]
    assert times == sorted(times) and all(t.tzinfo is not None for t in times)


def test_create_ticket_by_email_reuses_or_creates_the_customer(
    api: Api, customer: Customer
) -> None:
    r = api.post(
        "/tickets/",
        {
            "customer": {"email": "MARIA@example.com"},
            "subject": "Hello",
            "body_text": "Any news?",
            "from_customer": True,
            "channel": "web",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["customer"] == {
        "id": customer.pk,
        "name": "Maria Gonzalez",
        "preferred_name": "Maria",
    }
    assert body["status"] == "new" and body["owner"] is None
    inbound = Message.objects.filter(ticket_id=body["id"], kind="inbound")
    assert [m.body_text for m in inbound] == ["Any news?"]
    created = Event.objects.filter(ticket_id=body["id"], kind="created").get()
    assert created.actor is None  # the customer opened it

    r = api.post(
        "/tickets/",
        {"customer": {"email": "new@example.com", "name": "Nia Brooks"}, "subject": "Quote please"},
    )
    assert r.status_code == 201
    new = Customer.objects.get(pk=r.json()["customer"]["id"])
    assert new.name == "Nia Brooks" and Customer.objects.count() == 2


def test_create_ticket_with_a_bad_email_creates_nothing(api: Api) -> None:
    r = api.post("/tickets/", {"customer": {"email": "not-an-address"}, "subject": "Hi"})
    assert r.status_code == 422
    assert r.json() == {
        "code": "invalid",
        "message": "'not-an-address' is not a valid e-mail address.",
        "field": "customer.email",
    }
    assert not Customer.objects.exists() and not Ticket.objects.exists()


def test_unknown_ids_are_404_with_json(api: Api) -> None:
    assert api.get("/tickets/RD-99999").json() == {
        "code": "not_found",
        "message": "No ticket RD-99999.",
        "field": "ticket",
    }
    assert api.get("/tickets/RD-99999").status_code == 404
    r = api.get("/customers/4242")
    assert r.status_code == 404
    assert r.json() == {"code": "not_found", "message": "No customer 4242.", "field": "customer"}
    r = api.delete("/accounts/tokens/4242")
    assert r.status_code == 404
    assert r.json() == {"code": "not_found", "message": "No such token.", "field": "token_id"}


def test_invalid_input_is_422_naming_the_field(api: Api, customer: Customer) -> None:
    ticket = create_ticket(customer=customer, subject="Brakes")
    ref = ticket.reference
    messages, events = Message.objects.count(), list(Event.objects.values_list("pk", "kind"))
    r = api.post(f"/tickets/{ref}/priority", {"priority": "very high"})
    assert r.status_code == 422
    body = r.json()
    assert (body["code"], body["field"]) == ("invalid", "priority")
    assert body["message"] == "Input should be 1, 2, 3 or 4"

    r = api.post(
        f"/tickets/{ref}/calls",
        {"direction": "inbound", "summary": "x", "duration_seconds": "long"},
    )
    assert r.status_code == 422 and r.json()["field"] == "duration_seconds"

    r = api.post(f"/tickets/{ref}/notes", {"body_text": "   "})
    assert r.status_code == 422
    assert r.json() == {"code": "invalid", "message": "The note is empty.", "field": "body"}

    r = api.post(f"/tickets/{ref}/assign", {"owner_id": 999999, "note": "x"})
    assert r.status_code == 422
    assert r.json() == {
        "code": "unknown_agent",
        "message": "No active agent 999999.",
        "field": "owner_id",
    }

    r = api.post(f"/tickets/{ref}/notes", {"body_text": "ok", "bogus": 1})
    assert r.status_code == 422 and r.json()["field"] == "bogus"

    r = api.get("/tickets/", limit=500)
    assert r.status_code == 422 and r.json()["field"] == "limit"
    r = api.get("/tickets/", cursor="garbage")
    assert r.status_code == 422
    assert r.json() == {
        "code": "bad_cursor",
        "message": "The page cursor is not valid.",
        "field": "cursor",
    }
    r = api.get(f"/tickets/{ref}/timeline", cursor="garbage")
    assert r.status_code == 422 and r.json()["code"] == "bad_cursor"

    r = api.client.post(
        f"{API}/tickets/{ref}/notes", "{not json", content_type="application/json", secure=True
    )
    assert r.status_code == 400 and r.json()["code"] == "bad_request"

    assert Message.objects.count() == messages
    assert list(Event.objects.values_list("pk", "kind")) == events
    ticket.refresh_from_db()
    assert ticket.priority == 2


def test_status_transition_conflict_and_merge(api: Api, agent: User, customer: Customer) -> None:
    ticket = create_ticket(customer=customer, subject="Brakes", owner=agent, actor=agent)
    other = create_ticket(customer=customer, subject="Brakes again", body_text="Me again.")
    r = api.post(f"/tickets/{ticket.reference}/status", {"status": "resolved"})
    assert r.status_code == 200 and r.json()["status"] == "resolved"
    r = api.post(f"/tickets/{ticket.reference}/status", {"status": "waiting_us"})
    assert r.status_code == 409
    assert r.json() == {
        "code": "invalid_transition",
        "message": "A ticket cannot go from Resolved to Waiting on us.",
        "field": "status",
    }
    ticket.refresh_from_db()
    assert ticket.status == "resolved"

    r = api.post(f"/tickets/{other.reference}/merge", {"into": "RD-99999"})
    assert r.status_code == 422 and r.json()["field"] == "into"
    r = api.post(f"/tickets/{other.reference}/merge", {"into": other.reference})
    assert r.status_code == 422
    assert r.json() == {
        "code": "invalid",
        "message": "A ticket cannot be merged into itself.",
        "field": "into",
    }
    r = api.post(f"/tickets/{other.reference}/merge", {"into": ticket.reference})
    assert r.status_code == 200
    assert r.json()["reference"] == ticket.reference and r.json()["status"] == "open"
    assert api.get(f"/tickets/{other.reference}").json()["merged_into"] == ticket.reference
    msgs = api.get(f"/tickets/{ticket.reference}/messages").json()["items"]
    inbound = [(m["ticket"], m["body_text"]) for m in msgs if m["kind"] == "inbound"]
    assert inbound == [(ticket.reference, "Me again.")]
    assert {m["ticket"] for m in msgs} == {ticket.reference}
    assert Message.objects.filter(ticket=other).count() == 0
    r = api.post(f"/tickets/{other.reference}/notes", {"body_text": "late"})
    assert r.status_code == 409 and r.json()["code"] == "ticket_merged"


def test_queue_views_and_keyset_pages(
    api: Api, agent: User, other_agent: User, customer: Customer
) -> None:
    mine = [
        create_ticket(customer=customer, subject=f"Mine {i}", owner=agent, actor=agent)
        for i in range(5)
    ]
    create_ticket(customer=customer, subject="Sam's", owner=other_agent, actor=other_agent)
    create_ticket(customer=customer, subject="Nobody's", body_text="Hello?")
    refs: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"view": "mine", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = api.get("/tickets/", **params).json()
        refs += [t["reference"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert refs == [t.reference for t in mine]
    unassigned = api.get("/tickets/", view="unassigned").json()["items"]
    assert [t["subject"] for t in unassigned] == ["Nobody's"]
    assert len(api.get("/tickets/", view="all").json()["items"]) == 7
    assert api.get("/tickets/", view="everything").status_code == 422
    api.post(f"/tickets/{mine[0].reference}/status", {"status": "resolved"})
    resolved = api.get("/tickets/", view="mine", status="resolved").json()["items"]
    assert [t["reference"] for t in resolved] == [mine[0].reference]


def test_inbound_note_and_reply_with_html_are_sanitized(api: Api, customer: Customer) -> None:
    ticket = create_ticket(customer=customer, subject="Refund")
    start = Ticket.objects.get(pk=ticket.pk).message_count  # an acknowledgment may be on it
    r = api.post(
        f"/tickets/{ticket.reference}/inbound",
        {"body_html": '<p onclick="x()">Where is my <b>refund</b>?<script>evil()</script></p>'},
    )
    assert r.status_code == 201
    body = r.json()
    assert "script" not in body["body_html"] and "onclick" not in body["body_html"]
    assert body["from_customer"] is True and body["author"] is None
    assert body["body_text"].startswith("Where is my refund?")
    r = api.post(f"/tickets/{ticket.reference}/notes", {"body_text": "Check with billing."})
    assert r.status_code == 201 and r.json()["kind"] == "note"
    r = api.post(
        f"/tickets/{ticket.reference}/replies",
        {"body_text": "Hi Maria, it went out today.", "status": "waiting_customer"},
    )
    assert r.status_code == 201
    detail = api.get(f"/tickets/{ticket.reference}").json()
    assert detail["status"] == "waiting_customer" and detail["message_count"] == start + 3
    assert detail["waiting_since"] is None
    r = api.post(f"/tickets/{ticket.reference}/priority", {"priority": 4})
    assert r.status_code == 200 and r.json()["priority"] == 4


def test_facts_are_refused_for_another_customers_ticket_or_message(
    api: Api, customer: Customer
) -> None:
    stranger = Customer.objects.create(name="Other Person")
    theirs = create_ticket(customer=stranger, subject="Theirs", body_text="hello")
    message = Message.objects.get(ticket=theirs, kind="inbound")
    r = api.post(
        f"/customers/{customer.pk}/facts",
        {"label": "Plate", "value": "X", "ticket": theirs.reference},
    )
    assert r.status_code == 422
    assert r.json() == {
        "code": "unknown_ticket",
        "message": f"{theirs.reference} is not a ticket of this customer.",
        "field": "ticket",
    }
    r = api.post(
        f"/customers/{customer.pk}/facts",
        {"label": "Plate", "value": "X", "source_message_id": message.pk},
    )
    assert r.status_code == 422 and r.json()["field"] == "source_message_id"
    assert not Fact.objects.exists()


def _batch_item(customer: Customer, i: int) -> dict[str, Any]:
    return {"customer_id": customer.pk, "subject": f"Order {i} late", "body_text": "Where is it?"}


def test_a_batch_opens_every_ticket_with_its_timeline(api: Api, customer: Customer) -> None:
    items = [_batch_item(customer, i) for i in range(3)]
    items.append({"customer": {"email": "nia@example.com", "name": "Nia Brooks"}, "subject": "Hi"})
    r = api.post("/tickets/batch", {"tickets": items})
    assert r.status_code == 201, r.content
    opened = r.json()["items"]
    assert [t["subject"] for t in opened] == ["Order 0 late", "Order 1 late", "Order 2 late", "Hi"]
    assert opened[3]["customer"]["name"] == "Nia Brooks"
    for t in opened[:3]:
        kinds = list(Event.objects.filter(ticket_id=t["id"]).values_list("kind", flat=True))
        assert kinds == ["created", "message_received"]
        assert Message.objects.get(ticket_id=t["id"]).body_text == "Where is it?"
        # Each ticket has its own SLA clock, as if it had been opened alone.
        assert Ticket.objects.get(pk=t["id"]).sla.first_response_due is not None


def test_a_batch_with_one_bad_ticket_opens_none_and_names_it(api: Api, customer: Customer) -> None:
    items = [_batch_item(customer, 0), {"customer_id": 999999, "subject": "x"}]
    r = api.post("/tickets/batch", {"tickets": items})
    assert r.status_code == 422
    assert r.json()["field"] == "tickets[1].customer_id"
    assert not Ticket.objects.exists()

    items = [_batch_item(customer, 0), _batch_item(customer, 1) | {"subject": "   "}]
    r = api.post("/tickets/batch", {"tickets": items})
    assert r.status_code == 422
    assert r.json()["field"] == "tickets[1].subject"
    assert not Ticket.objects.exists() and not Event.objects.exists()


def test_a_batch_is_refused_when_empty_or_over_a_hundred(api: Api, customer: Customer) -> None:
    assert api.post("/tickets/batch", {"tickets": []}).status_code == 422
    too_many = [_batch_item(customer, i) for i in range(101)]
    r = api.post("/tickets/batch", {"tickets": too_many})
    assert r.status_code == 422
    assert not Ticket.objects.exists()


def test_a_request_body_over_the_limit_is_413_with_json(
    api: Api, customer: Customer, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    items = [_batch_item(customer, i) | {"body_text": "a" * 20_000} for i in range(60)]
    r = api.post("/tickets/batch", {"tickets": items})
    assert r.status_code == 413
    body = r.json()
    assert body["code"] == "too_large" and "1.0 MB" in body["message"]
    assert not Ticket.objects.exists()


def test_a_ticket_opened_for_the_customer_counts_its_acknowledgment(
    api: Api, customer: Customer
) -> None:
    one = {"customer_id": customer.pk, "subject": "Hi", "body_text": "Help", "from_customer": True}
    created = api.post("/tickets/", one).json()
    assert created["message_count"] == 2  # the message and the acknowledgment
    assert api.get(f"/tickets/{created['reference']}").json()["message_count"] == 2

    batch = api.post("/tickets/batch", {"tickets": [one, one]}).json()["items"]
    assert [t["message_count"] for t in batch] == [2, 2]
    for t in batch:
        assert api.get(f"/tickets/{t['reference']}").json()["message_count"] == 2


def test_batch_errors_name_the_item_the_same_way_for_every_kind_of_error(
    api: Api, customer: Customer
) -> None:
    bad_shape = [_batch_item(customer, 0), {"customer_id": customer.pk}]  # no subject
    assert api.post("/tickets/batch", {"tickets": bad_shape}).json()["field"] == (
        "tickets[1].subject"
    )
    bad_value = [_batch_item(customer, 0), _batch_item(customer, 1) | {"team_id": 999}]
    assert api.post("/tickets/batch", {"tickets": bad_value}).json()["field"] == (
        "tickets[1].team_id"
    )
    assert not Ticket.objects.exists()
