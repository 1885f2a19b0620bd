"""off_issue: the reply must touch what the customer's last message asks."""

from __future__ import annotations

from rightdesk.quality.engine.findings import CheckContext, Finding, _finding
from rightdesk.quality.engine.names import _name_forms
from rightdesk.quality.rules import Rules
from rightdesk.quality.text import WORD_RE, stem, words


def _content_terms(rules: Rules, text: str, names: frozenset[str] = frozenset()) -> set[str]:
    return set(_term_words(rules, text, names))


def _term_words(rules: Rules, text: str, names: frozenset[str] = frozenset()) -> dict[str, str]:
    """Content terms of ``text`` (stemmed, concepts merged), each with its first word."""
    terms: dict[str, str] = {}
    for word in words(text):
        if word in rules.stopwords or word in names:
            continue
        if word.isdigit():
            if len(word) >= 3:
                terms.setdefault(word, word)
            continue
        if len(word) < 3:
            continue
        stemmed = stem(word)
        if stemmed in rules.generic_terms or word in rules.stopwords:
            continue
        terms.setdefault(rules.concepts.get(stemmed, stemmed), word)
    return terms


def _people(rules: Rules, ctx: CheckContext) -> frozenset[str]:
    """Names of the people in the conversation: not what the case is about."""
    valid, _surname, _first = _name_forms(rules, ctx)
    return frozenset(valid | {w.lower() for w in ctx.agent_name.split()})


def _case_terms(rules: Rules, ctx: CheckContext) -> set[str]:
    text = " ".join([ctx.last_customer_message, ctx.subject])
    return _content_terms(rules, text, _people(rules, ctx))


def _things(rules: Rules, ctx: CheckContext) -> list[tuple[str, set[str]]]:
    """The customer's separate things (order lines, items held), each with its own terms.

    A term shared by two things ("oak" in "Oak table" and "Oak bench") tells them
    apart from nothing, so each thing keeps only the terms no other thing has.
    """
    people = _people(rules, ctx)
    named: list[tuple[str, str]] = [(line, line) for line in ctx.order_lines if line.strip()]
    group: dict[str, str] = {}
    groups: list[dict[str, str]] = []
    for item in ctx.items:
        label = item.label.lower()
        if label in group:  # the same field again: the next item starts here
            groups.append(group)
            group = {}
        group[label] = item.value
    if group:
        groups.append(group)
    for fields in groups:
        chosen = [v for k, v in fields.items() if k in rules.item_name_fields] or list(
            fields.values()
        )
        named.append((" ".join(chosen), " ".join(chosen)))
    terms = [(name, _content_terms(rules, text, people)) for name, text in named]
    out: list[tuple[str, set[str]]] = []
    for index, (name, own) in enumerate(terms):
        others: set[str] = set()
        for other_index, (_other, other_terms) in enumerate(terms):
            if other_index != index:
                others |= other_terms
        distinct = own - others
        if distinct:
            out.append((name, distinct))
    return out


def _other_thing(rules: Rules, ctx: CheckContext, draft: str) -> Finding | None:
    """The reply names another of the customer's things and none of those they wrote about."""
    things = _things(rules, ctx)
    if len(things) < 2:
        return None
    people = _people(rules, ctx)
    asked_terms = _case_terms(rules, ctx)
    reply_terms = _content_terms(rules, draft, people)
    asked = [name for name, terms in things if terms & asked_terms]
    named = [(name, terms & reply_terms) for name, terms in things if terms & reply_terms]
    if not asked or not named or any(name in asked for name, _ in named):
        return None
    name, hit = named[0]
    lowered = draft.lower()
    start = min((i for i in (lowered.find(t) for t in hit) if i >= 0), default=-1)
    if start < 0:
        stripped = draft.strip()
        start, end = draft.find(stripped[:1]), draft.find(stripped[:1]) + len(stripped)
    else:
        match = WORD_RE.match(draft, start)
        end = match.end() if match else start + 1
    return _finding(
        rules,
        "off_issue",
        start,
        end,
        draft,
        f"The customer wrote about {', '.join(asked)}; the reply is about {name}.",
    )


