"""A broken promise always reaches a manager, even without a team manager set."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from rightdesk.accounts.models import Role
from rightdesk.accounts.services import create_agent, create_team
from rightdesk.commitments.choices import Kind
from rightdesk.commitments.services import create_commitment, sweep_commitments
from rightdesk.customers.models import Customer
from rightdesk.notifications.models import Notification, NotificationKind
from rightdesk.tickets.choices import Channel
from rightdesk.tickets.services import create_ticket


def test_without_team_manager_the_desk_managers_hear_of_it(agent: User, customer: Customer) -> None:
    boss = create_agent(username="boss", display_name="Ana Boss", role=Role.MANAGER)
    create_agent(username="bob", display_name="Bob", role=Role.AGENT)
    ticket = create_ticket(
        customer=customer, subject="No team", channel=Channel.PHONE, owner=agent, actor=agent
    )
    now = timezone.now()
    create_commitment(
        ticket=ticket,
        actor=agent,
        kind=Kind.CALL_BACK,
        due_at=now + timedelta(minutes=5),
        promised_text="Call back",
    )
    assert sweep_commitments(now=now + timedelta(minutes=5)) == {"broken": 1, "reminded": 0}
    escalations = Notification.objects.filter(kind=NotificationKind.ESCALATION)
    assert [n.recipient for n in escalations] == [boss]


def test_owner_teams_manager_is_preferred(agent: User, customer: Customer) -> None:
    lead = create_agent(username="lead", display_name="Lea Lead", role=Role.MANAGER)
    create_agent(username="other_boss", display_name="Other", role=Role.MANAGER)
    own_team = create_team(name="Workshop", manager=lead)
    own_team.members.add(agent)
    ticket = create_ticket(
        customer=customer, subject="No team", channel=Channel.PHONE, owner=agent, actor=agent
    )
    now = timezone.now()
    create_commitment(
        ticket=ticket,
        actor=agent,
        kind=Kind.REPLY,
        due_at=now + timedelta(minutes=5),
        promised_text="Reply",
    )
    sweep_commitments(now=now + timedelta(minutes=6))
    escalations = Notification.objects.filter(kind=NotificationKind.ESCALATION)
    assert [n.recipient for n in escalations] == [lead]
