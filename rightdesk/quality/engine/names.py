"""wrong_name: the greeting and in-text addressing must name this customer."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from rapidfuzz import fuzz

from rightdesk.quality.engine.findings import CheckContext, Finding, _finding, _overlaps
from rightdesk.quality.rules import Rules
from rightdesk.quality.text import WORD_RE


def _name_forms(rules: Rules, ctx: CheckContext) -> tuple[set[str], str, str]:
    """Names that address this customer, their surname and the first name."""
    parts = ctx.customer_name.split()
    first = parts[0].lower() if parts else ""
    surname = parts[-1].lower() if len(parts) > 1 else ""
    valid: set[str] = set()
    for name in (first, ctx.preferred_name.lower().strip()):
        if not name:
            continue
        for piece in name.split():
            valid.add(piece)
            valid.update(rules.name_groups.get(piece, ()))
    for piece in parts:
        valid.add(piece.lower())
    return valid, surname, first


#: Letters that carry their accent inside the letter, so Unicode cannot split it off.
_UNSPLIT = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "\u0131": "i"}
)


def _folded(name: str) -> str:
    """``name`` as letters only: "Siobhán", "O'Brien", "Alvarez Ruiz" → "siobhan", "obrien",
    "alvarezruiz"."""
    decomposed = unicodedata.normalize("NFKD", name.lower().translate(_UNSPLIT))
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


def _pieces(ctx: CheckContext) -> list[str]:
    return f"{ctx.customer_name} {ctx.preferred_name}".split()


def _written_form(ctx: CheckContext, candidate: str) -> str | None:
    """The customer's name as written on file when ``candidate`` is that name without its
    accents or punctuation ("Siobhan", "OBrien"), or one half of a double name ("Anne")."""
    lowered = candidate.lower()
    folded = _folded(candidate)
    for piece in _pieces(ctx):
        if piece.lower() == lowered:
            continue
        if _folded(piece) == folded or (
            "-" in piece and lowered in piece.lower().split("-") and len(lowered) > 1
        ):
            return piece
    return None


def _is_family_name(ctx: CheckContext, text: str) -> bool:
    """``text`` after a title is one of this customer's names as written: the surname, a
    part of a double surname ("Mrs Ruiz" for Alvarez-Ruiz) or, in names written family
    name first, the first word ("Mr Nguyen" for Nguyen Van An)."""
    lowered = text.lower().replace(" ", "-")
    for piece in ctx.customer_name.split():
        piece = piece.lower()
        if lowered == piece or (len(lowered) > 1 and lowered in piece.split("-")):
            return True
    return False


def _accent_advice(
    rules: Rules, ctx: CheckContext, draft: str, start: int, candidate: str
) -> Finding | None:
    """The right person, their name without its accents: advice, never a block."""
    written = _written_form(ctx, candidate)
    if written is None:
        return None
    finding = _finding(
        rules,
        "wrong_name",
        start,
        start + len(candidate),
        draft,
        f"Right person; the name is written “{written}” on file.",
        f"Write {written}.",
    )
    return replace(finding, severity="advice")


def _greeting_name(ctx: CheckContext) -> str:
    return ctx.preferred_name.strip() or (ctx.customer_name.split() or [""])[0]


def _misspelt(rules: Rules, lowered: str, valid: set[str]) -> bool:
    threshold = rules.thresholds.get("misspelling_ratio", 70)
    return any(len(name) > 2 and fuzz.ratio(lowered, name) >= threshold for name in valid)


def _name_problem(rules: Rules, ctx: CheckContext, candidate: str, valid: set[str]) -> str | None:
    """Why ``candidate`` does not address this customer, or None when it does."""
    lowered = candidate.lower().rstrip(".")
    if lowered in valid:
        return None
    # "Dear R Shah", "Ravi S.": an initial of the customer's own name.
    if len(lowered) == 1 and lowered in {part[:1].lower() for part in ctx.customer_name.split()}:
        return None
    customer = ctx.customer_name
    agent_first = (ctx.agent_name.split() or [""])[0].lower()
    if agent_first and lowered == agent_first:
        return f"“{candidate}” is your own name; this customer is {customer}."
    others = {n.lower() for n in ctx.other_names}
    if lowered in others:
        return f"“{candidate}” is another customer's name; this customer is {customer}."
    threshold = rules.thresholds.get("misspelling_ratio", 70)
    for name in valid:
        if len(name) > 2 and fuzz.ratio(lowered, name) >= threshold:
            return f"“{candidate}” looks like a misspelling; this customer is {customer}."
    return f"This customer is {customer}, not “{candidate}”."


def _not_addressed(rules: Rules, ctx: CheckContext, head: str, after: int) -> bool:
    """The greeting's first word names no one addressed: the agent introducing
    themselves ("Hi, Dana here", "Hi, Dana from Acme") or a group ("Hello Acme
    customer", ``greeting_group_nouns``)."""
    rest = re.split(r"[,.!:;?\n]", head[after:].lower(), maxsplit=1)[0].split()
    if not rest:
        return False
    groups = set(rules.raw.get("greeting_group_nouns", []))
    agent = {w.lower() for w in ctx.agent_name.split()[:1]}
    start = head[:after].split()[-1].strip(",.!:;").lower() if head[:after].split() else ""
    named_group = rest[0] not in ("and", "&") and any(word in groups for word in rest[:3])
    return named_group or (start in agent and rest[0] in ("here", "from"))


def check_names(rules: Rules, ctx: CheckContext, draft: str) -> list[Finding]:
    """Greeting slot and in-text addressing must name this customer."""
    findings: list[Finding] = []
    valid, surname, _first = _name_forms(rules, ctx)
    suggestion = f"Address the customer as {_greeting_name(ctx)}."
    first_line_end = draft.find("\n")
    head = draft if first_line_end < 0 else draft[:first_line_end]
    match = rules.greeting_re.match(head)
    if match and match.group("name"):
        title = (match.group("title") or "").lower()
        name_text = match.group("name")
        name_start = match.start("name")
        if title and title not in rules.titles:
            # "Hi Tom Smith": the short word was a name, not a title.
            name_text = f"{match.group('title')} {name_text}"
            name_start = match.start("title")
            title = ""
        tokens = list(WORD_RE.finditer(name_text))
        # "Hi Mrs Okonkwo yes no problem": a word after the surname that is no name
        # ("yes", "ok") is the reply starting, not part of the name; "Mr and Mrs Shah",
        # "Mr R. Shah": titles and initials are not the name either.
        initials = {part[:1].lower() for part in ctx.customer_name.split()}
        named = [
            t
            for t in tokens
            if t.group().lower() not in rules.non_names
            and t.group().lower() not in rules.stopwords
            and t.group().lower().rstrip(".") not in rules.titles
            and t.group().lower() not in initials
        ]
        if title and not named:
            pass
        elif title:
            token = named[-1]
            candidate = token.group()
            start = name_start + token.start()
            whole_start = name_start + tokens[0].start()
            whole = draft[whole_start : start + len(candidate)]
            accent = _accent_advice(rules, ctx, draft, whole_start, whole) or _accent_advice(
                rules, ctx, draft, start, candidate
            )
            if _is_family_name(ctx, whole) or _is_family_name(ctx, candidate):
                pass
            elif accent is not None:
                findings.append(accent)
            elif surname and candidate.lower() != surname:
                threshold = rules.thresholds.get("misspelling_ratio", 70)
                why = (
                    f"“{candidate}” looks like a misspelling of {ctx.customer_name.split()[-1]}."
                    if fuzz.ratio(candidate.lower(), surname) >= threshold
                    else f"This customer is {ctx.customer_name}, not {candidate}."
                )
                findings.append(
                    _finding(
                        rules, "wrong_name", start, start + len(candidate), draft, why, suggestion
                    )
                )
        elif tokens and _not_addressed(rules, ctx, head, name_start + tokens[0].end()):
            pass
        elif tokens:
            token = tokens[0]
            candidate = token.group()
            lowered = candidate.lower()
            is_name_like = candidate[:1].isupper() or lowered in rules.first_names
            accent = _accent_advice(rules, ctx, draft, name_start + token.start(), candidate)
            if accent is not None:
                findings.append(accent)
            elif lowered not in rules.non_names and lowered not in rules.stopwords and is_name_like:
                accepted = valid | ({surname} if surname else set())
                problem = _name_problem(rules, ctx, candidate, accepted)
                if problem:
                    start = name_start + token.start()
                    findings.append(
                        _finding(
                            rules,
                            "wrong_name",
                            start,
                            start + len(candidate),
                            draft,
                            problem,
                            suggestion,
                        )
                    )
                elif len(tokens) > 1 and surname:
                    second = tokens[1]
                    second_text = second.group()
                    if (
                        second_text[:1].isupper()
                        and second_text.lower() not in initials
                        and second_text.lower() != surname
                        and second_text.lower() not in valid
                    ):
                        start = name_start + second.start()
                        findings.append(
                            _finding(
                                rules,
                                "wrong_name",
                                start,
                                start + len(second_text),
                                draft,
                                f"This customer's surname is {ctx.customer_name.split()[-1]}, "
                                f"not {second_text}.",
                                suggestion,
                            )
                        )
    known = rules.first_names | {n.lower() for n in ctx.other_names}
    agent_first = (ctx.agent_name.split() or [""])[0].lower()
    greeting_span = None
    if match and match.group("name"):
        greeting_span = (match.start("name"), match.end("name"))
    for vocative in rules.vocative_re.finditer(draft):
        candidate = vocative.group("name")
        lowered = candidate.lower()
        span = vocative.span("name")
        if greeting_span and _overlaps(span, [greeting_span]):
            continue
        if lowered in valid or lowered == agent_first:
            continue
        accent = _accent_advice(rules, ctx, draft, span[0], candidate)
        if accent is not None:
            findings.append(accent)
            continue
        if lowered not in known and not _misspelt(rules, lowered, valid):
            continue
        # A name alone on the last lines is a sign-off ("Thanks,\nTom"), not addressing.
        vocative_problem = _name_problem(rules, ctx, candidate, valid)
        if vocative_problem:
            findings.append(
                _finding(rules, "wrong_name", span[0], span[1], draft, vocative_problem, suggestion)
            )
    return findings
