"""Reply-check services: check a draft, send a checked reply, score inbound sentiment."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from rightdesk.core.errors import Conflict, Invalid
from rightdesk.quality.context import build_context
from rightdesk.quality.engine import Finding, PromiseDetector, run_checks, vader
from rightdesk.quality.engine.tonemodel import model_of
from rightdesk.quality.models import MessageSentiment, ReplyCheckRecord, SentimentLabel
from rightdesk.quality.rules import DEFAULT_LANGUAGE, load_rules, shipped_rules
from rightdesk.quality.text import sentences
from rightdesk.tickets.models import Message, Ticket
from rightdesk.tickets.services import append_event, send_reply

OVERRIDE_EVENT = "reply_check_override"
MAX_REASON_CHARS = 1000
#: VADER's customary cut-offs for calling a text positive or negative.
POSITIVE_AT = 0.05
NEGATIVE_AT = -0.05


_OBLIGATION = re.compile(r"\byou(?:'ll| will) (?:have|need) to\b", re.IGNORECASE)


class ReplyCheckBlocked(Conflict):
    """A reply with a blocking finding was sent without a reason."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        kinds = sorted({f.kind for f in findings if f.blocking})
        super().__init__(
            "The reply check found: "
            + ", ".join(k.replace("_", " ") for k in kinds)
            + ". Fix the draft, or give a reason to send it anyway.",
            code="reply_check_blocked",
            field="override_reason",
        )
        self.findings = list(findings)


def promise_detector() -> PromiseDetector | None:
    """The promises domain's detector, when that app is present (else the local one is used)."""
    try:
        from rightdesk.commitments.detection import promise_kind
    except ImportError:
        return None

    def detect(draft: str) -> list[tuple[int, int, str]]:
        found = []
        for start, end in sentences(draft):
            sentence = draft[start:end]
            if _OBLIGATION.search(sentence):
                continue  # "you will have to contact…" tells the customer to act; no promise
            if promise_kind(sentence) is not None:
                found.append((start, end, sentence))
        return found

    return detect


def warm_reply_check(language: str = DEFAULT_LANGUAGE) -> None:
    """Load the shipped rules and train the tone model now, not on the first agent's draft.

    Training takes about fifteen seconds; ``rightdesk serve`` calls this in a background
    thread at start-up.
    """
    model_of(shipped_rules(language))
    vader()


def check_reply(
    *, ticket: Ticket, draft: str, author: User | None = None, templates: Sequence[str] = ()
) -> list[Finding]:
    """Everything the agent should look at in this draft before it goes to the customer.

    Runs entirely on this machine; ``templates`` are macro texts the draft started from.
    """
    context = build_context(ticket=ticket, author=author)
    context.templates = list(templates)
    rules = load_rules(context.language)
    return run_checks(context, draft, rules, promise_detector=promise_detector())


def _finding_data(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    return [f.as_dict() for f in findings]


@transaction.atomic
def send_checked_reply(
    *,
    ticket: Ticket,
    actor: User | None,
    body_text: str,
    override_reason: str = "",
    status: str | None = None,
) -> Message:
    """Send a reply only after the reply check; a blocking finding needs a stated reason.

    The findings and the reason are kept (ReplyCheckRecord) for the manager's
    quality view, and an override goes on the ticket's timeline.
    """
    reason = " ".join((override_reason or "").split())
    if len(reason) > MAX_REASON_CHARS:
        raise Invalid("The reason is too long.", field="override_reason")
    findings = check_reply(ticket=ticket, draft=body_text, author=actor)
    blocking = [f for f in findings if f.blocking]
    if blocking and not reason:
        raise ReplyCheckBlocked(findings)
    message = send_reply(ticket=ticket, actor=actor, body_text=body_text, status=status)
    assert actor is not None  # send_reply refuses a missing actor
    kinds = sorted({f.kind for f in findings})
    blocking_kinds = sorted({f.kind for f in blocking})
    overridden = bool(blocking)
    ReplyCheckRecord.objects.create(
        ticket=message.ticket,
        message=message,
        agent=actor,
        kinds=kinds,
        blocking_kinds=blocking_kinds,
        findings=_finding_data(findings),
        overridden=overridden,
        reason=reason if overridden else "",
        at=message.created_at,
    )
    if overridden:
        append_event(
            ticket=message.ticket,
            kind=OVERRIDE_EVENT,
            actor=actor,
            message=message,
            data={
                "kinds": blocking_kinds,
                "reason": reason,
                "findings": [{"kind": f.kind, "excerpt": f.excerpt} for f in blocking],
            },
        )
    return message


def sentiment_label(compound: float) -> str:
    if compound >= POSITIVE_AT:
        return SentimentLabel.POSITIVE
    if compound <= NEGATIVE_AT:
        return SentimentLabel.NEGATIVE
    return SentimentLabel.NEUTRAL


def _sentiment_values(message: Message) -> dict[str, Any]:
    scores = vader().polarity_scores(message.body_text or "")
    return {
        "compound": scores["compound"],
        "negative": scores["neg"],
        "neutral": scores["neu"],
        "positive": scores["pos"],
        "label": sentiment_label(scores["compound"]),
        "scored_at": timezone.now(),
    }


@transaction.atomic(savepoint=False)  # part of recording the message, never alone
def score_inbound(*, message: Message, new: bool = False) -> MessageSentiment | None:
    """Score how a customer's message reads and keep it for customer health.

    Only customer messages are scored (None otherwise); scoring again replaces
    the score, so calling it twice is harmless.
    """
    if not message.from_customer:
        return None
    if new:  # a message created in this transaction cannot have a score yet
        return score_new_inbound([message])[0]
    sentiment, _ = MessageSentiment.objects.update_or_create(
        message=message, defaults=_sentiment_values(message)
    )
    return sentiment


@transaction.atomic(savepoint=False)
def score_new_inbound(messages: Sequence[Message]) -> list[MessageSentiment]:
    """Score customer messages recorded in this transaction, in one INSERT."""
    return MessageSentiment.objects.bulk_create(
        [
            MessageSentiment(message=message, **_sentiment_values(message))
            for message in messages
            if message.from_customer
        ]
    )
