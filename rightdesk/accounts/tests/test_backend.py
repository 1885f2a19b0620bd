"""Signing in with a password and reading the session's agent with one query."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rightdesk.desk.tests.conftest import HttpsClient


def test_a_console_page_reads_the_agent_and_profile_together(agent: User) -> None:
    client = HttpsClient()
    assert client.login(username="dana", password="dana-pass-123")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/desk/tokens/").status_code == 200
    profile_reads = [
        q["sql"] for q in queries.captured_queries if 'FROM "accounts_agentprofile"' in q["sql"]
    ]
    assert profile_reads == []  # joined into the user's query
    user_reads = [q["sql"] for q in queries.captured_queries if 'FROM "auth_user"' in q["sql"]]
    assert len(user_reads) == 1 and "accounts_agentprofile" in user_reads[0]


def test_an_inactive_agent_s_session_ends(agent: User) -> None:
    client = HttpsClient()
    assert client.login(username="dana", password="dana-pass-123")
    User.objects.filter(pk=agent.pk).update(is_active=False)
    response = client.get("/desk/")
    assert response.status_code == 302 and response["Location"].startswith("/desk/login/")
