"""promise: commitments in the reply, which will be tracked once it is sent."""

from __future__ import annotations

from collections.abc import Callable

from rightdesk.quality.engine.findings import CheckContext, Finding, _finding, _overlaps
from rightdesk.quality.rules import Rules

PromiseDetector = Callable[[str], list[tuple[int, int, str]]]


def local_promises(rules: Rules, draft: str) -> list[tuple[int, int, str]]:
    """Promises found by the shipped patterns: (start, end, text)."""
    pattern = rules.patterns.get("promise")
    if pattern is None:
        return []
    found: list[tuple[int, int, str]] = []
    for match in pattern.finditer(draft):
        start = match.start()
        text = match.group().rstrip(" ,;")
        if any(start < b and a < start + len(text) for a, b, _ in found):
            continue
        found.append((start, start + len(text), text))
    return found


def check_promises(
    rules: Rules, ctx: CheckContext, draft: str, detector: PromiseDetector | None = None
) -> list[Finding]:
    found = local_promises(rules, draft)
    if detector is not None:
        # The promises domain's detector decides; the shipped patterns add what it misses.
        theirs = detector(draft)
        found = theirs + [
            p for p in found if not _overlaps((p[0], p[1]), [(a, b) for a, b, _ in theirs])
        ]
    return [
        _finding(
            rules,
            "promise",
            start,
            end,
            draft,
            f"Promise detected: “{text.strip()}”. It will be tracked with an owner and a "
            "due time; make sure you can keep it.",
        )
        for start, end, text in found
    ]
