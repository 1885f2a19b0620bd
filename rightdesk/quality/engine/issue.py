"""off_issue: the reply must touch what the customer's last message asks."""

from __future__ import annotations

from rightdesk.quality.engine.findings import CheckContext, Finding, _finding
from rightdesk.quality.engine.names import _name_forms
from rightdesk.quality.rules import AskType, Rules
from rightdesk.quality.text import WORD_RE, sentences, stem, words


def _content_terms(rules: Rules, text: str, names: frozenset[str] = frozenset()) -> set[str]:
    return set(_term_words(rules, text, names))


def _term_words(
    rules: Rules, text: str, names: frozenset[str] = frozenset(), *, merge: bool = True
) -> dict[str, str]:
    """Content terms of ``text`` (stemmed, concepts merged), each with its first word.

    With ``merge`` off, synonyms stay apart: "parcel" and "delivery" are two terms.
    """
    terms: dict[str, str] = {}
    for pattern, word in rules.concept_phrases:
        text = pattern.sub(word, text)
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
        terms.setdefault(rules.concepts.get(stemmed, stemmed) if merge else stemmed, word)
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


def _asks(rules: Rules, message: str) -> str:
    """The sentences of ``message`` that ask something: questions and requests."""
    pattern = rules.ask_sentence
    if pattern is None:
        return message
    spans = [message[start:end] for start, end in sentences(message)]
    return " ".join(sentence for sentence in spans if pattern.search(sentence))


def _asked_things(
    rules: Rules, ctx: CheckContext, things: list[tuple[str, set[str]]], people: frozenset[str]
) -> list[str]:
    """The things the customer asks about: those named in a question or request.

    "The table and the cushions came. Where is the bench?" asks about the bench only;
    when no question or request names one, every thing in the message or subject counts.
    """
    focus = _content_terms(rules, _asks(rules, ctx.last_customer_message), people)
    asked = [name for name, terms in things if terms & focus]
    if asked:
        return asked
    mentioned = _case_terms(rules, ctx)
    return [name for name, terms in things if terms & mentioned]


def _other_thing(rules: Rules, ctx: CheckContext, draft: str) -> Finding | None:
    """The reply names another of the customer's things and none of those they wrote about."""
    things = _things(rules, ctx)
    if len(things) < 2:
        return None
    people = _people(rules, ctx)
    reply_terms = _content_terms(rules, draft, people)
    asked = _asked_things(rules, ctx, things, people)
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


def _shares_a_word(
    rules: Rules, ctx: CheckContext, draft: str, people: frozenset[str], identity: set[str]
) -> bool:
    """The reply repeats a word of the customer's message, not only a synonym of one."""
    text = f"{ctx.last_customer_message} {ctx.subject}"
    said = set(_term_words(rules, text, people, merge=False))
    return bool((said & set(_term_words(rules, draft, people, merge=False))) - identity)


def _sole_thing_terms(rules: Rules, ctx: CheckContext) -> set[str]:
    """The terms of the customer's one thing on file (an item held, an order line).

    A customer with one laptop in the workshop writes "my laptop"; a reply naming
    the make and model on file names the same thing.
    """
    things = _things(rules, ctx)
    return set(things[0][1]) if len(things) == 1 else set()


def _another_topic(rules: Rules, reply_terms: set[str], asked: set[str]) -> bool:
    """The reply names a topic (a concept) outside every family the message touches:
    an invoice in answer to a server outage, not "won't be billed" to a cancellation."""
    concepts = set(rules.concepts.values())
    families = {rules.concept_family.get(term, term) for term in asked & concepts}
    return any(
        rules.concept_family.get(term, term) not in families
        for term in (reply_terms & concepts) - asked
    )


def _words_of(surface: dict[str, str], terms: set[str], limit: int = 4) -> str:
    return ", ".join(surface.get(t, t) for t in sorted(terms)[:limit])


