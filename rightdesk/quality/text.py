"""Small pure text helpers for the reply check: sentences, words, a crude stemmer."""

from __future__ import annotations

import re
from collections.abc import Iterator

WORD_RE = re.compile(r"[^\W_][\w'\u2019-]*")
SENTENCE_RE = re.compile(r"(?:[^.!?\n]|\.(?=\d|[a-z]))+(?:[.!?]+[\"')\]]*|\n|$)")
_SUFFIXES = ("ingly", "edly", "ing", "ed", "es", "s", "ly")


def stem(word: str) -> str:
    """A crude suffix stripper: enough to match 'refunded' with 'refund'."""
    word = word.lower().replace("\u2019", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith(("ies", "ied")):
        return word[:-3] + "y"  # "deliveries", "copied": "delivery", "copy"
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]  # "brake", "brakes", "braked": "brak"
    return word


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """Spans of sentences (or lines), trimmed of surrounding white space."""
    for match in SENTENCE_RE.finditer(text):
        start = match.start()
        chunk = match.group()
        stripped = chunk.strip()
        if not stripped:
            continue
        lead = len(chunk) - len(chunk.lstrip())
        yield start + lead, start + lead + len(stripped)


def words(text: str) -> list[str]:
    return [w.lower().replace("\u2019", "'") for w in WORD_RE.findall(text)]


def sentence_at(spans: list[tuple[int, int]], position: int) -> tuple[int, int]:
    """The sentence span containing ``position`` (or an empty span there)."""
    for start, end in spans:
        if start <= position < end:
            return start, end
    return position, position
