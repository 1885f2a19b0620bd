"""Login, access rules, the queue, new tickets, customers and API tokens."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from rightdesk.accounts.models import ApiToken, Team
from rightdesk.accounts.services import create_agent, user_for_token
from rightdesk.customers.models import ContactPoint, Customer
from rightdesk.customers.services import create_customer
from rightdesk.desk import views
from rightdesk.tickets.choices import Channel, Status
from rightdesk.tickets.models import Ticket
from rightdesk.tickets.services import change_status, create_ticket


@pytest.fixture
def desk(client: Client, agent: User) -> Client:
    client.force_login(agent)
    return client


def _refs(html: str) -> list[str]:
    """Ticket references in the queue table, in display order."""
    table = html.split('id="queue-table"')[1]
    return re.findall(r'<td><a href="/desk/tickets/(RD-\d+)/">', table)


# ---------------------------------------------------------------- access


@pytest.mark.parametrize(
    "path",
    ["/desk/", "/desk/search/", "/desk/tickets/new/", "/desk/tokens/", "/desk/tickets/RD-1001/"],
)
def test_anonymous_users_are_sent_to_the_login_page(client: Client, db: None, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/desk/login/?next=")


@pytest.mark.parametrize(
    "path",
    ["/desk/", "/desk/search/?q=car", "/desk/tickets/new/", "/desk/tokens/"],
)
def test_a_user_who_is_not_an_agent_gets_403(client: Client, db: None, path: str) -> None:
    client.force_login(User.objects.create_user("visitor", password="visitor-pass-1"))
    assert client.get(path).status_code == 403


def test_non_agent_cannot_act_on_a_ticket(client: Client, customer: Customer) -> None:
    ticket = create_ticket(customer=customer, subject="Brakes")
    client.force_login(User.objects.create_user("visitor", password="visitor-pass-1"))

    response = client.post(f"/desk/tickets/{ticket.reference}/note/", {"note-body": "hi"})

    assert response.status_code == 403
    assert not ticket.messages.filter(kind="note").exists()


def test_login_and_logout(client: Client, agent: User) -> None:
    page = client.get("/desk/login/")
    assert page.status_code == 200 and 'name="password"' in page.content.decode()

    bad = client.post("/desk/login/", {"username": "dana", "password": "wrong"})
    assert bad.status_code == 200 and "Please enter a correct username" in bad.content.decode()

    ok = client.post("/desk/login/", {"username": "dana", "password": "dana-pass-123"})
    assert ok.status_code == 302 and ok["Location"] == "/desk/"
    queue = client.get("/desk/").content.decode()
    assert "Dana Price" in queue and "Log out" in queue

    out = client.post("/desk/logout/")
    assert out.status_code == 302 and out["Location"] == "/desk/login/"
    assert client.get("/desk/").status_code == 302


def test_admin_link_only_for_admins(client: Client, agent: User) -> None:
    client.force_login(agent)
    assert "/admin/" not in client.get("/desk/").content.decode()
    admin = create_agent(username="ada", password="ada-pass-123", role="admin")
    client.force_login(admin)
    assert 'href="/admin/"' in client.get("/desk/").content.decode()


# ---------------------------------------------------------------- queue


def test_queue_tabs_show_mine_team_unassigned_and_all(
    desk: Client, agent: User, other_agent: User, team: Team, customer: Customer
) -> None:
    mine = create_ticket(customer=customer, subject="Mine", owner=agent, actor=agent)
    teams = create_ticket(
        customer=customer, subject="Team", owner=other_agent, team=team, actor=agent
    )
    fresh = create_ticket(customer=customer, subject="Fresh unowned", body_text="Hello?")
    other_team = create_team_ticket(customer)

    assert _refs(desk.get("/desk/").content.decode()) == [mine.reference]
    assert _refs(desk.get("/desk/?view=team").content.decode()) == [teams.reference]
    assert _refs(desk.get("/desk/?view=unassigned").content.decode()) == [fresh.reference]
    assert sorted(_refs(desk.get("/desk/?view=all").content.decode())) == sorted(
        [mine.reference, teams.reference, fresh.reference, other_team.reference]
    )


def create_team_ticket(customer: Customer) -> Ticket:
    elsewhere = Team.objects.create(name="Billing")
    owner = create_agent(username="bill", password="bill-pass-123", teams=[elsewhere])
    return create_ticket(
        customer=customer, subject="Billing", owner=owner, team=elsewhere, actor=owner
    )


def test_queue_orders_by_how_long_the_customer_has_waited(
    desk: Client, agent: User, customer: Customer
) -> None:
    now = timezone.now()
    newer = create_ticket(
        customer=customer,
        subject="Waiting 5 min",
        body_text="?",
        owner=agent,
        actor=agent,
        at=now - timedelta(minutes=5),
    )
    older = create_ticket(
        customer=customer,
        subject="Waiting 3 h",
        body_text="?",
        owner=agent,
        actor=agent,
        at=now - timedelta(hours=3),
    )
    not_waiting = create_ticket(
        customer=customer,
        subject="Nothing asked",
        owner=agent,
        actor=agent,
        at=now - timedelta(days=2),
    )

    html = desk.get("/desk/").content.decode()

    assert _refs(html) == [older.reference, newer.reference, not_waiting.reference]
    assert "3 h 0 min" in html and "5 min" in html and "not waiting" in html
    assert "Maria Gonzalez" in html and "Dana Price" in html and "Open" in html


def test_queue_status_filter(desk: Client, agent: User, customer: Customer) -> None:
    open_one = create_ticket(customer=customer, subject="Open", owner=agent, actor=agent)
    resolved = create_ticket(customer=customer, subject="Done", owner=agent, actor=agent)
    change_status(ticket=resolved, actor=agent, status=Status.RESOLVED)

    assert _refs(desk.get("/desk/").content.decode()) == [open_one.reference]
    html = desk.get("/desk/?view=mine&status=resolved").content.decode()
    assert _refs(html) == [resolved.reference]
    bad = desk.get("/desk/?view=mine&status=bogus")
    assert bad.status_code == 422 and "Unknown status" in bad.content.decode()


def test_queue_filter_with_htmx_returns_the_table_only(
    desk: Client, agent: User, customer: Customer
) -> None:
    create_ticket(customer=customer, subject="Open", owner=agent, actor=agent)

    response = desk.get("/desk/?view=mine", HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.startswith('<div id="queue-table">') and "<html" not in html


def test_queue_next_page_link_walks_every_ticket_once(
    desk: Client, agent: User, customer: Customer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 2)
    start = timezone.now() - timedelta(hours=1)
    created = [
        create_ticket(
            customer=customer,
            subject=f"T{i}",
            body_text="?",
            owner=agent,
            actor=agent,
            at=start + timedelta(minutes=i),
        )
        for i in range(5)
    ]
    seen: list[str] = []
    url: str | None = "/desk/"
    pages = 0
    while url:
        html = desk.get(url).content.decode()
        seen += _refs(html)
        match = re.search(r'<a rel="next" href="([^"]+)">Next page</a>', html)
        url = "/desk/" + match.group(1).replace("&amp;", "&") if match else None
        pages += 1

    assert seen == [t.reference for t in created]
    assert pages == 3


def test_old_unowned_tickets_are_problems_not_queue_items(
    desk: Client, customer: Customer, settings: object
) -> None:
    old = create_ticket(
        customer=customer,
        subject="Forgotten",
        body_text="Anyone?",
        at=timezone.now() - timedelta(hours=5),
    )
    fresh = create_ticket(customer=customer, subject="Just in", body_text="Hi")

    html = desk.get("/desk/?view=unassigned").content.decode()

    problems = html.split('id="problems-title"')[1].split("</section>")[0]
    assert old.reference in problems and "Forgotten" in problems and "5 h 0 min" in problems
    assert fresh.reference not in problems
    assert _refs(html) == [fresh.reference]


def test_no_problems_box_when_every_ticket_is_owned(
    desk: Client, agent: User, customer: Customer
) -> None:
    create_ticket(
        customer=customer,
        subject="Owned",
        owner=agent,
        actor=agent,
        at=timezone.now() - timedelta(hours=5),
    )
    assert 'id="problems-title"' not in desk.get("/desk/").content.decode()


# ---------------------------------------------------------------- new ticket


def test_new_ticket_for_a_new_customer(desk: Client, agent: User, team: Team) -> None:
    response = desk.post(
        "/desk/tickets/new/",
        {
            "new_name": "Ruth Baker",
            "new_email": "Ruth@Example.com",
            "new_phone": "",
            "subject": "Laptop screen flickers",
            "body": "Since the update.",
            "channel": Channel.PHONE,
            "priority": "2",
            "team": str(team.pk),
            "owner": str(agent.pk),
        },
    )

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/desk/tickets/{ticket.reference}/"
    assert ticket.customer.name == "Ruth Baker"
    assert list(ticket.customer.contacts.values_list("value", flat=True)) == ["ruth@example.com"]
    assert (ticket.subject, ticket.channel, ticket.owner, ticket.team) == (
        "Laptop screen flickers",
        Channel.PHONE,
        agent,
        team,
    )
    assert ticket.messages.get().body_text == "Since the update."


def test_new_ticket_for_an_existing_customer_found_by_search(
    desk: Client, customer: Customer
) -> None:
    found = desk.get("/desk/tickets/new/?customer_q=555%200142").content.decode()
    assert f'<option value="{customer.pk}" selected>Maria Gonzalez</option>' in found

    desk.post(
        "/desk/tickets/new/",
        {
            "customer": str(customer.pk),
            "subject": "Oil change",
            "channel": Channel.WALK_IN,
            "priority": "2",
        },
    )

    ticket = Ticket.objects.get()
    assert ticket.customer == customer and ticket.channel == Channel.WALK_IN
    assert Customer.objects.count() == 1


def test_new_ticket_needs_a_customer(desk: Client) -> None:
    response = desk.post(
        "/desk/tickets/new/", {"subject": "Who?", "channel": "phone", "priority": "2"}
    )

    assert response.status_code == 422
    assert "Pick an existing customer or give the new one a name." in response.content.decode()
    assert not Ticket.objects.exists() and not Customer.objects.exists()


def test_new_customer_with_a_taken_address_creates_nothing(
    desk: Client, customer: Customer
) -> None:
    response = desk.post(
        "/desk/tickets/new/",
        {
            "new_name": "Impostor",
            "new_email": "maria@example.com",
            "subject": "Hi",
            "channel": "email",
            "priority": "2",
        },
    )

    assert response.status_code == 409
    assert "already belongs to another customer" in response.content.decode()
    assert list(Customer.objects.all()) == [customer]
    assert not Ticket.objects.exists()


# ---------------------------------------------------------------- customer page


def test_customer_page_shows_card_and_all_tickets(
    desk: Client, customer: Customer, agent: User
) -> None:
    first = create_ticket(customer=customer, subject="Brakes squeak")
    second = create_ticket(customer=customer, subject="Tyre change", owner=agent, actor=agent)

    html = desk.get(f"/desk/customers/{customer.pk}/").content.decode()

    assert "Maria Gonzalez" in html and "maria@example.com" in html
    assert first.reference in html and second.reference in html
    assert "Brakes squeak" in html and "Tyre change" in html
    assert desk.get("/desk/customers/999999/").status_code == 404


# ---------------------------------------------------------------- API tokens


def test_token_is_shown_once_and_works_until_revoked(desk: Client, agent: User) -> None:
    response = desk.post("/desk/tokens/", {"name": "Shop site", "days": "30"})

    html = response.content.decode()
    raw = re.search(r'<code class="raw-token">(rd_[^<]+)</code>', html)
    assert raw is not None
    assert response["Cache-Control"] == "no-store"
    assert user_for_token(raw.group(1)) == agent
    listing = desk.get("/desk/tokens/").content.decode()
    assert "Shop site" in listing and raw.group(1) not in listing and "active" in listing

    token = ApiToken.objects.get(user=agent)
    assert desk.post(f"/desk/tokens/{token.pk}/revoke/").status_code == 302
    assert user_for_token(raw.group(1)) is None
    assert "revoked" in desk.get("/desk/tokens/").content.decode()


def test_cannot_revoke_someone_elses_token(client: Client, agent: User, other_agent: User) -> None:
    client.force_login(other_agent)
    client.post("/desk/tokens/", {"name": "Sam's", "days": "30"})
    token = ApiToken.objects.get(user=other_agent)
    client.force_login(agent)

    assert client.post(f"/desk/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_with_invalid_lifetime_is_refused(desk: Client, agent: User) -> None:
    response = desk.post("/desk/tokens/", {"name": "Forever", "days": "5000"})
    assert response.status_code == 422
    assert not ApiToken.objects.exists()


def test_other_customer_contact_not_leaked_into_new_ticket_choices(
    desk: Client, customer: Customer
) -> None:
    create_customer(name="Leo Park", emails=["leo@example.com"])
    html = desk.get("/desk/tickets/new/?customer_q=maria").content.decode()
    assert "Maria Gonzalez" in html and "Leo Park" not in html
    assert ContactPoint.objects.count() == 3