def answered_asks(rules: Rules, message: str, draft: str, *, firm: bool = False) -> list[str]:
    """Kinds of question in ``message`` ("where", "when", "how_much") the draft answers in kind.

    With ``firm``, only kinds whose answer shows it is about them: not an incidental
    answer (a day, a place) that turns up anywhere. An open ask ("can someone come
    out?") counts when its own answer is given ("I've booked an engineer…").
    """
    return [
        ask.name
        for ask in rules.ask_types
        if not (firm and ask.incidental) and ask.ask.search(message) and ask.answer.search(draft)
    ]


def _statements(draft: str) -> str:
    """The sentences of ``draft`` that tell rather than ask: a question is no answer."""
    spans = [draft[start:end] for start, end in sentences(draft)]
    return " ".join(sentence for sentence in spans if not sentence.rstrip().endswith("?"))


def _labels(kinds: list[AskType]) -> str:
    labels = [kind.label for kind in kinds]
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"


def _gives_answer(kind: AskType, text: str, message_stems: set[str]) -> bool:
    """``text`` gives an answer of ``kind`` in words of its own.

    "The battery replacement is done" to "I left it for a battery replacement"
    names the job the customer wrote about; it does not offer a replacement.
    """
    for match in kind.answer.finditer(text):
        if any(stem(word) not in message_stems for word in words(match.group())):
            return True
    return False


def another_answer(rules: Rules, message: str, draft: str, *, new_topic: bool = True) -> str:
    """Why the draft answers a different kind of question than ``message`` asks, or "".

    "When will my refund arrive?" asks for a refund and a time; a reply that gives
    a return label, a delivery status or a price, and neither a refund nor a time,
    answers something else however well it names the order. Only kinds with a
    clear answer shape count: an open ask ("can you look at it?", "did something
    change?") may be answered in any words, and an incidental answer (a day, a
    place, steps, a reason) answers a kind that was asked but never shows by
    itself that the reply is about another. A kind is also answered by the kinds
    it lists as "answered_by" (a date answers a late delivery). When only
    incidental kinds are asked ("why?"), any words may answer, so another kind of
    answer counts only with ``new_topic``: the reply goes on to a topic the message
    never raised (an amount to "why is my bill higher?" stays on the bill).
    """
    asked = [kind for kind in rules.ask_types if not kind.open and kind.ask.search(message)]
    if not asked:
        return ""
    answered = {kind.name for kind in rules.ask_types if kind.answer.search(draft)}
    if any(kind.name in answered or answered & set(kind.answered_by) for kind in asked):
        return ""
    stated = _statements(draft)
    names = {kind.name for kind in asked}
    message_stems = {stem(word) for word in words(message)}
    others = [
        kind
        for kind in rules.ask_types
        if kind.name not in names
        and not (kind.incidental or kind.open)
        and not (kind.raised and kind.raised.search(message))
        and _gives_answer(kind, stated, message_stems)
    ]
    shown = [kind for kind in asked if not kind.incidental]
    if not others or not (shown or new_topic):
        return ""
    shown = shown or asked
    return (
        f"The customer asks about {_labels(shown)}; the reply is about {_labels(others)} instead."
    )


def _asking_sentences(rules: Rules, message: str) -> list[str]:
    """The sentences of ``message`` that ask or request something."""
    pattern = rules.ask_sentence
    spans = [message[start:end] for start, end in sentences(message)]
    return [s for s in spans if pattern is not None and pattern.search(s)]


def _echoes_the_ask(
    rules: Rules,
    ctx: CheckContext,
    reply_terms: set[str],
    people: frozenset[str],
    identity: set[str],
) -> bool:
    """The reply repeats what the question is about ("Can I freeze my membership
    instead of cancelling?" "Yes, you can freeze rather than cancel…"): whatever
    else it tells (a price), it answers the question, in words of the question."""
    asks = " ".join(_asking_sentences(rules, ctx.last_customer_message))
    wanted = _content_terms(rules, asks, people) - identity
    least = int(rules.thresholds.get("off_issue_ask_echo_terms", 2))
    return least > 0 and len(wanted & reply_terms) >= least


