"""What every check shares: the kinds, the context a check reads, the finding it
returns, and the phrase matching with negation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from rightdesk.quality.rules import Rules
from rightdesk.quality.text import sentence_at, words

KINDS = (
    "wrong_name",
    "off_issue",
    "re_ask",
    "disrespect",
    "profanity",
    "condescension",
    "shouting",
    "arrogance",
    "hostile_tone",
    "deflection",
    "canned",
    "promise",
)
#: Kinds that judge the respect of a sentence; hostile tone defers to them (one tone
#: finding per sentence: a shouted "STOP WRITING" is shouting, not also hostile).
RESPECT_KINDS = frozenset({"disrespect", "profanity", "condescension", "arrogance", "shouting"})
#: Every kind that judges how a sentence speaks to the customer; the learnt tone model
#: adds a finding only to a sentence that holds none of them.
TONE_KINDS = RESPECT_KINDS | {"hostile_tone", "deflection"}


@dataclass(frozen=True)
class Finding:
    """One thing the agent should look at before sending, with where it is."""

    kind: str
    severity: str  # "block" (send needs a reason) or "advice"
    start: int
    end: int
    explanation: str
    suggestion: str = ""
    excerpt: str = ""

    @property
    def blocking(self) -> bool:
        return self.severity == "block"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Field:
    """Something on file that a reply must not ask for again."""

    label: str
    value: str
    terms: tuple[str, ...] = ()
    kind: str = "fact"  # fact | email | phone | order | name | item


@dataclass
class CheckContext:
    """What the check knows about the ticket, gathered from the database (or a test file)."""

    customer_name: str
    preferred_name: str = ""
    agent_name: str = ""
    facts: list[Field] = field(default_factory=list)
    contacts: list[Field] = field(default_factory=list)
    orders: list[str] = field(default_factory=list)
    items: list[Field] = field(default_factory=list)
    #: Product names of the lines of the customer's orders ("Oak bench 140 cm").
    order_lines: list[str] = field(default_factory=list)
    last_customer_message: str = ""
    #: The customer's messages before the last one, oldest first: questions that may
    #: already be settled, so a reply about only them misses the latest ask.
    earlier_customer_messages: list[str] = field(default_factory=list)
    subject: str = ""
    other_names: list[str] = field(default_factory=list)
    templates: list[str] = field(default_factory=list)
    recent_replies: list[str] = field(default_factory=list)
    language: str = "en"


def _finding(
    rules: Rules,
    kind: str,
    start: int,
    end: int,
    draft: str,
    explanation: str = "",
    suggestion: str = "",
    *,
    advice: bool = False,
) -> Finding:
    """A finding of ``kind`` over ``draft[start:end]``; ``advice`` asks the agent to look
    again whatever the kind's severity (a learnt guess, a word that slights as often
    as not)."""
    return Finding(
        kind=kind,
        severity="advice" if advice else rules.severity.get(kind, "block"),
        start=start,
        end=end,
        explanation=explanation or rules.explanations.get(kind, ""),
        suggestion=suggestion or rules.suggestions.get(kind, ""),
        excerpt=draft[start:end][:200],
    )


_CLAUSE_BREAK = re.compile(r"[,;:()\u2014]|\s-\s")


def _negated(rules: Rules, text: str, sentence_start: int, start: int) -> bool:
    """Is the phrase at ``start`` negated ("I am not going to blacklist anyone")?"""
    prefix = text[sentence_start:start]
    parts = _CLAUSE_BREAK.split(prefix)
    clause_words = words(parts[-1]) if parts else []
    for index in range(len(clause_words) - 1, -1, -1):
        if clause_words[index] in rules.negation_breakers:
            clause_words = clause_words[index + 1 :]
            break
    window = int(rules.thresholds.get("negation_window", 5))
    tail = clause_words[-window:]
    if any(w in rules.negation_transparent for w in tail):
        return False
    return any(w in rules.negations or w.endswith("n't") for w in tail)


def _phrase_hits(
    rules: Rules, kind: str, draft: str, spans: list[tuple[int, int]], *, negatable: bool = True
) -> list[tuple[int, int]]:
    pattern = rules.patterns.get(kind)
    if pattern is None:
        return []
    hits: list[tuple[int, int]] = []
    for match in pattern.finditer(draft):
        start, end = match.span()
        if start == end:
            continue
        sent_start, _ = sentence_at(spans, start)
        if negatable and _negated(rules, draft, sent_start, start):
            continue
        hits.append((start, end))
    return hits


def _overlaps(span: tuple[int, int], others: Sequence[tuple[int, int]]) -> bool:
    return any(span[0] < b and a < span[1] for a, b in others)


def blame_elsewhere(
    rules: Rules, draft: str, spans: list[tuple[int, int]], *, targeted: bool = False
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Sentences whose blame words are about someone other than the customer, and of
    those the ones beside the customer's being the victim.

    "Someone used your card details fraudulently", "Someone impersonated you in a
    store. That's fraud": a third party named in the sentence or one beside it takes
    the blame; so does the wrong told next to the customer's being the victim ("I'm so
    sorry this happened to you. What you describe is abuse…"). Nothing is excused in
    a sentence that makes the customer the wrongdoer ("you committed fraud",
    "fraudsters like you", "the thief is you"), and such a sentence ("Nobody
    impersonated you.") names no one for the sentences beside it.

    When ``targeted`` (the customer wrote that someone approached or tricked them:
    ``customer_targeted``), a sentence that neither makes the customer the wrongdoer
    nor stands beside one that does is taken as about that someone: "It sounds like
    a scam, and I've reported it to Action Fraud" needs no third party of its own.
    Such a sentence is listed whether or not it holds a blame word.
    """
    named = rules.patterns.get("third_party")
    victim = rules.patterns.get("customer_as_victim")
    at_customer = rules.patterns.get("blame_at_customer")
    if named is None and victim is None and not targeted:
        return [], []
    texts = [draft[a:b] for a, b in spans]
    blaming = [at_customer is not None and bool(at_customer.search(t)) for t in texts]
    victims = [
        not blaming[i] and victim is not None and bool(victim.search(t))
        for i, t in enumerate(texts)
    ]
    others = [
        not blaming[i] and named is not None and bool(named.search(t)) for i, t in enumerate(texts)
    ]
    elsewhere: list[tuple[int, int]] = []
    beside_victim: list[tuple[int, int]] = []
    for index, span in enumerate(spans):
        if blaming[index]:
            continue
        near = range(max(0, index - 1), min(len(spans), index + 2))
        if any(victims[i] for i in near):
            beside_victim.append(span)
            elsewhere.append(span)
        elif any(others[i] for i in near) or (targeted and not any(blaming[i] for i in near)):
            elsewhere.append(span)
    return elsewhere, beside_victim


def customer_targeted(rules: Rules, ctx: CheckContext) -> bool:
    """Whether the customer's last message reports someone else approaching or
    tricking them ("A man rang saying he was from Hearthwise", "Is this e-mail
    genuine?"): see ``blame_elsewhere``."""
    pattern = rules.patterns.get("customer_targeted")
    message = ctx.last_customer_message
    return pattern is not None and bool(pattern.search(message))
