"""Every console and download page refuses anonymous visitors and non-agents."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.http.response import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC = {"desk/login/"}


def _patterns(resolvers: list[URLPattern | URLResolver], prefix: str = "") -> list[str]:
    found: list[str] = []
    for entry in resolvers:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += _patterns(entry.url_patterns, route)
        else:
            found.append(route)
    return found


def _pages() -> list[str]:
    routes = [
        r
        for r in _patterns(get_resolver().url_patterns)
        if r.startswith(("desk/", "mail/")) and r not in PUBLIC and not r.startswith("^")
    ]
    return sorted(
        {
            re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "RD-1001" if "ref" in m.group(1) else "1", r)
            for r in routes
        }
    )


PAGES = _pages()


def test_the_console_has_pages_from_every_area() -> None:
    joined = " ".join(PAGES)
    for needle in ("desk/tickets/", "desk/custody/", "desk/shop/", "desk/quality/", "mail/"):
        assert needle in joined, needle


def _visit(client: Client, page: str) -> HttpResponseBase:
    """GET the page, or POST it when it only takes POST (actions)."""
    response = client.get("/" + page, secure=True)
    if response.status_code == 405:
        response = client.post("/" + page, {"body": "x", "note": "x"}, secure=True)
    return response


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_login(db: None, page: str) -> None:
    response = _visit(Client(), page)
    if page.startswith("mail/"):
        # Downloads answer 404 to anyone who may not see them: nothing to probe.
        assert response.status_code == 404, page
        return
    if page == "desk/logout/":
        assert response.status_code == 302
        return
    assert response.status_code == 302, page
    assert response["Location"].startswith("/desk/login/"), response["Location"]


@pytest.mark.parametrize("page", PAGES)
def test_non_agents_are_refused(db: None, page: str) -> None:
    client = Client()
    client.force_login(User.objects.create_user("outsider"))
    response = _visit(client, page)
    if page == "desk/logout/":
        assert response.status_code == 302
        return
    assert response.status_code in (403, 404), (page, response.status_code)
