"""All the checks on one draft, in a fixed order."""

from __future__ import annotations

from dataclasses import replace

from rightdesk.quality.engine.canned import check_canned
from rightdesk.quality.engine.findings import (
    _CLAUSE_BREAK,
    KINDS,
    RESPECT_KINDS,
    TONE_KINDS,
    CheckContext,
    Field,
    Finding,
    _finding,
    _overlaps,
    _phrase_hits,
    blame_elsewhere,
    customer_targeted,
)
from rightdesk.quality.engine.issue import check_off_issue
from rightdesk.quality.engine.names import _name_forms, check_names
from rightdesk.quality.engine.promises import PromiseDetector, check_promises
from rightdesk.quality.engine.quoted import blank, customer_quotes, quoted_history, signature
from rightdesk.quality.engine.reask import check_re_ask
from rightdesk.quality.engine.tone import (
    check_curt,
    check_hardship,
    check_hostile,
    check_profanity,
    check_shouting,
    check_tone_model,
)
from rightdesk.quality.rules import Rules
from rightdesk.quality.text import fold, sentence_at, sentences, words


def run_checks(
    ctx: CheckContext, draft: str, rules: Rules, *, promise_detector: PromiseDetector | None = None
) -> list[Finding]:
    """Every check on one draft; findings sorted by position.

    The checks read the draft and the customer's words with typographic quotes and
    spaces folded to plain ones (``fold``), so "you\u2019re lucky" is read as "you're
    lucky"; each finding's excerpt is the agent's own text. No check reads quoted mail
    history or the signature under the sign-off, and the respect checks read past the
    customer's words quoted back (``quoted``).
    """
    original, ctx, draft = draft, _folded(ctx), fold(draft)
    draft = blank(draft, quoted_history(rules, draft))
    signed = signature(rules, ctx, draft)
    draft = blank(draft, signed)
    if not draft.strip():
        return []
    # The respect checks read past the customer's own words quoted back to them.
    said = blank(draft, customer_quotes(ctx, draft))
    spans = list(sentences(draft))
    valid, _surname, _first = _name_forms(rules, ctx)
    findings: list[Finding] = []
    findings += check_names(rules, ctx, draft)
    # "On the Spamhaus blacklist" is about an IP address; "we have blacklisted you" is
    # about the customer whatever else the sentence names.
    exceptions = _phrase_hits(rules, "disrespect_exceptions", said, spans, negatable=False)
    ours = _phrase_hits(rules, "disrespect_by_us", said, spans, negatable=False)
    targeted = customer_targeted(rules, ctx)
    elsewhere, beside_victim = blame_elsewhere(rules, said, spans, targeted=targeted)
    exceptions += elsewhere
    firm = _phrase_hits(rules, "disrespect", said, spans)
    for start, end in firm:
        if _overlaps((start, end), ours) or not _overlaps((start, end), exceptions):
            findings.append(_finding(rules, "disrespect", start, end, said))
    for start, end in _phrase_hits(rules, "disrespect_advice", said, spans):
        if not _overlaps((start, end), exceptions) and not _overlaps((start, end), firm):
            findings.append(_finding(rules, "disrespect", start, end, said, advice=True))
    findings += check_profanity(rules, ctx, said, valid)
    for kind in ("condescension", "arrogance"):
        firm = _phrase_hits(rules, kind, said, spans)
        for start, end in firm:
            findings.append(_finding(rules, kind, start, end, said))
        # Words that slight as often as not ("obviously") ask for a look, not a block.
        for start, end in _phrase_hits(rules, f"{kind}_advice", said, spans):
            if not _overlaps((start, end), firm):
                findings.append(_finding(rules, kind, start, end, said, advice=True))
    deflections = _phrase_hits(rules, "deflection", said, spans)
    if deflections:
        # "We aren't able to do that on your behalf" owns nothing: an ownership phrase
        # after a refusal in its own clause does not count ("If they don't answer
        # we'll get back to you" still owns it).
        ownership = rules.patterns.get("ownership")
        refused = rules.patterns.get("ownership_refused")
        owned = [
            m.span()
            for m in (ownership.finditer(said) if ownership else ())
            if not (refused and refused.search(_clause_before(said, spans, m.start())))
        ]
        # "I'll take it up with our supplier": the agent's own verb, so no deflection;
        # that ownership covers its own handoff, not another one ("…, but you'll need
        # to contact the bank").
        mine = [(a, b) for a, b in owned if any(a < start < b for start, _end in deflections)]
        others = [span for span in owned if span not in mine]
        # To a customer someone tried to trick, "call your bank today" is the advice.
        referrals = rules.patterns.get("victim_referrals") if targeted else None
        for start, end in deflections:
            if any(a < start < b for a, b in mine) or _agent_acts(rules, said, spans, start):
                continue
            # The place named just after the contact verb: "call your bank today".
            if referrals is not None and referrals.search(said[start : end + 20]):
                continue
            if not any(not _overlaps((a, b), [(start, end)]) for a, b in others):
                findings.append(_finding(rules, "deflection", start, end, said))
    findings += check_shouting(rules, ctx, said)
    taken = [sentence_at(spans, f.start) for f in findings if f.kind in RESPECT_KINDS]
    findings += check_hostile(rules, ctx, said, spans, taken, beside_victim)
    toned = [sentence_at(spans, f.start) for f in findings if f.kind in TONE_KINDS]
    # To a customer someone else targeted, the model's disrespect guesses in sentences
    # that do not blame the customer are about that someone; to any customer, so are
    # those in a sentence that itself calls the customer the victim ("It looks like
    # your card was used fraudulently by someone else").
    about_others = elsewhere if targeted else _declared_victim(rules, said, spans)
    findings += check_tone_model(rules, said, spans, toned, beside_victim, about_others)
    findings += check_re_ask(rules, ctx, draft, spans)
    canned = check_canned(rules, ctx, draft)
    # A reply that sends the customer elsewhere does not answer them either; the
    # deflection finding (blocking or advice) says why, so off-issue adds nothing
    # unless another order or thing is named. Beside any other tone finding only the
    # firm off-issue signs count (check_off_issue).
    deflected = any(f.kind == "deflection" for f in findings)
    spoken = any(f.kind in TONE_KINDS for f in findings)
    findings += check_off_issue(
        rules, ctx, draft, canned=bool(canned), deflected=deflected, toned=spoken
    )
    findings += canned
    # Last, so that its advice changes no other check's reading of the draft.
    findings += check_hardship(rules, ctx, draft, spans)
    if not any(f.kind in TONE_KINDS for f in findings):
        findings += check_curt(rules, ctx, said, spans, valid, signed=bool(signed))
    findings += check_promises(rules, ctx, draft, promise_detector)
    findings.sort(key=lambda f: (f.start, f.end, KINDS.index(f.kind)))
    return [replace(f, excerpt=original[f.start : f.end][:200]) for f in findings]


