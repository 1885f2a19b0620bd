"""The demo re-enacts three businesses through the services, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from pytest_django.fixtures import Settings

from rightdesk.accounts.models import Team
from rightdesk.commerce.models import Order, Refund
from rightdesk.custody.models import CustodyItem
from rightdesk.customers.models import Customer, Fact
from rightdesk.demo.services import _last_business_afternoon, load_demo
from rightdesk.tickets.models import Event, Handoff, Message, Ticket
from rightdesk.tickets.queries import unowned_problems

NOW = datetime(2026, 3, 12, 18, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fast_passwords(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db: None) -> None:
    assert load_demo(now=NOW).created is True


def _facts(customer: Customer) -> dict[str, str]:
    return {fact.key: fact.value for fact in customer.facts.all()}


def test_second_load_changes_nothing(demo: None) -> None:
    counts = [m.objects.count() for m in (User, Team, Customer, Fact, Ticket, Message, Event)]
    result = load_demo(now=NOW + timedelta(days=1))
    assert result.created is False
    assert [login.username for login in result.logins] == [
        "rosa",
        "mike",
        "karen",
        "priya",
        "tom",
        "jenna",
        "luis",
        "admin",
    ]
    assert [
        m.objects.count() for m in (User, Team, Customer, Fact, Ticket, Message, Event)
    ] == counts


def test_printed_logins_sign_in(demo: None) -> None:
    for login in load_demo().logins:
        user = User.objects.get(username=login.username)
        assert user.check_password(f"demo-{login.username}")
        assert user.agent.role == login.role
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="karen").agent.role == "manager"


def test_repair_shop_towed_car_promise_and_chase(demo: None) -> None:
    maggie = Customer.objects.get(name="Margaret Thornton")
    assert maggie.preferred_name == "Maggie"
    assert [c.value for c in maggie.contacts.filter(kind="phone")] == ["+16085550131"]
    ticket = maggie.tickets.get()
    assert ticket.subject == "Towed-in 2016 Subaru Outback won't start"
    assert (ticket.owner.username, ticket.team.name, ticket.status) == ("mike", "Workshop", "open")
    assert ticket.created_at == NOW - timedelta(days=3, hours=6)

    calls = list(ticket.messages.filter(kind="call").order_by("created_at"))
    assert [c.call_direction for c in calls] == ["inbound", "inbound"]  # nobody called her back
    assert "call her back by 5 pm" in calls[0].body_text
    assert calls[1].body_text.startswith("Maggie called: any news on my car?")

    # The car's identity was taken once, from the first call, and is on file.
    assert _facts(maggie) == {
        "make": "Subaru",
        "model": "Outback 2.5i Premium (2016)",
        "colour": "Abyss Blue",
        "plate": "WI AKR-4721",
    }
    assert {f.source_message_id for f in maggie.facts.all()} == {calls[0].pk}
    assert {f.recorded_by.username for f in maggie.facts.all()} == {"rosa"}

    car = CustodyItem.objects.get(customer=maggie)
    assert (car.kind, car.status, car.location.name, car.ticket_id) == (
        "vehicle",
        "checked_in",
        "Lot B, bay 4",
        ticket.pk,
    )
    assert (car.make, car.model, car.colour) == (
        "Subaru",
        "Outback 2.5i Premium (2016)",
        "Abyss Blue",
    )

    handoff = Handoff.objects.get(ticket=ticket)
    assert (handoff.from_user.username, handoff.to_user.username) == ("rosa", "mike")
    assert "I promised her a call back by 5 pm today" in handoff.note
    assert handoff.seen_at is None  # Mike reads it first when he opens the case

    # The timeline tells the story in the order it happened, with who did it.
    # (Other apps add their own events, e.g. promises; these are the ticket's own.)
    own = ["created", "call_logged", "fact_recorded", "owner_changed", "team_changed"]
    events = list(Event.objects.filter(ticket=ticket, kind__in=own).order_by("created_at", "id"))
    assert [(e.kind, e.actor.username) for e in events] == [
        ("created", "rosa"),
        ("call_logged", "rosa"),
        ("fact_recorded", "rosa"),
        ("fact_recorded", "rosa"),
        ("fact_recorded", "rosa"),
        ("fact_recorded", "rosa"),
        ("owner_changed", "rosa"),
        ("team_changed", "rosa"),
        ("call_logged", "rosa"),
    ]
    assert all(NOW - timedelta(days=4) < e.created_at < NOW - timedelta(days=2) for e in events)


def test_repair_shop_husband_s_mail_waits_for_the_owner_to_decide(demo: None) -> None:
    from rightdesk.channels.choices import RawState
    from rightdesk.channels.models import RawMessage
    from rightdesk.notifications.models import Notification, NotificationKind

    ticket = Customer.objects.get(name="Margaret Thornton").tickets.get()
    held = RawMessage.objects.get(state=RawState.HELD)
    assert held.ticket_id == ticket.pk
    assert held.from_address == "tom.thornton@example.net"
    assert held.received_at < NOW - timedelta(days=1)  # in the story, not at load time
    assert not ticket.messages.filter(body_text__contains="Maggie's husband").exists()
    note = Notification.objects.get(kind=NotificationKind.MAIL_HELD)
    assert note.recipient == ticket.owner and ticket.owner is not None
    assert note.recipient.username == "mike"


def test_repair_shop_web_request_nobody_took_is_a_problem(demo: None) -> None:
    problems = unowned_problems(now=NOW)
    assert [(t.customer.name, t.subject) for t in problems] == [
        ("Priscilla Vance", "Brakes squeal when stopping: estimate?"),
    ]


def test_online_seller_one_purchase_one_ticket_and_full_refund(demo: None) -> None:
    jon = Customer.objects.get(name="Jonathan Reyes")
    survivor, merged = jon.tickets.order_by("id")
    assert merged.merged_into_id == survivor.pk
    assert merged.status == "closed"
    assert survivor.merged_into_id is None
    assert (survivor.owner.username, survivor.status) == ("priya", "waiting_us")
    written = survivor.messages.exclude(kind="reply", author__isnull=True)  # not automatic
    kinds = list(written.order_by("created_at", "id").values_list("kind", flat=True))
    assert kinds == ["inbound", "inbound", "reply"]
    assert Event.objects.filter(ticket=survivor, kind="merged").count() == 1

    assert _facts(jon) == {"order_number": "NW-20931", "paid_with": "Visa ending 4417"}

    # One purchase: the order with two items and the card fee, linked to the one ticket.
    order = Order.objects.get(external_ref="NW-20931")
    assert [
        (line.product, str(line.unit_price), line.is_fee)
        for line in order.lines.order_by("position")
    ] == [
        ("Site Builder Pro, 1-year licence", "129.000", False),
        ("Managed WordPress Starter, 12 months", "96.000", False),
        ("Card processing fee", "6.530", True),
    ]
    # The refund is everything he paid, the fee included, and a manager approved it.
    refund = Refund.objects.get(order=order)
    assert (refund.ticket_id, refund.status, refund.amount, refund.withheld) == (
        survivor.pk,
        "approved",
        Decimal("231.53"),
        Decimal("0"),
    )
    assert refund.approved_by.username == "tom"
    assert sorted(line.amount for line in refund.lines.all()) == [
        Decimal("6.53"),
        Decimal("96"),
        Decimal("129"),
    ]

    reply = survivor.messages.get(kind="reply", author__isnull=False)
    assert reply.body_text.startswith("Hi Jon,")  # the right customer, by the name he uses
    assert survivor.reference in reply.body_text
    assert "$6.53 card processing fee, $231.53 in total" in reply.body_text


def test_independent_rep_owns_customers_and_their_problems(demo: None) -> None:
    owners = dict(
        Customer.objects.filter(account_owner__isnull=False).values_list(
            "name", "account_owner__username"
        )
    )
    assert owners == {
        "Carol Jensen": "jenna",
        "Riverside Family Dental": "jenna",
        "Ahmed Hassan": "luis",
    }
    tank = Ticket.objects.get(subject="Brine tank cracked: warranty?")
    assert tank.owner.username == "jenna"
    assert not Handoff.objects.filter(ticket=tank).exists()  # never passed on
    reply = tank.messages.get(kind="reply", author__isnull=False)
    assert reply.author.username == "jenna"
    assert "This one is mine from start to finish" in reply.body_text
    assert "home office" not in reply.body_text.lower()
    assert _facts(tank.customer)["warranty_claim"] == "AP-55812, filed with AquaPure by Jenna"
    # Every rep ticket is owned by the rep who owns the customer.
    for ticket in Ticket.objects.filter(team__name="Lakeside Water reps"):
        assert ticket.owner_id == ticket.customer.account_owner_id


def test_loading_restores_the_real_clock(db: None) -> None:
    load_demo(now=NOW)
    assert abs(timezone.now() - datetime.now(UTC)) < timedelta(seconds=5)


@pytest.mark.parametrize(
    ("now", "afternoon"),
    [
        # 12:00 in Chicago (CDT, UTC-5): yesterday's 4 pm.
        (datetime(2026, 3, 12, 17, 0, tzinfo=UTC), datetime(2026, 3, 11, 21, 0, tzinfo=UTC)),
        # 17:30 in Chicago: today's 4 pm.
        (datetime(2026, 3, 12, 22, 30, tzinfo=UTC), datetime(2026, 3, 12, 21, 0, tzinfo=UTC)),
    ],
)
def test_stories_end_on_the_last_business_afternoon(now: datetime, afternoon: datetime) -> None:
    assert _last_business_afternoon(now) == afternoon


def test_default_load_puts_nothing_in_the_future(db: None) -> None:
    load_demo()
    latest = Event.objects.order_by("-created_at").values_list("created_at", flat=True).first()
    assert latest is not None
    assert latest <= timezone.now()
    assert Ticket.objects.filter(created_at__gt=timezone.now()).count() == 0


def test_demo_passwords_are_cheap_until_first_sign_in(db: None, settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    load_demo(now=NOW)
    admin = User.objects.get(username="admin")
    assert admin.password.startswith("pbkdf2_sha256$1000$")
    assert admin.check_password("demo-admin")
    admin.refresh_from_db()
    assert admin.password.startswith("pbkdf2_sha256$1000000$")  # upgraded on sign-in
    assert not admin.check_password("demo-rosa")
