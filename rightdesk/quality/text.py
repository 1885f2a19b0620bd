"""Small pure text helpers for the reply check: sentences, words, a stemmer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

import snowballstemmer

WORD_RE = re.compile(r"[^\W_][\w'\u2019-]*")
SENTENCE_RE = re.compile(r"(?:[^.!?\n]|\.(?=\d|[a-z]))+(?:[.!?]+[\"')\]]*|\n|$)")
_ENGLISH = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of an English word: "addresses" and "address",
    "fitting" and "fit", "refunded" and "refund" meet; a possessive "'s" goes first."""
    word = word.lower().replace("\u2019", "'")
    if word.endswith("'s"):
        word = word[:-2]
    return _ENGLISH.stemWord(word)


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


#: Typographic marks that word processors and mail clients put in for the plain ones
#: the word lists are written with; each maps one character to one, so every span
#: found in the folded text is the same span in the original.
_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00a0": " ",
        "\u202f": " ",
        "\u2007": " ",
    }
)


def fold(text: str) -> str:
    """``text`` with curly quotes and apostrophes made straight and non-breaking spaces
    made plain ("you\u2019re lucky" reads as "you're lucky"); the length is unchanged."""
    return text if text.isascii() else text.translate(_TYPOGRAPHY)


def words(text: str) -> list[str]:
    return [w.lower().replace("\u2019", "'") for w in WORD_RE.findall(text)]


def sentence_at(spans: list[tuple[int, int]], position: int) -> tuple[int, int]:
    """The sentence span containing ``position`` (or an empty span there)."""
    for start, end in spans:
        if start <= position < end:
            return start, end
    return position, position
