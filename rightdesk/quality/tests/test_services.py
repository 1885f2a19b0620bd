"""Reply check through the services: blocking, overriding, records, admin rules, sentiment."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from rightdesk.customers.models import Customer
from rightdesk.customers.services import create_customer, record_fact
from rightdesk.quality.context import build_context
from rightdesk.quality.models import (
    MessageSentiment,
    ReplyCheckRecord,
    RuleEntry,
    RuleList,
    RuleSet,
)
from rightdesk.quality.rules import known_thresholds
from rightdesk.quality.services import (
    OVERRIDE_EVENT,
    ReplyCheckBlocked,
    check_reply,
    score_inbound,
    send_checked_reply,
)
from rightdesk.tickets.models import Event, Message, Ticket
from rightdesk.tickets.services import add_inbound_message, create_ticket


@pytest.fixture
def ticket(customer: Customer, agent: User) -> Ticket:
    record_fact(customer=customer, label="Car colour", value="red", actor=agent)
    return create_ticket(
        customer=customer,
        subject="Towed car",
        owner=agent,
        body_text="You towed my car yesterday. When will the repair estimate be ready?",
    )


def _kinds(findings: list) -> list[str]:
    return [f.kind for f in findings]


def test_wrong_name_in_greeting_is_found_with_its_span(ticket: Ticket, agent: User) -> None:
    findings = check_reply(
        ticket=ticket, draft="Dear Tom,\nThe estimate for your car is ready.", author=agent
    )
    assert _kinds(findings) == ["wrong_name"]
    assert (findings[0].start, findings[0].end, findings[0].severity) == (5, 8, "block")
    assert findings[0].suggestion == "Address the customer as Maria."


def test_re_ask_names_the_value_on_file(ticket: Ticket, agent: User) -> None:
    draft = "Hi Maria,\nWhat colour is your car? The estimate follows."
    findings = check_reply(ticket=ticket, draft=draft, author=agent)
    assert _kinds(findings) == ["re_ask"]
    assert findings[0].explanation == "We already have this on file — Car colour: red."
    assert draft[findings[0].start : findings[0].end] == "What colour is your car?"


def test_other_customer_of_the_agent_is_named_as_such(ticket: Ticket, agent: User) -> None:
    tom = create_customer(name="Tomasz Nowak", preferred_name="Tomek", emails=["t@example.com"])
    create_ticket(customer=tom, subject="Laptop", owner=agent, body_text="Laptop broken")
    findings = check_reply(
        ticket=ticket, draft="Hello Tomek,\nThe car estimate is ready.", author=agent
    )
    assert _kinds(findings) == ["wrong_name"]
    assert findings[0].explanation == (
        "“Tomek” is another customer's name; this customer is Maria Gonzalez."
    )


def test_blocked_send_changes_nothing(ticket: Ticket, agent: User) -> None:
    before_messages = Message.objects.filter(ticket=ticket).count()
    before_events = Event.objects.filter(ticket=ticket).count()
    with pytest.raises(ReplyCheckBlocked) as caught:
        send_checked_reply(
            ticket=ticket, actor=agent, body_text="Hi Maria, your car estimate is ready. Calm down."
        )
    assert caught.value.code == "reply_check_blocked"
    assert caught.value.status == 409
    assert [f.kind for f in caught.value.findings] == ["condescension"]
    assert Message.objects.filter(ticket=ticket).count() == before_messages
    assert Event.objects.filter(ticket=ticket).count() == before_events
    assert ReplyCheckRecord.objects.count() == 0


def test_override_with_reason_sends_and_records(ticket: Ticket, agent: User) -> None:
    message = send_checked_reply(
        ticket=ticket,
        actor=agent,
        body_text="Hi Maria, what colour is your car? Estimate soon.",
        override_reason="  Customer said they repainted it. ",
    )
    assert message.kind == "reply"
    record = ReplyCheckRecord.objects.get()
    assert (record.message_id, record.agent_id, record.overridden) == (message.pk, agent.pk, True)
    assert record.kinds == ["re_ask"]
    assert record.reason == "Customer said they repainted it."
    event = Event.objects.get(ticket=ticket, kind=OVERRIDE_EVENT)
    assert event.data["kinds"] == ["re_ask"]
    assert event.data["reason"] == "Customer said they repainted it."
    assert event.message_id == message.pk


def test_clean_send_records_no_override(ticket: Ticket, agent: User) -> None:
    message = send_checked_reply(
        ticket=ticket,
        actor=agent,
        body_text="Hi Maria,\nThe repair estimate for your red car is attached.\nDana",
    )
    record = ReplyCheckRecord.objects.get()
    assert (record.message_id, record.kinds, record.overridden, record.reason) == (
        message.pk,
        [],
        False,
        "",
    )
    assert not Event.objects.filter(ticket=ticket, kind=OVERRIDE_EVENT).exists()


def test_rule_added_in_admin_takes_effect(ticket: Ticket, agent: User) -> None:
    draft = "Hi Maria, your car estimate is ready, you absolute muppet."
    assert _kinds(check_reply(ticket=ticket, draft=draft, author=agent)) == []
    ruleset = RuleSet.objects.create(name="Shop slang", language="en")
    RuleEntry.objects.create(ruleset=ruleset, list_name=RuleList.DISRESPECT, value="muppet")
    findings = check_reply(ticket=ticket, draft=draft, author=agent)
    assert _kinds(findings) == ["disrespect"]
    assert draft[findings[0].start : findings[0].end] == "muppet"
    ruleset.enabled = False
    ruleset.save()
    assert _kinds(check_reply(ticket=ticket, draft=draft, author=agent)) == []


def test_admin_severity_entry_turns_a_kind_into_advice(ticket: Ticket, agent: User) -> None:
    ruleset = RuleSet.objects.create(name="Lenient", language="en")
    RuleEntry.objects.create(
        ruleset=ruleset, list_name=RuleList.SEVERITY, value="condescension=advice"
    )
    findings = check_reply(
        ticket=ticket, draft="Hi Maria, calm down, the car estimate is ready.", author=agent
    )
    assert [(f.kind, f.severity) for f in findings] == [("condescension", "advice")]


def test_a_broken_admin_entry_is_left_out_and_the_rest_still_apply(
    ticket: Ticket, agent: User
) -> None:
    # Saved past the admin form (a shell, an import): the check must not fail for every draft.
    ruleset = RuleSet.objects.create(name="Typos", language="en")
    RuleEntry.objects.create(ruleset=ruleset, list_name=RuleList.DISRESPECT, value="re:(muppet")
    RuleEntry.objects.create(
        ruleset=ruleset, list_name=RuleList.THRESHOLD, value="tone_model_min_words=inf"
    )
    RuleEntry.objects.create(ruleset=ruleset, list_name=RuleList.DISRESPECT, value="numpty")
    draft = "Hi Maria, your car estimate is ready, you numpty."
    findings = check_reply(ticket=ticket, draft=draft, author=agent)
    assert _kinds(findings) == ["disrespect"]
    assert draft[findings[0].start : findings[0].end] == "numpty"


@pytest.mark.parametrize(
    ("list_name", "value", "reason"),
    [
        (RuleList.DISRESPECT, "re:(muppet", "does not compile"),
        (RuleList.HOSTILE, "re:(?i)how dare you", "does not compile"),
        (RuleList.THRESHOLD, "tone_model_min=high", "name=number"),
        (RuleList.THRESHOLD, "tone_model_min_words=inf", "name=number"),
        (RuleList.DISRESPECT, "re:(?P<w>muppet)", "Named groups"),
        (RuleList.DISRESPECT, "re:x)|(?:y", "does not compile"),
        (RuleList.HOSTILE, r"re:(?:\w+\s?)+ (?:moron|idiot)", "repeat inside"),
        (RuleList.THRESHOLD, "tone_model_l2=5", "between 0 and 1"),
        (RuleList.THRESHOLD, "tone_model_min_hostile_tone=1.5", "between 0 and 1"),
        (RuleList.THRESHOLD, "shouting_min_word=2", 'Did you mean "shouting_min_words"?'),
        (RuleList.THRESHOLD, "politeness=0.5", 'No check reads a threshold named "politeness"'),
        (RuleList.SEVERITY, "condescension=sometimes", "kind=advice"),
        (RuleList.TONE_EXAMPLE, "rude: You again?", "kind: sentence"),
        (RuleList.DIMINUTIVES, "Katherine", "at least two names"),
    ],
)
def test_admin_form_refuses_an_unusable_entry_with_the_reason(
    db: None, list_name: str, value: str, reason: str
) -> None:
    ruleset = RuleSet.objects.create(name="Checked", language="en")
    entry = RuleEntry(ruleset=ruleset, list_name=list_name, value=value)
    with pytest.raises(ValidationError) as refused:
        entry.full_clean()
    assert reason in " ".join(refused.value.message_dict["value"])


@pytest.mark.parametrize(
    ("list_name", "value"),
    [
        (RuleList.DISRESPECT, r"re:\bmuppets?\b"),
        (RuleList.THRESHOLD, "tone_model_min_words=4"),
        (RuleList.THRESHOLD, "hostile_compound=-0.6"),
        (RuleList.THRESHOLD, "tone_model_min_condescension=0.7"),
        (RuleList.THRESHOLD, "tone_model_hostile_min=0.6"),
        (RuleList.SEVERITY, "condescension=advice"),
        (RuleList.TONE_EXAMPLE, "hostile tone: Don't bother writing again."),
        (RuleList.DIMINUTIVES, "Katherine, Kate, Kathy"),
    ],
)
def test_admin_form_accepts_a_usable_entry(db: None, list_name: str, value: str) -> None:
    ruleset = RuleSet.objects.create(name="Checked", language="en")
    RuleEntry(ruleset=ruleset, list_name=list_name, value=value).full_clean()


def test_inbound_sentiment_is_scored_once_per_message(ticket: Ticket, agent: User) -> None:
    angry = add_inbound_message(
        ticket=ticket, body_text="This is terrible. You lost my car and nobody cares. Awful."
    )
    first = score_inbound(message=angry)
    assert first is not None and first.label == "negative" and first.compound < -0.5
    score_inbound(message=angry)
    assert MessageSentiment.objects.filter(message=angry).count() == 1
    reply = send_checked_reply(
        ticket=ticket, actor=agent, body_text="Hi Maria, your red car is safe on our lot."
    )
    assert score_inbound(message=reply) is None
    assert not MessageSentiment.objects.filter(message=reply).exists()


def test_context_holds_the_last_message_and_the_earlier_ones(ticket: Ticket, agent: User) -> None:
    add_inbound_message(ticket=ticket, body_text="Can I pay by bank transfer?")
    add_inbound_message(ticket=ticket, body_text="Where is my car now?")
    context = build_context(ticket=ticket, author=agent)
    assert context.last_customer_message == "Where is my car now?"
    assert context.earlier_customer_messages == [
        "You towed my car yesterday. When will the repair estimate be ready?",
        "Can I pay by bank transfer?",
    ]


def test_every_threshold_a_check_reads_is_one_an_admin_may_set() -> None:
    # An admin entry naming a threshold no check reads is refused; the names the
    # checks do read must therefore all be known, or an admin could not tune them.
    source = "\n".join(
        path.read_text(encoding="utf-8")
        for path in (Path(__file__).resolve().parent.parent).rglob("*.py")
        if "tests" not in path.parts
    )
    read = set(re.findall(r'thresholds(?:\.get\(|\[)"(\w+)"', source))
    assert read, "the pattern no longer finds the threshold reads"
    assert read <= known_thresholds()