def _done_for_them(
    rules: Rules, ctx: CheckContext, draft: str, people: frozenset[str], on_file: set[str]
) -> bool:
    """The reply reports a deed done for the customer about their case: "I've booked your
    redelivery for Saturday" to "can you redeliver on Saturday?", "I've lodged a damage
    claim for the vase" to "who's paying for this?". A request answered in deeds needs
    none of its words; the deed must name something of the message or the case on file,
    so "I've renewed your home policy" to a question about a car claim does not count.
    """
    pattern = rules.done_for_them
    if pattern is None:
        return False
    case = _case_terms(rules, ctx) | on_file
    for start, end in sentences(draft):
        sentence = draft[start:end]
        if pattern.search(sentence.replace("\u2019", "'")) and (
            _content_terms(rules, sentence, people) & case
        ):
            return True
    return False


def _misses_the_ask(
    rules: Rules,
    ctx: CheckContext,
    draft: str,
    people: frozenset[str],
    identity: set[str],
    *,
    done: bool = False,
) -> str:
    """Why the draft touches nothing the customer's question or request is about, or "".

    The words of the sentences that ask ("Can you send me my PAC code?", "Did either
    of them give any feedback?") say what is wanted; the rest of the message tells
    the story and names the thing ("I'm moving my number", "5 Linden Close"). A
    reply that names the thing, or repeats a word of the story, but none of what
    is asked, and gives no answer of the kind asked (a time, a price), answers
    something else.
    """
    message = ctx.last_customer_message
    asking = _asking_sentences(rules, message)
    if not asking or len(asking) == len(list(sentences(message))):
        return ""  # nothing asked, or nothing but asks: no story to tell apart
    asks = " ".join(asking)
    focus = _term_words(rules, asks, people)
    wanted = set(focus) - identity
    if len(wanted) < int(rules.thresholds.get("off_issue_min_focus_terms", 2)):
        return ""
    reply_terms = _content_terms(rules, draft, people)
    if reply_terms & wanted:
        return ""
    # A short reply that names the case and says little else ("Stop calling about your
    # Civic") is left to the checks of its words; this one goes on about something else.
    said = _case_terms(rules, ctx) | identity
    if len(reply_terms - said) < int(rules.thresholds.get("off_issue_focus_other_terms", 5)):
        return ""
    if answered_asks(rules, ctx.last_customer_message, draft):
        return ""
    if done:
        return ""  # a deed done for them about their case (_done_for_them)
    return (
        f"The customer asks about {_words_of(focus, wanted)}; the reply does not touch any of it."
    )


#: What may separate a question from the words before it: spaces, dashes, commas.
_LEAD_PUNCTUATION = " -\u2013\u2014,:!"


def _yes_no_question(rules: Rules, message: str) -> bool:
    """Whether the customer's last question can be answered yes or no ("Can I pay by
    bank transfer?", "If it doesn't fit, can the legs come off?"); a request ("Can
    you send it?") is not such a question."""
    pattern = rules.yes_no_question
    questions = [message[a:b] for a, b in sentences(message) if message[a:b].endswith("?")]
    if pattern is None or not questions:
        return False
    text = questions[-1].lower().replace("\u2019", "'").strip(_LEAD_PUNCTUATION)
    trimmed = True
    while trimmed:  # "So, if it doesn't fit, can the legs come off?"
        trimmed = False
        if text.startswith(("if ", "when ", "since ", "once ")) and "," in text:
            text = text.split(",", 1)[1].strip(_LEAD_PUNCTUATION)
            trimmed = True
        for lead in rules.yes_no_lead:
            if text.startswith(lead) and not text[len(lead) : len(lead) + 1].isalnum():
                text = text[len(lead) :].strip(_LEAD_PUNCTUATION)
                trimmed = True
    return bool(pattern.search(text))


def _answers_yes_or_no(rules: Rules, ctx: CheckContext, draft: str) -> bool:
    """Whether the draft opens by answering the customer's yes-or-no question
    ("Hi Rania, yes. Just get your wristband scanned...")."""
    opening = rules.direct_answer
    if opening is None or not opening.search(draft.strip().replace("\u2019", "'")):
        return False
    return _yes_no_question(rules, ctx.last_customer_message)


