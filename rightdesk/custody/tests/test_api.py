"""Custody over HTTP: check-in, where-is, moves, the lot walk, the queue, and the pages."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

from rightdesk.accounts.services import issue_token
from rightdesk.custody.models import CustodyItem, Location, ServiceJob
from rightdesk.custody.services import create_location
from rightdesk.customers.models import Customer


def https(**headers: str) -> Client:
    return Client(HTTP_X_FORWARDED_PROTO="https", **headers)


def api(user: User) -> Client:
    _, raw = issue_token(user=user, name="test")
    return https(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client: Client, path: str, body: dict[str, object]) -> object:
    return client.post(f"/api/v1/custody{path}", data=body, content_type="application/json")


def test_only_managers_configure_locations(agent: User, manager: User) -> None:
    refused = post(api(agent), "/locations", {"name": "Front lot"})
    assert refused.status_code == 403  # type: ignore[attr-defined]
    assert Location.objects.count() == 0
    created = post(api(manager), "/locations", {"name": "Front lot", "kind": "lot"})
    assert created.status_code == 201  # type: ignore[attr-defined]
    listed = api(agent).get("/api/v1/custody/locations").json()
    assert [(loc["name"], loc["kind"]) for loc in listed] == [("Front lot", "lot")]


def test_check_in_find_move_confirm_and_queue(
    customer: Customer, agent: User, manager: User
) -> None:
    lot = create_location(name="Front lot", actor=manager)
    bay = create_location(name="Bay 1", kind="bay", actor=manager)
    client = api(agent)
    missing = post(
        client,
        "/items",
        {"customer_id": customer.pk, "kind": "vehicle", "arrival": "towed", "make": "Toyota"},
    )
    assert missing.status_code == 422  # type: ignore[attr-defined]
    assert missing.json()["code"] == "identity_required"  # type: ignore[attr-defined]
    assert CustodyItem.objects.count() == 0

    created = post(
        client,
        "/items",
        {
            "customer_id": customer.pk,
            "kind": "vehicle",
            "arrival": "towed",
            "make": "Toyota",
            "model": "Corolla",
            "colour": "Red",
            "plate": "IL ABC-123",
            "location_id": lot.pk,
        },
    )
    assert created.status_code == 201  # type: ignore[attr-defined]
    item = created.json()  # type: ignore[attr-defined]
    assert (item["title"], item["location"], item["status"], item["ticket"]) == (
        "Red Toyota Corolla (IL ABC-123)",
        "Front lot",
        "checked_in",
        CustodyItem.objects.get().ticket.reference,
    )

    found = client.get("/api/v1/custody/items", {"q": "+1 (312) 555-0142"}).json()
    assert [(f["id"], f["location"]) for f in found] == [(item["id"], "Front lot")]

    moved = post(client, f"/items/{item['id']}/move", {"location_id": bay.pk})
    assert moved.json()["location"] == "Bay 1"  # type: ignore[attr-defined]
    bad = post(client, f"/items/{item['id']}/status", {"status": "returned_to_owner"})
    assert bad.status_code == 422  # type: ignore[attr-defined]
    status = post(client, f"/items/{item['id']}/status", {"status": "diagnosing"})
    assert status.json()["status"] == "diagnosing"  # type: ignore[attr-defined]

    walk = client.get("/api/v1/custody/lot-walk").json()
    assert [(w["id"], w["overdue"]) for w in walk] == [(item["id"], False)]
    confirmed = post(client, f"/items/{item['id']}/confirm", {})
    assert confirmed.status_code == 200  # type: ignore[attr-defined]

    job = post(client, "/queue", {"item_id": item["id"], "description": "No start"})
    assert job.status_code == 201  # type: ignore[attr-defined]
    twice = post(client, "/queue", {"item_id": item["id"], "description": "Again"})
    assert twice.status_code == 409  # type: ignore[attr-defined]
    assert ServiceJob.objects.count() == 1
    queue = client.get("/api/v1/custody/queue").json()
    assert [(q["position"], q["item_title"]) for q in queue] == [
        (1, "Red Toyota Corolla (IL ABC-123)")
    ]


def test_moving_ahead_over_http_needs_a_reason(customer: Customer, agent: User) -> None:
    client = api(agent)
    ids = []
    for serial in ("S1", "S2"):
        item = post(
            client,
            "/items",
            {"customer_id": customer.pk, "kind": "device", "arrival": "posted", "serial": serial},
        ).json()  # type: ignore[attr-defined]
        ids.append(
            post(client, "/queue", {"item_id": item["id"], "description": "Screen"}).json()["id"]
        )  # type: ignore[attr-defined]
    refused = post(client, f"/queue/{ids[1]}/move-ahead", {"ahead_of": ids[0], "reason": ""})
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert [q["job"]["id"] for q in client.get("/api/v1/custody/queue").json()] == ids
    moved = post(
        client,
        f"/queue/{ids[1]}/move-ahead",
        {"ahead_of": ids[0], "reason": "Warranty recall, parts on hand"},
    )
    assert moved.status_code == 200  # type: ignore[attr-defined]
    assert [q["job"]["id"] for q in client.get("/api/v1/custody/queue").json()] == ids[::-1]


def test_pages_for_the_front_desk(customer: Customer, agent: User, manager: User) -> None:
    lot = create_location(name="Front lot", actor=manager)
    client = api(agent)
    item = post(
        client,
        "/items",
        {
            "customer_id": customer.pk,
            "kind": "vehicle",
            "arrival": "towed",
            "make": "Toyota",
            "model": "Corolla",
            "colour": "Red",
            "plate": "IL ABC-123",
            "location_id": lot.pk,
        },
    ).json()  # type: ignore[attr-defined]
    page = https()
    page.force_login(agent)
    where = page.get("/desk/custody/", {"q": "312 555 0142"}).content.decode()
    assert "Red Toyota Corolla (IL ABC-123)" in where
    assert "<strong>Front lot</strong>, checked in" in where
    walk = page.get("/desk/custody/lot-walk/").content.decode()
    assert f'id="walk-{item["id"]}"' in walk
    confirmed = page.post(f"/desk/custody/lot-walk/{item['id']}/confirm/", HTTP_HX_REQUEST="true")
    assert confirmed.status_code == 200
    assert confirmed.content.decode().startswith(f'<li id="walk-{item["id"]}"')
    assert CustodyItem.objects.get().confirmations.count() == 1
    assert page.get("/desk/custody/queue/").status_code == 200
    assert https().get("/desk/custody/lot-walk/").status_code == 302  # login first


def test_the_case_file_shows_the_car_so_nobody_asks_again(
    customer: Customer, agent: User, manager: User
) -> None:
    from rightdesk.custody.services import Identity, check_in_item

    car = check_in_item(
        customer=customer,
        kind="vehicle",
        arrival="towed",
        actor=agent,
        identity=Identity(make="Toyota", model="Corolla", colour="Red", plate="IL ABC-123"),
        location=create_location(name="Back lot", actor=manager),
    )
    page = https()
    page.force_login(agent)
    html = page.get(f"/desk/tickets/{car.ticket.reference}/").content.decode()
    assert "Items in our care" in html
    for fact in (
        "<dt>Make</dt><dd>Toyota</dd>",
        "<dt>Model</dt><dd>Corolla</dd>",
        "<dt>Colour</dt><dd>Red</dd>",
        "<dt>Plate</dt><dd>IL ABC-123</dd>",
        "<dt>Where</dt><dd>Back lot</dd>",
    ):
        assert fact in html
