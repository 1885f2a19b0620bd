"""Console test fixtures: an HTTPS test client and a plain-HTTP live server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, override_settings
from pytest_django.live_server_helper import LiveServer


class HttpsClient(Client):
    """A test client whose every request arrives over HTTPS, as behind a real proxy."""

    def request(self, **request: Any) -> Any:
        request["wsgi.url_scheme"] = "https"
        request.setdefault("SERVER_PORT", "443")
        if request.get("SERVER_PORT") == "80":
            request["SERVER_PORT"] = "443"
        return super().request(**request)


@pytest.fixture
def client() -> HttpsClient:
    return HttpsClient()


@pytest.fixture
def live_server(transactional_db: None) -> Iterator[LiveServer]:
    """A live console served over plain HTTP, as ``rightdesk serve`` does on 127.0.0.1.

    pytest-django's session-wide server loads its middleware once, with the
    production settings (HTTPS redirect, secure cookies) that a browser on
    http://localhost cannot use; this one is built while those are relaxed the
    way RIGHTDESK_INSECURE_HTTP relaxes them, and stopped after the test.
    """
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        SECURE_HSTS_SECONDS=0,
    ):
        server = LiveServer("localhost")
        try:
            yield server
        finally:
            server.stop()
