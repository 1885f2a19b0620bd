"""canned: a reply that is a template or another customer's reply, with nothing of this case."""

from __future__ import annotations

from rapidfuzz import fuzz, process

from rightdesk.quality.engine.findings import CheckContext, Finding, _finding
from rightdesk.quality.engine.issue import _case_terms, _content_terms, _people
from rightdesk.quality.engine.names import _name_forms
from rightdesk.quality.rules import Rules
from rightdesk.quality.text import words


def _normal(text: str, names: set[str]) -> str:
    body = text.strip()
    head = body.split("\n", 1)
    if len(head) == 2 and len(head[0]) <= 40:
        body = head[1]
    tokens = [w for w in words(body) if w not in names]
    return " ".join(tokens)


def check_canned(rules: Rules, ctx: CheckContext, draft: str) -> list[Finding]:
    candidates = [t for t in (*ctx.templates, *ctx.recent_replies) if t.strip()]
    stripped = draft.strip()
    if not candidates or len(stripped) < rules.thresholds.get("canned_min_chars", 60):
        return []
    valid, _surname, _first = _name_forms(rules, ctx)
    names = (
        valid | {n.lower() for n in ctx.other_names} | {w.lower() for w in ctx.agent_name.split()}
    )
    mine = _normal(draft, names)
    others = [_normal(c, names) for c in candidates]
    best = process.extractOne(
        mine, others, scorer=fuzz.ratio, score_cutoff=rules.thresholds.get("canned_ratio", 88)
    )
    if best is None:
        return []
    template = others[best[2]]
    lowered = draft.lower()
    details = [f.value for f in (*ctx.facts, *ctx.items)] + list(ctx.orders)
    if any(d and d.lower() in lowered and d.lower() not in template for d in details):
        return []
    people = _people(rules, ctx)
    personal = (_case_terms(rules, ctx) & _content_terms(rules, draft, people)) - _content_terms(
        rules, template, people
    )
    if personal:
        return []
    start = draft.find(stripped[:1])
    return [
        _finding(
            rules,
            "canned",
            start,
            start + len(stripped),
            draft,
            f"This is {best[1]:.0f}% the same as a template or a reply sent to another customer, "
            "with nothing from this case.",
        )
    ]
