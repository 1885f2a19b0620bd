"""What in a draft is not the agent's own words.

Three things are read past: mail history below or inside the reply (lines starting
with ">", and everything after a ``quoted_history`` line such as "On Mon, Maria
wrote:" or "-----Original Message-----") and the signature under the sign-off (a
"-- " line, or the lines after the agent's name below a closing such as "Kind
regards,"), which no check reads; and the customer's own words quoted back in
quotation marks ('You wrote "this is a scam"'), which the respect checks do not
read as the agent's.
"""

from __future__ import annotations

import re

from rightdesk.quality.engine.findings import CheckContext
from rightdesk.quality.rules import Rules

_LINE = re.compile(r"^.*$", re.MULTILINE)
_QUOTED_LINE = re.compile(r"[ \t]*>")
#: Text in double quotes, or in single quotes that are not apostrophes ("can't",
#: "the customers' cars"): the opening mark follows no letter, the closing one
#: precedes none, and a mark between two letters inside is an apostrophe.
_QUOTATION = re.compile(
    r'"(?P<double>[^"\n]{2,300})"'
    r"|(?<!\w)'(?P<single>(?:[^'\n]|(?<=\w)'(?=\w)){2,300}?)'(?!\w)"
)
_NON_WORD = re.compile(r"[\W_]+")


def blank(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each span's characters made spaces (line breaks kept), so every
    other span keeps its place."""
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        for index in range(start, end):
            if chars[index] != "\n":
                chars[index] = " "
    return "".join(chars)


def quoted_history(rules: Rules, draft: str) -> list[tuple[int, int]]:
    """Spans of mail history in ``draft``: quoted lines, and from a history line to the end.

    A history line followed (after blank lines) by quoted lines only introduces them
    ("On Mon, Maria wrote:" above "> Where is my car?"): the agent may answer between
    them, so only it and the quoted lines are history.
    """
    marker = rules.patterns.get("quoted_history")
    lines = [(m.start(), m.end()) for m in _LINE.finditer(draft)]
    spans: list[tuple[int, int]] = []
    for index, (start, end) in enumerate(lines):
        if _QUOTED_LINE.match(draft, start):
            spans.append((start, end))
            continue
        indent = len(draft[start:end]) - len(draft[start:end].lstrip(" \t"))
        if marker is None or not marker.match(draft, start + indent):
            continue
        following = next((s for s, e in lines[index + 1 :] if draft[s:e].strip()), None)
        if following is not None and _QUOTED_LINE.match(draft, following):
            spans.append((start, end))
            continue
        spans.append((start, len(draft)))
        break
    return spans


#: A name under a closing: one to four capitalised words, no sentence ("Kim",
#: "Kim Lee", "The Support Team").
_NAME_LINE = re.compile(r"[A-Z][\w.'\-]*(?:[ \t]+(?:[A-Z&][\w.'()/&|-]*|of|the|and|at)){0,3}")
_POSTSCRIPT = re.compile(r"[ \t]*p\.?\s?s\b", re.IGNORECASE)


def signature(rules: Rules, ctx: CheckContext, draft: str) -> list[tuple[int, int]]:
    """The span of the signature under the sign-off, if the draft has one.

    It starts after a "-- " line, or after the name line below a closing line
    ("Kind regards," then "Kim Lee"), or after a line that is only the agent's name
    with more lines below it. The name line is the agent's name or a few capitalised
    words without a full stop ("Thanks so much!" above "Your car is safe." is no
    sign-off). Titles, phone numbers and legal notices there are not spoken to the
    customer. A postscript ("P.S. …") and its paragraph stay read.
    """
    closing = rules.patterns.get("closings")
    agent = {ctx.agent_name.strip().lower(), *ctx.agent_name.lower().split()[:1]} - {""}
    lines = [(m.start(), m.end()) for m in _LINE.finditer(draft)]
    filled = [index for index, (a, b) in enumerate(lines) if draft[a:b].strip()]
    start: int | None = None
    for order, index in enumerate(filled):
        a, b = lines[index]
        text = draft[a:b].strip()
        if text == "--":
            start = b
            break
        below = len(filled) - order - 1
        if closing is not None and below > 1 and closing.fullmatch(text.rstrip(",.!")):
            c, d = lines[filled[order + 1]]
            name = draft[c:d].strip().rstrip(",")
            if name.lower() in agent or _NAME_LINE.fullmatch(name):
                start = d
                break
        if order and below and text.rstrip(",.").lower() in agent:
            start = b
            break
    if start is None:
        return []
    spans: list[tuple[int, int]] = []
    kept = False
    for a, b in lines:
        if b <= start:
            continue
        text = draft[a:b]
        if _POSTSCRIPT.match(text):
            kept = True
        elif not text.strip():
            kept = False
        if not kept:
            spans.append((max(a, start), b))
    return spans


def _normal(text: str) -> str:
    return " " + _NON_WORD.sub(" ", text.lower()).strip() + " "


def customer_quotes(ctx: CheckContext, draft: str) -> list[tuple[int, int]]:
    """Spans of the insides of quotations in ``draft`` whose words the customer wrote.

    The marks stay, so a slight built around a quotation is still read ("we hear
    '…' more often than you'd think").
    """
    said = _normal(" ".join((ctx.last_customer_message, *ctx.earlier_customer_messages)))
    spans = []
    for match in _QUOTATION.finditer(draft):
        group = "double" if match.group("double") is not None else "single"
        # One quoted word is as often a scare quote ('a "liar"') as the customer's.
        if len((words := _normal(match.group(group))).split()) >= 2 and words in said:
            spans.append(match.span(group))
    return spans
