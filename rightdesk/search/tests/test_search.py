"""Full-text search as an agent experiences it, on SQLite FTS5 and PostgreSQL."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection

from rightdesk.accounts.models import Team
from rightdesk.accounts.services import create_team
from rightdesk.core.errors import Forbidden, Invalid
from rightdesk.customers.models import ContactKind, ContactPoint, Customer
from rightdesk.customers.services import add_contact_point, create_customer
from rightdesk.search.services import make_snippet, search_customers, search_terms, search_tickets
from rightdesk.tickets.choices import Channel, Status
from rightdesk.tickets.models import Message, Ticket
from rightdesk.tickets.services import (
    add_inbound_message,
    add_note,
    change_status,
    create_ticket,
    merge_tickets,
    send_reply,
)

pytestmark = pytest.mark.django_db

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="FTS5 triggers exist on SQLite only"
)


def refs(hits: list) -> list[str]:
    return [hit.ticket.reference for hit in hits]


def test_finds_tickets_by_subject_and_by_message_body(agent: User, customer: Customer) -> None:
    by_subject = create_ticket(customer=customer, subject="Blender arrived cracked")
    by_body = create_ticket(
        customer=customer, subject="Order question", body_text="The kettle lid will not close."
    )
    create_ticket(customer=customer, subject="Unrelated", body_text="Nothing to see here.")

    assert refs(search_tickets(user=agent, query="blender")) == [by_subject.reference]
    assert refs(search_tickets(user=agent, query="kettle lid")) == [by_body.reference]
    assert search_tickets(user=agent, query="toaster") == []


def test_every_word_must_match_somewhere_on_the_ticket_and_the_last_as_a_prefix(
    agent: User, customer: Customer
) -> None:
    refunded = create_ticket(customer=customer, subject="Refunded twice", body_text="Card charged.")
    plain = create_ticket(customer=customer, subject="Refund please", body_text="Paid by cheque.")

    assert refs(search_tickets(user=agent, query="card refund")) == [refunded.reference]
    assert refs(search_tickets(user=agent, query="charged twice")) == [refunded.reference]
    assert search_tickets(user=agent, query="refund card") == []  # "refund" is not "refunded"
    assert len(search_tickets(user=agent, query="REFU")) == 2
    # A short page: the whole word and its longer forms, whole matches first.
    assert set(refs(search_tickets(user=agent, query="REFUND"))) == {
        plain.reference,
        refunded.reference,
    }


def test_longer_forms_are_found_whatever_other_tickets_say(agent: User, customer: Customer) -> None:
    invoices = create_ticket(customer=customer, subject="Invoices attached", body_text="Two PDFs.")
    other = create_ticket(customer=customer, subject="Question", body_text="Hello")
    add_note(ticket=other, actor=agent, body_text="Check the invoice and the car.")

    assert set(refs(search_tickets(user=agent, query="invoice"))) == {
        invoices.reference,
        other.reference,
    }
    assert refs(search_tickets(user=agent, query="two invoice")) == [invoices.reference]


def test_a_full_page_of_whole_words_is_not_diluted_by_longer_forms(
    agent: User, customer: Customer
) -> None:
    whole = [
        create_ticket(customer=customer, subject=f"Refund {i}", body_text="Please.")
        for i in range(3)
    ]
    create_ticket(customer=customer, subject="Refunded", body_text="Done.")

    hits = search_tickets(user=agent, query="refund", limit=3)

    assert set(refs(hits)) == {t.reference for t in whole}


def test_subject_and_several_messages_rank_above_a_single_weak_match(
    agent: User, customer: Customer
) -> None:
    weak = create_ticket(
        customer=customer,
        subject="Delivery address change",
        body_text="Please send it to my office instead. Also, the warranty card was missing "
        "from the box, which I noticed later when unpacking everything on the table.",
    )
    strong = create_ticket(customer=customer, subject="Warranty claim", body_text="Warranty?")
    add_inbound_message(ticket=strong, body_text="Is the warranty still valid after a year?")
    send_reply(ticket=strong, actor=agent, body_text="Yes, the warranty covers two years.")

    hits = search_tickets(user=agent, query="warranty")

    assert refs(hits) == [strong.reference, weak.reference]
    assert hits[0].rank > hits[1].rank > 0


def test_merged_ticket_is_replaced_by_its_survivor(agent: User, customer: Customer) -> None:
    source = create_ticket(customer=customer, subject="Sunroof leaks", body_text="Water inside.")
    target = create_ticket(customer=customer, subject="Car service", body_text="Book a slot.")

    merge_tickets(source=source, target=target, actor=agent)

    assert refs(search_tickets(user=agent, query="sunroof")) == [target.reference]
    assert refs(search_tickets(user=agent, query="water inside")) == [target.reference]
    assert refs(search_tickets(user=agent, query="slot")) == [target.reference]


def test_index_follows_edits_and_deletes(agent: User, customer: Customer) -> None:
    ticket = create_ticket(customer=customer, subject="Printer jam", body_text="Paper stuck.")
    Ticket.objects.filter(pk=ticket.pk).update(subject="Scanner streaks")
    message = Message.objects.get(ticket=ticket, kind="inbound")
    message.body_text = "Lines across every page."
    message.save(update_fields=["body_text"])

    assert search_tickets(user=agent, query="printer") == []
    assert search_tickets(user=agent, query="paper") == []
    assert refs(search_tickets(user=agent, query="scanner")) == [ticket.reference]
    assert refs(search_tickets(user=agent, query="lines page")) == [ticket.reference]

    message.delete()
    assert search_tickets(user=agent, query="lines") == []


def test_filters_apply_to_the_ticket_shown(
    agent: User, other_agent: User, team: Team, customer: Customer
) -> None:
    other_team = create_team(name="Workshop")
    mine = create_ticket(customer=customer, subject="Brake noise", owner=agent, team=team)
    theirs = create_ticket(
        customer=customer,
        subject="Brake pads",
        owner=other_agent,
        team=other_team,
        channel=Channel.PHONE,
    )
    change_status(ticket=theirs, actor=other_agent, status=Status.RESOLVED)

    assert refs(search_tickets(user=agent, query="brake", owner_id=agent.pk)) == [mine.reference]
    assert refs(search_tickets(user=agent, query="brake", team_id=other_team.pk)) == [
        theirs.reference
    ]
    assert refs(search_tickets(user=agent, query="brake", status=Status.RESOLVED)) == [
        theirs.reference
    ]
    assert refs(search_tickets(user=agent, query="brake", channel=Channel.EMAIL)) == [
        mine.reference
    ]
    assert len(search_tickets(user=agent, query="brake")) == 2
    assert len(search_tickets(user=agent, query="brake", limit=1)) == 1


def test_unknown_filter_values_are_refused(agent: User) -> None:
    with pytest.raises(Invalid) as status_error:
        search_tickets(user=agent, query="x", status="lost")
    assert status_error.value.field == "status"
    with pytest.raises(Invalid) as channel_error:
        search_tickets(user=agent, query="x", channel="pigeon")
    assert channel_error.value.field == "channel"


HOSTILE_QUERIES = [
    "",
    "   ",
    '"',
    '"unbalanced',
    "*",
    "**refund",
    "refund*",
    "NEAR(refund card, 2)",
    "refund NEAR card",
    "-refund",
    "refund - card",
    "(refund",
    "refund)) OR ((",
    "refund AND OR NOT",
    "subject:refund",
    "{subject body}: refund",
    "^refund",
    "refund & card | !x <-> y:*",
    "'; DROP TABLE tickets_ticket; --",
    "%_\\",
    "\x00refund",
    "Ŕéfünd ✓ 退款 🙂",
    "a" * 5000,
    " ".join(["word"] * 400),
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_no_user_input_breaks_the_search(agent: User, customer: Customer, query: str) -> None:
    create_ticket(customer=customer, subject="Refund card", body_text="Refund to the card.")

    hits = search_tickets(user=agent, query=query)
    customers = search_customers(user=agent, query=query)

    assert isinstance(hits, list)
    assert isinstance(customers, list)
    assert Ticket.objects.count() == 1


def test_operators_are_searched_as_plain_words(agent: User, customer: Customer) -> None:
    ticket = create_ticket(customer=customer, subject="Refund card", body_text="Refund to card.")

    assert refs(search_tickets(user=agent, query="NEAR(refund card)")) == []
    assert refs(search_tickets(user=agent, query='"refund" -card*')) == [ticket.reference]
    assert refs(search_tickets(user=agent, query="ref")) == [ticket.reference]
    assert search_tickets(user=agent, query="") == []
    assert search_tickets(user=agent, query="*** ((( ---") == []


def test_search_terms_are_plain_distinct_lower_case_words() -> None:
    assert search_terms('Refund "NEAR" refund-card (x*') == ["refund", "near", "card", "x"]
    assert search_terms("") == []
    assert len(search_terms(" ".join(f"w{i}" for i in range(50)))) == 8


def test_only_agents_may_search(customer: Customer, db: None) -> None:
    create_ticket(customer=customer, subject="Refund card")
    outsider = User.objects.create_user(username="visitor", password="visitor-pass-123")

    for user in (outsider, AnonymousUser()):
        with pytest.raises(Forbidden):
            search_tickets(user=user, query="refund")
        with pytest.raises(Forbidden):
            search_customers(user=user, query="maria")


def test_snippet_is_plain_text_around_the_first_match(agent: User, customer: Customer) -> None:
    filler = "Lorem ipsum dolor sit amet consectetur. " * 8
    create_ticket(
        customer=customer,
        subject="Long story",
        body_html=f"<p>{filler}The <b>gearbox</b> grinds in third gear.</p>"
        "<script>alert(1)</script>" + filler,
    )

    (hit,) = search_tickets(user=agent, query="gearbox")

    assert "The gearbox grinds in third gear." in hit.snippet
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert "<" not in hit.snippet and "alert" not in hit.snippet
    assert len(hit.snippet) <= 162


def test_snippet_of_a_subject_only_match_is_the_subject(agent: User, customer: Customer) -> None:
    create_ticket(customer=customer, subject="Headlight out")
    (hit,) = search_tickets(user=agent, query="headlight")
    assert hit.snippet == "Headlight out"


def test_make_snippet_keeps_short_text_whole() -> None:
    assert make_snippet("  Short   text  ", ["text"]) == "Short text"


def test_ticket_search_query_count_does_not_grow_with_hits(
    agent: User, customer: Customer, django_assert_num_queries
) -> None:
    def seed(count: int) -> None:
        for i in range(count):
            ticket = create_ticket(
                customer=customer,
                subject=f"Gasket {i}",
                body_text="Gasket leaking oil.",
                owner=agent,
            )
            add_note(ticket=ticket, actor=agent, body_text="Ordered a new gasket.")

    seed(2)
    with django_assert_num_queries(4):
        assert len(search_tickets(user=agent, query="gasket")) == 2
    seed(10)
    with django_assert_num_queries(4):
        hits = search_tickets(user=agent, query="gasket")
        assert len(hits) == 12
        assert {hit.ticket.owner.agent.display_name for hit in hits} == {"Dana Price"}
        assert {hit.ticket.customer.name for hit in hits} == {"Maria Gonzalez"}


def test_customers_found_by_name_preferred_name_email_and_phone(
    agent: User, customer: Customer
) -> None:
    create_customer(name="Margaret Smith", preferred_name="Maggie", emails=["ms@shop.example"])

    assert search_customers(user=agent, query="gonzalez") == [customer]
    assert [c.name for c in search_customers(user=agent, query="maggie")] == ["Margaret Smith"]
    assert search_customers(user=agent, query="maria@example.com") == [customer]
    assert search_customers(user=agent, query="(312) 555-0142") == [customer]
    assert search_customers(user=agent, query="+1 312 555 0142") == [customer]
    assert search_customers(user=agent, query="nobody") == []


def test_customer_index_follows_contact_changes(agent: User, customer: Customer) -> None:
    add_contact_point(customer=customer, kind=ContactKind.EMAIL, value="m.g@work.example")
    assert search_customers(user=agent, query="work example") == [customer]

    ContactPoint.objects.filter(value="m.g@work.example").delete()
    Customer.objects.filter(pk=customer.pk).update(name="Maria Lopez")

    assert search_customers(user=agent, query="work example") == []
    assert search_customers(user=agent, query="lopez") == [customer]
    assert search_customers(user=agent, query="gonzalez") == []


def test_customer_search_query_count_is_fixed(
    agent: User, customer: Customer, django_assert_num_queries
) -> None:
    for i in range(6):
        create_customer(name=f"Maria Test{i}", emails=[f"maria{i}@example.org"])

    with django_assert_num_queries(3):
        found = search_customers(user=agent, query="maria")
        assert len(found) == 7
        assert sum(len(c.contacts.all()) for c in found) == 8


@sqlite_only
def test_diacritics_are_folded_on_sqlite(agent: User) -> None:
    accented = create_customer(name="José Núñez")
    assert search_customers(user=agent, query="jose nunez") == [accented]


@sqlite_only
def test_lost_triggers_are_recreated_and_the_index_refilled(
    agent: User, customer: Customer
) -> None:
    from rightdesk.search.schema import ensure_search_schema

    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER search_message_ai")
    ticket = create_ticket(customer=customer, subject="Alternator", body_text="Battery light on.")
    assert search_tickets(user=agent, query="battery") == []

    assert ensure_search_schema(connection) == ["search_message_ai"]

    assert refs(search_tickets(user=agent, query="battery")) == [ticket.reference]
    assert ensure_search_schema(connection) == []
