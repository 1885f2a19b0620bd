"""re_ask: the reply must not ask for what is already on file."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rightdesk.quality.engine.findings import CheckContext, Field, Finding, _finding
from rightdesk.quality.rules import Rules


def _term_regex(terms: Sequence[str]) -> re.Pattern[str] | None:
    cleaned = [t for t in terms if t.strip()]
    if not cleaned:
        return None
    parts = []
    for term in sorted(set(cleaned), key=len, reverse=True):
        body = r"\s+".join(re.escape(w) for w in term.split())
        tail = r"(?:s|es)?" if term[-1].isalnum() else ""
        lead = r"\b" if term[0].isalnum() else ""
        parts.append(f"{lead}{body}{tail}" + (r"\b" if term[-1].isalnum() else ""))
    return re.compile("|".join(parts), re.IGNORECASE)


def _head(rules: Rules, words: list[str]) -> str | None:
    """The word a label is about: its last meaningful word ("Delivery address" → address).

    The words before it only say which one ("delivery", "billing"); on their own
    they are not a question for the field ("which delivery day suits you?").
    """
    meaningful = [
        w for w in words if w not in rules.generic_field_words and w not in rules.stopwords
    ]
    return meaningful[-1] if meaningful else None


def field_terms(rules: Rules, label: str, key: str = "") -> tuple[str, ...]:
    """Words that ask for a field with this label ('Car colour' → colour, color, paint…)."""
    terms: list[str] = []
    for text, split in ((label, r"[^\w#/-]+"), (key, r"[_\W]+")):
        head = _head(rules, [w for w in re.split(split, text.lower()) if w])
        if head is not None:
            terms.extend(rules.field_synonyms.get(head, [head]))
    if not terms and label.strip():
        terms.append(label.strip().lower())
    return tuple(dict.fromkeys(terms))


def _fields(rules: Rules, ctx: CheckContext) -> list[tuple[Field, re.Pattern[str]]]:
    out: list[tuple[Field, re.Pattern[str]]] = []
    unknown = rules.reask_unknown_values
    for item in [*ctx.facts, *ctx.items]:
        if unknown is not None and unknown.search(item.value):
            continue  # "Passcode: not provided" is not on file
        terms = item.terms or field_terms(rules, item.label)
        pattern = _term_regex(terms)
        if pattern is not None:
            out.append((item, pattern))
    for contact in ctx.contacts:
        pattern = _term_regex(rules.contact_terms.get(contact.kind, []))
        if pattern is not None:
            out.append((contact, pattern))
    if ctx.orders:
        pattern = _term_regex(rules.contact_terms.get("order", []))
        if pattern is not None:
            out.append(
                (Field(label="Order number", value=", ".join(ctx.orders), kind="order"), pattern)
            )
    out += _given(rules, ctx, out)
    if ctx.customer_name:
        pattern = _term_regex(rules.contact_terms.get("name", []))
        if pattern is not None:
            out.append((Field(label="Name", value=ctx.customer_name, kind="name"), pattern))
    return out


#: How a value the customer gave is named in a finding, per contact kind.
_GIVEN_LABELS = {"order": "Order number", "email": "E-mail", "phone": "Phone"}


def _given(
    rules: Rules, ctx: CheckContext, on_file: list[tuple[Field, re.Pattern[str]]]
) -> list[tuple[Field, re.Pattern[str]]]:
    """What the customer gave in their messages and is not on file already: "my order
    113-4455", "call me on 0412 555 123" (``re_ask.given_in_message``)."""
    known = {_digits_or_text(v) for f, _ in on_file for v in f.value.split(",")}
    messages = (ctx.last_customer_message, *ctx.earlier_customer_messages)
    out: list[tuple[Field, re.Pattern[str]]] = []
    for kind, patterns in rules.reask_given.items():
        terms = _term_regex(rules.contact_terms.get(kind, []))
        if terms is None:
            continue
        values: dict[str, str] = {}
        for message in messages:
            for pattern in patterns:
                for match in pattern.finditer(message):
                    value = match.group("value").strip()
                    key = _digits_or_text(value)
                    if kind == "phone" and len(key) < 9:
                        continue
                    if key not in known:
                        values.setdefault(key, value)
        if values:
            label = f"{_GIVEN_LABELS.get(kind, kind.capitalize())} in their message"
            field = Field(label=label, value=", ".join(values.values()), kind=kind)
            out.append((field, terms))
    return out


def _digits_or_text(value: str) -> str:
    """A value as compared: a phone number's last nine digits (so "+44 7700 900123" is
    "07700 900123"), anything else lower-cased."""
    digits = re.sub(r"\D", "", value)
    if len(digits) >= 9 and not re.search(r"[A-Za-z@]", value):
        return digits[-9:]
    return value.strip().lower()


