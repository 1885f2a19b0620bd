"""Must-show 6: pathological messages end as a ticket or quarantine within 2 s CPU / 256 MB."""

from __future__ import annotations

import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from rightdesk.channels.choices import RawState
from rightdesk.channels.models import RawMessage
from rightdesk.channels.tests.hostile import _nested

Deliver = Callable[[bytes], RawMessage]
ROOT = Path(__file__).resolve().parents[3]

CPU_SECONDS = 2
MEMORY_BYTES = 256 * 1024 * 1024

PARSE = """
import sys
from rightdesk.channels.parsing import ParseError, parse_email
raw = sys.stdin.buffer.read()
try:
    parsed = parse_email(raw)
except ParseError as exc:
    print("quarantine", exc.code)
else:
    print("ticket", len(parsed.subject), parsed.from_address)
"""


def _deep() -> bytes:
    return _nested(2000, 0)


def _many_to() -> bytes:
    to = ", ".join(f"user{n}@example.com" for n in range(50_000))
    return (
        f"From: Many <many@example.com>\nTo: {to}\nSubject: fifty thousand\n"
        "Message-ID: <many@example.com>\n\nHello all.\n"
    ).encode()


def _long_header_line(name: str) -> bytes:
    return (
        f"From: Long <long@example.com>\nTo: help@shop.example\n{name}: "
        + "a" * 5_000_000
        + "\nMessage-ID: <long-"
        + name
        + "@example.com>\n\nbody\n"
    ).encode()


CASES = {
    "nested-2000": (_deep, "quarantine too_deep"),
    "to-50000": (_many_to, "ticket 14 many@example.com"),
    "subject-5mb": (lambda: _long_header_line("Subject"), "ticket 300 long@example.com"),
    "x-header-5mb": (lambda: _long_header_line("X-Filler"), "ticket 0 long@example.com"),
}


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


@pytest.mark.parametrize("case", list(CASES))
def test_parser_stays_within_2s_cpu_and_256mb(case: str) -> None:
    make, expected = CASES[case]
    result = subprocess.run(
        [sys.executable, "-c", PARSE],
        input=make(),
        capture_output=True,
        cwd=ROOT,
        preexec_fn=_limit,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert result.stdout.decode().strip() == expected


@pytest.mark.parametrize("case", list(CASES))
def test_pathological_message_ends_as_ticket_or_quarantine(deliver: Deliver, case: str) -> None:
    make, expected = CASES[case]
    stored = deliver(make())
    if expected.startswith("quarantine"):
        assert (stored.state, stored.reason_code) == (RawState.QUARANTINED, expected.split()[1])
    else:
        assert stored.state == RawState.PLACED
        assert stored.ticket is not None
