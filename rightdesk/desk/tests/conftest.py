"""Console test fixtures: an HTTPS test client."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


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