def _whole_draft(draft: str) -> tuple[int, int]:
    stripped = draft.strip()
    start = draft.find(stripped[:1]) if stripped else 0
    return start, start + len(stripped)


def _promotion(rules: Rules, ctx: CheckContext, draft: str) -> list[Finding]:
    """An offer in place of an answer: a reply that reads as a promotion ("our autumn
    blend launches next week… 15% off"), with one strong sign at least, that answers
    nothing of the kind asked, to a customer who asked for no offer."""
    strong = [match for cue in rules.promotion_strong_cues if (match := cue.search(draft))]
    if not strong:
        return []
    cues = strong + [match for cue in rules.promotion_cues if (match := cue.search(draft))]
    if len(cues) < rules.promotion_min_cues:
        return []
    asked = rules.promotion_asked
    if asked is not None and asked.search(f"{ctx.last_customer_message} {ctx.subject}"):
        return []
    message = ctx.last_customer_message
    # It answers, then promotes: the promotion is not the reply. In the sentences before
    # the offer begins any answer of the kind asked counts, a time or a place too; else
    # only a firm one ("launches next week" is no answer to "when is the engineer due?").
    first = min(match.start() for match in cues)
    before = draft[: max((a for a, _b in sentences(draft) if a <= first), default=0)]
    if (
        _answers_yes_or_no(rules, ctx, draft)
        or answered_asks(rules, message, draft, firm=True)
        or answered_asks(rules, message, before)
    ):
        return []
    start, end = _whole_draft(draft)
    shown = ", ".join(f"“{m.group()}”" for m in sorted(cues, key=lambda m: m.start())[:3])
    return [
        _finding(
            rules,
            "off_issue",
            start,
            end,
            draft,
            f"The reply reads as a promotion ({shown}); the customer asked for no offer.",
        )
    ]


def check_off_issue(
    rules: Rules,
    ctx: CheckContext,
    draft: str,
    *,
    canned: bool = False,
    deflected: bool = False,
    toned: bool = False,
) -> list[Finding]:
    """The reply must be about the customer's order or thing and touch what their last
    message asks (``_misses_the_case``).

    When ``deflected`` (the reply sends the customer elsewhere) only another order
    or thing named counts: the deflection finding already says why it answers nothing.
    When ``toned`` (a sentence already holds a finding on how it speaks: a slight, a
    lecture, a boast) the guesses from missing words are left out: such replies are
    about the case in words the message never used ("I've been in this trade thirty
    years"), and the tone finding already asks for a rewrite. Another order or thing,
    an earlier message and a promotion still count.
    A reply that reads as a promotion, to a customer who asked for no offer, is
    off-issue whatever words it shares with the message.
    """
    other = _other_order(rules, ctx, draft) or _other_thing(rules, ctx, draft)
    if other is not None:
        return [other]
    if deflected:
        return []
    return _misses_the_case(rules, ctx, draft, canned=canned, toned=toned) or _promotion(
        rules, ctx, draft
    )