def _folded(ctx: CheckContext) -> CheckContext:
    """``ctx`` with every text in it folded: names, what is on file, the customer's
    words, the templates and recent replies ("O\u2019Brien" on file is "O'Brien")."""

    def fields(items: list[Field]) -> list[Field]:
        return [replace(f, label=fold(f.label), value=fold(f.value)) for f in items]

    return replace(
        ctx,
        customer_name=fold(ctx.customer_name),
        preferred_name=fold(ctx.preferred_name),
        agent_name=fold(ctx.agent_name),
        facts=fields(ctx.facts),
        contacts=fields(ctx.contacts),
        orders=[fold(o) for o in ctx.orders],
        items=fields(ctx.items),
        order_lines=[fold(line) for line in ctx.order_lines],
        last_customer_message=fold(ctx.last_customer_message),
        earlier_customer_messages=[fold(m) for m in ctx.earlier_customer_messages],
        subject=fold(ctx.subject),
        other_names=[fold(n) for n in ctx.other_names],
        templates=[fold(t) for t in ctx.templates],
        recent_replies=[fold(r) for r in ctx.recent_replies],
    )


def _agent_acts(rules: Rules, draft: str, spans: list[tuple[int, int]], start: int) -> bool:
    """Whether the agent is the one who contacts: "If it's easier, I can ring the
    courier", "let me email the manufacturer", "I'll send a new one and ask the
    warehouse to check the batch".

    The clause before the deflection phrase (from its last ``clause_break``) must
    end with the agent about to act (``agent_subject``, then only ``agent_adverbs``:
    "I'll personally phone the insurer"), or open with the agent and join the
    phrase with "and" and no one else named between. "All I can say is contact the
    courier" and "I can confirm it left us and the next step is to contact the
    courier" are still deflections; so is any clause with a negation after the
    agent ("we can't help, …" is cut at its comma anyway).
    """
    agent = rules.patterns.get("agent_subject")
    if agent is None:
        return False
    other, breaks = rules.patterns.get("other_subject"), rules.patterns.get("clause_break")
    sentence_start, _end = sentence_at(spans, start)
    clause = draft[sentence_start:start]
    if breaks is not None:
        cuts = [m.end() for m in breaks.finditer(clause)]
        clause = clause[cuts[-1] :] if cuts else clause
    mine = list(agent.finditer(clause))
    if not mine:
        return False
    rest = words(clause[mine[-1].end() :])
    if all(word in rules.agent_adverbs for word in rest):
        return True  # "I can ring", "let me also email"
    opened = clause.strip() and agent.match(clause.strip())
    joined = bool(rest) and rest[-1] == "and"
    named = other is not None and other.search(clause[mine[-1].end() :])
    negated = any(w in rules.negations or w.endswith("n't") for w in rest)
    return bool(opened and joined and not named and not negated)


def _declared_victim(
    rules: Rules, draft: str, spans: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The sentences that call the customer the victim and do not also blame them."""
    victim = rules.patterns.get("customer_as_victim")
    at_customer = rules.patterns.get("blame_at_customer")
    if victim is None:
        return []
    out = []
    for start, end in spans:
        text = draft[start:end]
        if victim.search(text) and not (at_customer is not None and at_customer.search(text)):
            out.append((start, end))
    return out


def _clause_before(draft: str, spans: list[tuple[int, int]], start: int) -> str:
    """The words of ``start``'s clause before it, split as the negation check splits
    clauses (``_CLAUSE_BREAK``)."""
    sent_start, _ = sentence_at(spans, start)
    return _CLAUSE_BREAK.split(draft[sent_start:start])[-1]
