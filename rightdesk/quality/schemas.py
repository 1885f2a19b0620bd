"""API shapes of the reply check."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field


class ReplyCheckIn(Schema):
    body: str = Field(max_length=200_000)


class FindingOut(Schema):
    kind: str
    severity: str
    start: int
    end: int
    explanation: str
    suggestion: str
    excerpt: str


class ReplyCheckOut(Schema):
    findings: list[FindingOut]
    blocking: bool
