"""Seed 000: the towed car that nobody could find, identify or schedule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.utils import timezone

from rightdesk.core.errors import Invalid
from rightdesk.custody.context import ticket_items_context
from rightdesk.custody.models import CustodyItem, CustodySettings
from rightdesk.custody.queue import enqueue_job, finish_job, service_queue, start_job
from rightdesk.custody.services import (
    Identity,
    change_item_status,
    check_in_item,
    confirm_item,
    create_location,
    flag_unconfirmed_items,
    flagged_items,
    lot_walk,
    move_item,
    where_is,
)
from rightdesk.customers.models import Customer
from rightdesk.customers.services import create_customer
from rightdesk.tickets.models import Ticket

COROLLA = Identity(make="Toyota", model="Corolla", colour="red", plate="IL ABC-123")


def test_towed_car_is_found_flagged_queued_and_never_asked_about_again(
    customer: Customer, agent: User, manager: User
) -> None:
    lot = create_location(name="Back lot", actor=manager)
    bay = create_location(name="Bay 2", kind="bay", actor=manager)
    CustodySettings.objects.update_or_create(pk=1, defaults={"confirm_within_hours": 4})

    # Someone else's car is already waiting for the workshop.
    other = create_customer(name="Tom Reyes", phones=["+1 312 555 0199"])
    other_car = check_in_item(
        customer=other,
        kind="vehicle",
        arrival="dropped_off",
        identity=Identity(make="Ford", model="Focus", colour="blue"),
        actor=agent,
        location=lot,
    )
    enqueue_job(item=other_car, description="Brake noise", actor=agent)

    # The towed car is checked in once, with its identity.
    car = check_in_item(
        customer=customer,
        kind="vehicle",
        arrival="towed",
        identity=COROLLA,
        actor=agent,
        location=lot,
    )
    ticket = car.ticket
    assert ticket.subject == "Red Toyota Corolla (IL ABC-123): towed in"
    checked_in = ticket.events.get(kind="item_checked_in")
    assert (checked_in.actor, checked_in.data["arrival_label"], checked_in.data["location"]) == (
        agent,
        "Towed in",
        "Back lot",
    )

    # The front desk finds it by the phone number the customer calls from.
    found = where_is("(312) 555-0142")
    assert [(i.pk, i.location.name, i.get_status_display()) for i in found] == [  # type: ignore[union-attr]
        (car.pk, "Back lot", "Checked in")
    ]
    assert [i.pk for i in where_is("abc 123")] == [car.pk]
    assert [i.pk for i in where_is("maria gonz")] == [car.pk]

    # Moves and status changes are on the timeline with who did them.
    move_item(item=car, location=bay, actor=agent)
    change_item_status(item=car, status="waiting", actor=agent)
    assert list(
        ticket.events.filter(kind__in=["item_moved", "item_status_changed"]).values_list(
            "kind", "actor__username", "data__to"
        )
    ) == [("item_moved", "dana", "Bay 2"), ("item_status_changed", "dana", "waiting")]

    # The lot walk flags the car nobody has confirmed for four hours; confirming clears it.
    later = timezone.now() + timedelta(hours=5)
    walk = lot_walk(now=later)
    assert {i.pk: i.overdue for i in walk} == {other_car.pk: True, car.pk: True}  # type: ignore[attr-defined]
    confirm_item(item=other_car, actor=agent, at=later - timedelta(minutes=30))
    assert flag_unconfirmed_items(now=later) == 1
    assert flag_unconfirmed_items(now=later) == 0
    assert [i.pk for i in flagged_items()] == [car.pk]
    assert ticket.events.filter(kind="item_unconfirmed").count() == 1

    # The queue: second in line behind the Focus; the estimate uses the default job length.
    enqueue_job(item=car, description="Diagnose no-start after tow", actor=agent)
    entries = service_queue(now=later)
    assert [(e.job.item_id, e.position) for e in entries] == [(other_car.pk, 1), (car.pk, 2)]
    assert entries[1].estimated_start == later + timedelta(hours=4)

    # The case file shows the identity, place and queue position: nothing to ask again.
    html = render_to_string(
        "custody/partials/ticket_items.html", {"custody": ticket_items_context(ticket)}
    )
    for fact in (
        "Toyota",
        "Corolla",
        "red",
        "IL ABC-123",
        "Bay 2",
        "Towed in",
        "Position 2",
        "not confirmed on the lot walk",
    ):
        assert fact in html
    assert Ticket.objects.filter(customer=customer).count() == 1


def test_a_vehicle_without_make_model_and_colour_is_refused(
    customer: Customer, agent: User
) -> None:
    with pytest.raises(Invalid) as err:
        check_in_item(
            customer=customer,
            kind="vehicle",
            arrival="towed",
            identity=Identity(make="Toyota"),
            actor=agent,
        )
    assert err.value.code == "identity_required"
    assert CustodyItem.objects.count() == 0
    assert Ticket.objects.count() == 0


def test_estimates_follow_recent_throughput(customer: Customer, agent: User) -> None:
    now = timezone.now()
    for n in range(4):
        item = check_in_item(
            customer=customer,
            kind="device",
            arrival="posted",
            identity=Identity(serial=f"SN{n}"),
            actor=agent,
        )
        job = enqueue_job(item=item, description="Screen", actor=agent)
        start_job(job=job, actor=agent)
        finish_job(job=job, actor=agent, at=now - timedelta(days=1))
    # 4 jobs in the last 14 days: one every 84 hours.
    waiting = [
        enqueue_job(
            item=check_in_item(
                customer=customer,
                kind="device",
                arrival="posted",
                identity=Identity(serial=f"W{n}"),
                actor=agent,
            ),
            description="Battery",
            actor=agent,
        )
        for n in range(2)
    ]
    entries = service_queue(now=now)
    assert [e.job.pk for e in entries] == [waiting[0].pk, waiting[1].pk]
    assert [e.estimated_start - now for e in entries] == [timedelta(0), timedelta(hours=84)]


def test_moving_ahead_needs_a_reason_on_the_timeline(customer: Customer, agent: User) -> None:
    from rightdesk.custody.queue import move_job_ahead

    jobs = [
        enqueue_job(
            item=check_in_item(
                customer=customer,
                kind="device",
                arrival="posted",
                identity=Identity(serial=f"Q{n}"),
                actor=agent,
            ),
            description=f"Job {n}",
            actor=agent,
        )
        for n in range(3)
    ]
    with pytest.raises(Invalid):
        move_job_ahead(job=jobs[2], ahead_of=jobs[0], reason="", actor=agent)
    assert [e.job.pk for e in service_queue()] == [j.pk for j in jobs]
    move_job_ahead(
        job=jobs[2], ahead_of=jobs[0], reason="Customer's only car, a nurse on call", actor=agent
    )
    assert [e.job.pk for e in service_queue()] == [jobs[2].pk, jobs[0].pk, jobs[1].pk]
    event = jobs[2].ticket.events.get(kind="job_moved_ahead")
    assert event.data["reason"] == "Customer's only car, a nurse on call"
    assert event.data["jumped"] == 2