def _other_order(rules: Rules, ctx: CheckContext, draft: str) -> Finding | None:
    """The reply names another of the customer's orders and not the one they wrote about."""
    asked_text = f"{ctx.last_customer_message} {ctx.subject}".lower()
    lowered = draft.lower()
    asked = [ref for ref in ctx.orders if ref and ref.lower() in asked_text]
    if not asked or any(ref.lower() in lowered for ref in asked):
        return None
    for ref in ctx.orders:
        start = lowered.find(ref.lower()) if ref else -1
        if start >= 0:
            return _finding(
                rules,
                "off_issue",
                start,
                start + len(ref),
                draft,
                f"The customer wrote about order {', '.join(asked)}; the reply is about {ref}.",
            )
    return None


def _identity_terms(rules: Rules, ctx: CheckContext, people: frozenset[str]) -> set[str]:
    """Terms that only say which thing the case is about: its orders, items, lines, facts.

    A reply that shares only these with the customer's message names the right
    thing but not necessarily what was asked about it.
    """
    text = " ".join([*ctx.orders, *ctx.order_lines, *(f.value for f in (*ctx.items, *ctx.facts))])
    return _content_terms(rules, text, people) | set(rules.identity_words)


def _words_of(surface: dict[str, str], terms: set[str], limit: int = 4) -> str:
    return ", ".join(surface.get(t, t) for t in sorted(terms)[:limit])


def answered_asks(rules: Rules, message: str, draft: str) -> list[str]:
    """Kinds of question in ``message`` ("where", "when", "how_much") the draft answers in kind."""
    return [
        ask.name for ask in rules.ask_types if ask.ask.search(message) and ask.answer.search(draft)
    ]


def _whole_draft(draft: str) -> tuple[int, int]:
    stripped = draft.strip()
    start = draft.find(stripped[:1]) if stripped else 0
    return start, start + len(stripped)


def check_off_issue(rules: Rules, ctx: CheckContext, draft: str) -> list[Finding]:
    """The reply must touch what the customer's last message asks, not only name the case.

    Shared words count only beyond the case's identity (order numbers, items, order
    lines, facts); a reply that names the thing and answers the kind of question
    asked (a place for "where", a time for "when", a price for "how much") is on
    the issue too. A reply that shares more with an earlier, settled message than
    with the last one answers the wrong question.
    """
    other = _other_order(rules, ctx, draft) or _other_thing(rules, ctx, draft)
    if other is not None:
        return [other]
    asked = _case_terms(rules, ctx)
    if len(asked) < int(rules.thresholds.get("off_issue_min_terms", 2)):
        return []
    people = _people(rules, ctx)
    identity = _identity_terms(rules, ctx, people)
    reply_terms = _content_terms(rules, draft, people)
    core = asked - identity
    covered = reply_terms & core
    earlier = " ".join(ctx.earlier_customer_messages)
    stale = (_content_terms(rules, earlier, people) - asked - identity) & reply_terms
    start, end = _whole_draft(draft)
    said = _term_words(rules, f"{ctx.last_customer_message} {ctx.subject}", people)
    shown = ", ".join(said.get(t, t) for t in sorted(core or asked)[:6])
    draft_words = _term_words(rules, draft, people)
    if stale and len(stale) > len(covered):
        return [
            _finding(
                rules,
                "off_issue",
                start,
                end,
                draft,
                f"The reply is about an earlier message ({_words_of(draft_words, stale)}); "
                f"the customer's last message asks about: {shown}.",
            )
        ]
    if covered:
        return []
    named = reply_terms & identity & asked
    if not named and (reply_terms & asked):
        return []  # shares only identity words not in the message: nothing to judge
    if named and answered_asks(rules, ctx.last_customer_message, draft):
        return []
    # "Stop calling about your Civic": names the case and says little else; other
    # checks judge its words. A reply that goes on about something else is off-issue.
    # Off by default (0): on unseen sets it flagged too many good replies that
    # describe the thing's state in their own words; an admin may turn it on.
    novel = reply_terms - asked - identity
    least = int(rules.thresholds.get("off_issue_min_other_terms", 0))
    if named and (least <= 0 or len(novel) < least):
        return []
    if named:
        explanation = (
            f"The reply names {_words_of(draft_words, named)} but not what the customer "
            f"asked about it: {shown}."
        )
    else:
        explanation = f"The customer wrote about: {shown}. The reply mentions none of it."
    return [_finding(rules, "off_issue", start, end, draft, explanation)]