def _states(value: str, sentence: str) -> bool:
    """Every word and number of ``value`` is in ``sentence``, in order, other words
    between: "£60 for the oven clean" states "£60 oven clean"; "7 Linden Close"
    does not state "5 Linden Close"."""
    tokens = [t for t in re.findall(r"\w+", value) if len(t) >= 2 or t.isdigit()]
    if len(tokens) < 2:
        return False
    pattern = r"\b" + r"\b.*?\b".join(re.escape(t) for t in tokens) + r"\b"
    return re.search(pattern, sentence, re.DOTALL) is not None


#: A reference, a code: letters and digits with no spaces ("KXQTRB", "SPRINGSALE").
_CODE_LIKE = re.compile(r"[A-Z0-9][A-Z0-9-]{3,}")


def _asks_for_field(
    rules: Rules, sentence: str, pattern: re.Pattern[str], item: Field, asked: tuple[int, int]
) -> bool:
    """Whether ``sentence`` names the field as the thing asked for, not as the owner
    of something else ("the sizes for both children"), a thing whose number is
    asked while none is on file ("the report number", report: filed), a point in
    time or a holder ("since the repair", "in your name"), or another one than the
    one on file ("your forwarding address", supply address on file).

    Only a match inside ``asked`` (``_asked_span``) counts.
    """
    value = item.value
    numbered = any(c.isdigit() for c in value) or bool(_CODE_LIKE.fullmatch(value.strip()))
    owner_before, after = rules.reask_owner_before, rules.reask_attribute_after
    context, other_one = rules.reask_context_before, rules.reask_other_one_before
    on_file = f"{item.label} {value}".lower()
    for match in pattern.finditer(sentence, *asked):
        before = sentence[: match.start()]
        owner = owner_before.search(before) if owner_before else None
        if owner and owner.group("asked").lower() not in rules.reask_detail_words:
            continue
        if after and after.match(sentence[match.end() :]) and not numbered:
            continue
        if context is not None and context.search(before):
            continue
        other = other_one.search(before) if other_one else None
        if other and not re.search(rf"\b{re.escape(other.group().strip().lower())}\b", on_file):
            continue
        return True
    return False


def _asked_span(rules: Rules, sentence: str) -> tuple[int, int] | None:
    """Where the asking is in ``sentence``: all of a question; otherwise from the first
    request cue ("please send", "we'll need") to the end of its clause, so "If the
    price drops, send me the link" asks for a link, not the price, and "we require
    24 hours' notice, and missed appointments may be charged" asks for notice, not
    the appointment. None when it asks nothing."""
    if sentence.rstrip().endswith("?"):
        return 0, len(sentence)
    cues = rules.patterns.get("request_cues")
    cue = cues.search(sentence) if cues else None
    if cue is None:
        return None
    clause_end = rules.reask_clause_end
    end = clause_end.search(sentence, cue.start()) if clause_end else None
    return cue.start(), end.start() if end else len(sentence)


def check_re_ask(
    rules: Rules, ctx: CheckContext, draft: str, spans: list[tuple[int, int]]
) -> list[Finding]:
    fields = _fields(rules, ctx)
    if not fields:
        return []
    findings: list[Finding] = []
    negations = rules.patterns.get("request_negations")
    seen: set[tuple[str, int]] = set()
    for start, end in spans:
        opening = rules.greeting_re.match(draft[start:end])
        if opening and opening.group("name"):
            # "Hi Maria, what colour…": the question starts after the greeting.
            rest = draft[start + opening.end() : end]
            start = end - len(rest.lstrip(" ,:;!-\n"))
        sentence = draft[start:end]
        asked = _asked_span(rules, sentence)
        if asked is None:
            continue
        offer = rules.reask_offer_questions
        if offer is not None and offer.search(sentence):
            continue  # "Shall I book 12:40 for you?" offers; it asks for nothing
        if negations is not None and negations.search(sentence):
            continue
        lowered = sentence.lower()
        for item, pattern in fields:
            if not _asks_for_field(rules, sentence, pattern, item, asked):
                continue
            values = [v.strip().lower() for v in item.value.split(",") if v.strip()]
            if any(v and (v in lowered or _states(v, lowered)) for v in values):
                continue  # the draft states the value: a confirmation, not a question
            # A phone number kept as a fact and as a contact point is one thing asked.
            key = (re.sub(r"\W", "", item.value.lower()) or item.label, start)
            if key in seen:
                continue
            seen.add(key)
            findings.append(
                _finding(
                    rules,
                    "re_ask",
                    start,
                    end,
                    draft,
                    f"We already have this on file — {item.label}: {item.value}.",
                    f"Use the {item.label.lower()} on file ({item.value}) instead of asking; "
                    "ask only to confirm it.",
                )
            )
    return findings