def _misses_the_case(
    rules: Rules, ctx: CheckContext, draft: str, *, canned: bool = False, toned: bool = False
) -> list[Finding]:
    """The reply must touch what the customer's last message asks, not only name the case.

    Shared words count only beyond the case's identity (order numbers, items, order
    lines, facts); a reply that names the thing and answers the kind of question
    asked (a place for "where", a time for "when", a price for "how much") is on
    the issue too. A reply that shares more with an earlier, settled message than
    with the last one answers the wrong question. A reply whose only link to the
    message is a synonym in the same broad concept, and that names nothing on file,
    is off-issue unless it answers the kind of question asked; when ``canned`` (the
    draft is a stock reply the canned check reports) that weak case is left to it.
    """
    # "Can I leave and come back the same day?" "Yes. Just get your wristband
    # scanned...": a reply that opens with the answer is on the issue in any words.
    if _answers_yes_or_no(rules, ctx, draft):
        return []
    asked = _case_terms(rules, ctx)
    if len(asked) < int(rules.thresholds.get("off_issue_min_terms", 2)):
        return []
    people = _people(rules, ctx)
    identity = _identity_terms(rules, ctx, people)
    on_file = identity - set(rules.identity_words)
    reply_terms = _content_terms(rules, draft, people)
    core = asked - identity
    covered = reply_terms & core
    earlier = " ".join(ctx.earlier_customer_messages)
    stale = (_content_terms(rules, earlier, people) - asked - identity) & reply_terms
    start, end = _whole_draft(draft)
    said = _term_words(rules, f"{ctx.last_customer_message} {ctx.subject}", people)
    shown = ", ".join(said.get(t, t) for t in sorted(core or asked)[:6])
    draft_words = _term_words(rules, draft, people)

    def about_the_whole_draft(explanation: str) -> list[Finding]:
        return [_finding(rules, "off_issue", start, end, draft, explanation)]

    if stale and len(stale) > len(covered):
        return about_the_whole_draft(
            f"The reply is about an earlier message ({_words_of(draft_words, stale)}); "
            f"the customer's last message asks about: {shown}."
        )
    if toned:
        return []
    done = _done_for_them(rules, ctx, draft, people, on_file)
    # Naming the right order is not answering it: a return label to "when is my refund?".
    moved_on = _another_topic(rules, reply_terms, asked)
    mismatch = another_answer(rules, ctx.last_customer_message, draft, new_topic=moved_on)
    if mismatch and not _echoes_the_ask(rules, ctx, reply_terms, people, identity) and not done:
        return about_the_whole_draft(mismatch)
    missed = _misses_the_ask(rules, ctx, draft, people, identity, done=done)
    if missed:
        return about_the_whole_draft(missed)
    if covered:
        # A match through a concept only ("promotions" and "newsletter" are both e-mail,
        # "arrived" and "post office" both delivery) is weak: it counts when the reply
        # also repeats a word of the message, names something on file or answers the
        # kind of question asked. A stock reply is left to the canned finding.
        if _shares_a_word(rules, ctx, draft, people, identity) or (reply_terms & on_file):
            return []
        if canned or answered_asks(rules, ctx.last_customer_message, draft):
            return []
        # A short paraphrase ("your delivery is scheduled for Thursday" to "my parcel
        # hasn't arrived") is on the issue; the weak link counts against a reply only
        # when the reply goes on to a topic the message never raised.
        if not _another_topic(rules, reply_terms, asked):
            return []
        return about_the_whole_draft(
            f"The reply shares only a broad topic with the customer's message "
            f"({_words_of(draft_words, covered)}) and names nothing of theirs; "
            f"the message asks about: {shown}."
        )
    named = reply_terms & identity & asked
    if not named and (reply_terms & asked):
        return []  # shares only identity words not in the message: nothing to judge
    # "My laptop" is the one ThinkPad on file: naming it by make or model names the thing.
    held = named or reply_terms & _sole_thing_terms(rules, ctx)
    if held and answered_asks(rules, ctx.last_customer_message, draft):
        return []
    # "Stop calling about your Civic": names the case and says little else; other
    # checks judge its words. A reply that goes on about something else is off-issue.
    # Off by default (0): on unseen sets it flagged too many good replies that
    # describe the thing's state in their own words; an admin may turn it on.
    novel = reply_terms - asked - identity
    least = int(rules.thresholds.get("off_issue_min_other_terms", 0))
    if named and (least <= 0 or len(novel) < least):
        return []
    # "You won't be billed again" to "please cancel my plan" shares no word but gives
    # the very kind of answer asked for; a day or a place alone would not be enough.
    if answered_asks(rules, ctx.last_customer_message, draft, firm=True):
        return []
    if done:
        return []
    if named:
        explanation = (
            f"The reply names {_words_of(draft_words, named)} but not what the customer "
            f"asked about it: {shown}."
        )
    else:
        explanation = f"The customer wrote about: {shown}. The reply mentions none of it."
    return about_the_whole_draft(explanation)
