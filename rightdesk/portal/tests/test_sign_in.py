"""Signing in without a password: one-time e-mailed links, no account probing."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail

from rightdesk.customers.models import Customer
from rightdesk.portal import urls as portal_urls
from rightdesk.portal.access import PORTAL_SESSION_KEY
from rightdesk.portal.models import SignInLink
from rightdesk.portal.tests.conftest import HttpsClient, sign_in_as
from rightdesk.tickets.models import Message
from rightdesk.tickets.services import create_ticket

LINK = re.compile(r"https://testserver/portal/sign-in/([A-Za-z0-9_-]+)/")
T0 = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)


def sign_in_mails() -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if m.subject == "Your sign-in link"]


def ask_for_link(client: HttpsClient, email: str, capture: object) -> str:
    with capture(execute=True):  # type: ignore[operator]
        response = client.post("/portal/sign-in/", {"email": email})
    assert response.status_code == 200
    return response.content.decode()


def token_from_last_mail() -> str:
    match = LINK.search(sign_in_mails()[-1].body)
    assert match is not None
    return match.group(1)


def test_a_known_address_gets_a_link_that_signs_in_once(
    client: HttpsClient, customer: Customer, django_capture_on_commit_callbacks: object
) -> None:
    create_ticket(customer=customer, subject="Brakes squeal", body_text="They squeal.")
    ask_for_link(client, "  Maria@Example.com ", django_capture_on_commit_callbacks)
    [sent] = sign_in_mails()
    assert sent.to == ["maria@example.com"]
    assert "Hello Maria," in sent.body
    assert "works once and for 30 minutes" in sent.body
    token = token_from_last_mail()
    link = SignInLink.objects.get()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in link.token_hash

    # Opening the link (as a mail scanner would) does not spend it.
    page = client.get(f"/portal/sign-in/{token}/")
    assert page.status_code == 200
    assert "Continue to your requests" in page.content.decode()
    assert client.get("/portal/").status_code == 302

    response = client.post(f"/portal/sign-in/{token}/")
    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    home = client.get("/portal/")
    assert home.status_code == 200
    assert "Brakes squeal" in home.content.decode()

    other_browser = HttpsClient()
    reused = other_browser.post(f"/portal/sign-in/{token}/")
    assert reused.status_code == 410
    assert PORTAL_SESSION_KEY not in other_browser.session
    assert other_browser.get("/portal/").status_code == 302


def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    client: HttpsClient, customer: Customer, django_capture_on_commit_callbacks: object
) -> None:
    known = ask_for_link(client, "maria@example.com", django_capture_on_commit_callbacks)
    unknown = ask_for_link(client, "maria@example.org", django_capture_on_commit_callbacks)
    assert unknown.replace("maria@example.org", "X") == known.replace("maria@example.com", "X")
    garbage = ask_for_link(client, "not an address", django_capture_on_commit_callbacks)
    assert "If not an address is an address we have on file" in garbage
    assert [m.to for m in sign_in_mails()] == [["maria@example.com"]]
    assert SignInLink.objects.count() == 1


def test_an_expired_link_fails(
    client: HttpsClient,
    customer: Customer,
    clock: object,
    django_capture_on_commit_callbacks: object,
) -> None:
    clock.set(T0)  # type: ignore[attr-defined]
    ask_for_link(client, "maria@example.com", django_capture_on_commit_callbacks)
    token = token_from_last_mail()
    clock.set(T0 + timedelta(minutes=30))  # type: ignore[attr-defined]
    assert client.get(f"/portal/sign-in/{token}/").status_code == 410
    response = client.post(f"/portal/sign-in/{token}/")
    assert response.status_code == 410
    assert "expired or was already used" in response.content.decode()
    assert PORTAL_SESSION_KEY not in client.session
    assert SignInLink.objects.get().used_at is None


def test_a_link_still_works_just_before_it_expires(
    client: HttpsClient,
    customer: Customer,
    clock: object,
    django_capture_on_commit_callbacks: object,
) -> None:
    clock.set(T0)  # type: ignore[attr-defined]
    ask_for_link(client, "maria@example.com", django_capture_on_commit_callbacks)
    token = token_from_last_mail()
    clock.set(T0 + timedelta(minutes=29, seconds=59))  # type: ignore[attr-defined]
    assert client.post(f"/portal/sign-in/{token}/").status_code == 302
    assert client.session[PORTAL_SESSION_KEY] == customer.pk


def test_a_forged_link_fails(client: HttpsClient, customer: Customer) -> None:
    forged = "A" * 43
    assert client.get(f"/portal/sign-in/{forged}/").status_code == 410
    assert client.post(f"/portal/sign-in/{forged}/").status_code == 410
    assert PORTAL_SESSION_KEY not in client.session


def test_signing_in_spends_the_customer_s_other_links(
    client: HttpsClient, customer: Customer, django_capture_on_commit_callbacks: object
) -> None:
    ask_for_link(client, "maria@example.com", django_capture_on_commit_callbacks)
    first = token_from_last_mail()
    ask_for_link(client, "maria@example.com", django_capture_on_commit_callbacks)
    second = token_from_last_mail()
    assert client.post(f"/portal/sign-in/{second}/").status_code == 302
    assert HttpsClient().post(f"/portal/sign-in/{first}/").status_code == 410


def test_links_per_address_are_rate_limited(
    client: HttpsClient,
    customer: Customer,
    clock: object,
    django_capture_on_commit_callbacks: object,
) -> None:
    clock.set(T0)  # type: ignore[attr-defined]
    answers = {ask_for_link(client, "maria@example.com", django_capture_on_commit_callbacks)}
    for _ in range(4):
        answers.add(ask_for_link(client, "maria@example.com", django_capture_on_commit_callbacks))
    assert len(answers) == 1  # the refusal looks like any other answer
    assert len(sign_in_mails()) == 3
    assert SignInLink.objects.count() == 3
    clock.set(T0 + timedelta(hours=1, seconds=1))  # type: ignore[attr-defined]
    ask_for_link(client, "maria@example.com", django_capture_on_commit_callbacks)
    assert len(sign_in_mails()) == 4


def test_sign_out_ends_the_portal_session(client: HttpsClient, customer: Customer) -> None:
    sign_in_as(client, customer)
    assert client.get("/portal/").status_code == 200
    response = client.post("/portal/sign-out/")
    assert response.status_code == 302
    assert response["Location"] == "/portal/sign-in/"
    assert PORTAL_SESSION_KEY not in client.session
    assert client.get("/portal/").status_code == 302


def test_an_agent_login_is_not_a_portal_session(client: HttpsClient, agent: User) -> None:
    client.force_login(agent)
    response = client.get("/portal/")
    assert response.status_code == 302
    assert response["Location"] == "/portal/sign-in/"


def test_forms_refuse_posts_without_the_csrf_token(
    customer: Customer, django_capture_on_commit_callbacks: object
) -> None:
    strict = HttpsClient(enforce_csrf_checks=True)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = strict.post("/portal/sign-in/", {"email": "maria@example.com"})
    assert response.status_code == 403
    assert sign_in_mails() == []
    assert SignInLink.objects.count() == 0
    page = strict.get("/portal/sign-in/")
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()


#: Pages open to anonymous visitors: the ways to sign in and out.
PUBLIC = {"sign_in", "use_link", "sign_out", "contact"}
PRIVATE_PAGES = sorted(
    "/portal/"
    + re.sub(
        r"<(?:\w+:)?(\w+)>", lambda m: "RD-1001" if m.group(1) == "ref" else "1", str(p.pattern)
    )
    for p in portal_urls.urlpatterns
    if p.name not in PUBLIC
)


def test_the_private_page_list_covers_every_area() -> None:
    assert {
        "/portal/",
        "/portal/items/",
        "/portal/items/1/",
        "/portal/orders/",
        "/portal/orders/1/",
        "/portal/requests/RD-1001/",
    } <= set(PRIVATE_PAGES)


@pytest.mark.parametrize("url", PRIVATE_PAGES)
def test_every_portal_page_sends_anonymous_visitors_to_sign_in(
    client: HttpsClient, customer: Customer, url: str
) -> None:
    ticket = create_ticket(customer=customer, subject="Brakes squeal", body_text="They squeal.")
    url = url.replace("RD-1001", ticket.reference)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == "/portal/sign-in/"
    posted = client.post(url, {"body": "hello"})
    assert posted.status_code in (302, 405)
    if posted.status_code == 302:
        assert posted["Location"] == "/portal/sign-in/"
    assert Message.objects.filter(ticket=ticket, kind="inbound").count() == 1


def test_spent_links_and_expired_sessions_are_swept_daily(customer: Customer) -> None:
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    from rightdesk.portal.services import request_sign_in_link
    from rightdesk.portal.tasks import sweep_sign_ins

    address = customer.contacts.get(kind="email").value
    assert request_sign_in_link(email=address, url_prefix="https://x/", at=T0)
    assert request_sign_in_link(email=address, url_prefix="https://x/")
    old_session = SessionStore()
    old_session.create()
    Session.objects.filter(session_key=old_session.session_key).update(
        expire_date=datetime.now(UTC) - timedelta(minutes=1)
    )
    live_session = SessionStore()
    live_session.create()

    assert sweep_sign_ins.call_local() == 2
    # The link of today stays (it counts for the hourly limit); the week-old one is gone.
    (kept,) = SignInLink.objects.all()
    assert kept.created_at > T0 + timedelta(days=7)
    assert not Session.objects.filter(session_key=old_session.session_key).exists()
    assert Session.objects.filter(session_key=live_session.session_key).exists()
