"""Reply-check rules: shipped data files plus the admin's additions, compiled once.

The rules are data (``data/<language>.json``, ``data/diminutives.json``,
``data/first_names_<language>.txt``); ``RuleEntry`` rows extend them per
language. Compiled rules are cached and rebuilt when an entry changes.
"""

from __future__ import annotations

import copy
import difflib
import json
import logging
import math
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_LANGUAGE = "en"

#: The kinds the learnt tone model tells apart, besides "clean".
MODEL_KINDS = ("disrespect", "condescension", "arrogance", "deflection", "hostile_tone")
CLEAN = "clean"

#: Lists under "phrases" that hold patterns.
PHRASE_LISTS = (
    "disrespect",
    "disrespect_advice",
    "disrespect_exceptions",
    "disrespect_by_us",
    "third_party",
    "customer_as_victim",
    "customer_targeted",
    "victim_referrals",
    "blame_at_customer",
    "condescension",
    "condescension_advice",
    "arrogance",
    "arrogance_advice",
    "deflection",
    "agent_subject",
    "other_subject",
    "clause_break",
    "ownership",
    "hostile_tone",
    "hostile_tone_advice",
    "ownership_refused",
    "promise",
    "request_cues",
    "request_negations",
    "hostile_target",
    "own_failure",
    "hardship",
    "sympathy",
    "quoted_history",
    "closings",
    "caps_labels",
    "courtesy",
)


def phrase_to_regex(entry: str) -> str:
    """``re:...`` is a regular expression; anything else is literal words."""
    entry = entry.strip()
    if entry.startswith("re:"):
        return entry[3:]
    words = [re.escape(word) for word in entry.split()]
    return r"\b" + r"\s+".join(words) + r"\b"


def _compile_any(entries: Iterable[str]) -> re.Pattern[str] | None:
    parts = [phrase_to_regex(e) for e in entries if e.strip()]
    if not parts:
        return None
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)


def _compile_each(entries: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    """One pattern per entry, for signs counted one by one (promotion cues)."""
    return tuple(re.compile(phrase_to_regex(e), re.IGNORECASE) for e in entries if e.strip())


@dataclass(frozen=True)
class AskType:
    """A kind of question a customer asks ("where…?") and the shape of its answer (a place)."""

    name: str
    ask: re.Pattern[str]
    answer: re.Pattern[str]
    #: How an explanation names the kind ("a refund").
    label: str = ""
    #: Its answer shape (a day, a place, steps) turns up in replies about anything.
    incidental: bool = False
    #: It can be answered in any words ("can you look at it?"): never held against a reply.
    open: bool = False
    #: Kinds whose answer also answers this one (a date answers a late delivery).
    answered_by: tuple[str, ...] = ()
    #: The customer's message brought the topic up without asking it ("£275 seems steep"):
    #: an answer of this kind is then on their topic, never another one.
    raised: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Rules:
    """Everything the checks need, compiled for one language."""

    language: str
    raw: dict[str, Any]
    severity: dict[str, str]
    thresholds: dict[str, float]
    explanations: dict[str, str]
    suggestions: dict[str, str]
    patterns: dict[str, re.Pattern[str] | None]
    greeting_re: re.Pattern[str]
    non_names: frozenset[str]
    titles: frozenset[str]
    vocative_re: re.Pattern[str]
    negations: frozenset[str]
    negation_breakers: frozenset[str]
    negation_transparent: frozenset[str]
    first_names: frozenset[str]
    name_groups: dict[str, frozenset[str]]
    field_synonyms: dict[str, list[str]]
    contact_terms: dict[str, list[str]]
    generic_field_words: frozenset[str]
    stopwords: frozenset[str]
    generic_terms: frozenset[str]
    concepts: dict[str, str]
    acronyms: frozenset[str]
    empathy: tuple[str, ...]
    profanity_words: frozenset[str]
    profanity_roots: tuple[str, ...]
    profanity_infix: tuple[str, ...]
    profanity_allow: frozenset[str]
    leet: dict[str, str]
    item_name_fields: frozenset[str]
    extras: dict[str, Any] = field(default_factory=dict)
    #: Re-ask: a field after a preposition names whose ("the sizes for both children")
    #: unless the word before is a detail the value holds; a field followed by an
    #: attribute ("the report number") is asked for only when a number is on file.
    reask_owner_before: re.Pattern[str] | None = None
    reask_detail_words: frozenset[str] = frozenset()
    reask_attribute_after: re.Pattern[str] | None = None
    reask_unknown_values: re.Pattern[str] | None = None
    reask_offer_questions: re.Pattern[str] | None = None
    reask_context_before: re.Pattern[str] | None = None
    reask_other_one_before: re.Pattern[str] | None = None
    reask_clause_end: re.Pattern[str] | None = None
    #: Re-ask: what the customer gave in their messages, per contact kind ("order",
    #: "email", "phone"), each pattern with a ``value`` group.
    reask_given: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    #: Words that may stand between the agent and the contact verb ("I'll personally ring").
    agent_adverbs: frozenset[str] = frozenset()
    #: Off-issue: words that only say which thing a case is about ("order").
    identity_words: frozenset[str] = frozenset()
    ask_types: tuple[AskType, ...] = ()
    #: Off-issue: a sentence of the customer's that asks something (a question, a request).
    ask_sentence: re.Pattern[str] | None = None
    #: Off-issue: the start of a question that can be answered yes or no, words that may
    #: come before it ("so", "also"), and a reply's opening that answers it ("Yes,").
    yes_no_question: re.Pattern[str] | None = None
    yes_no_lead: tuple[str, ...] = ()
    direct_answer: re.Pattern[str] | None = None
    #: Off-issue: signs of a promotion ("launches next week"; strong ones: "15% off"),
    #: each counted once, how many make a reply a promotion (one strong among them),
    #: and what a customer asking for one says.
    promotion_cues: tuple[re.Pattern[str], ...] = ()
    promotion_strong_cues: tuple[re.Pattern[str], ...] = ()
    promotion_min_cues: int = 2
    promotion_asked: re.Pattern[str] | None = None
    #: Off-issue: the agent reporting a deed done for the customer ("I've booked", "we've
    #: lodged"): in a sentence about their case, an answer to a request in other words.
    done_for_them: re.Pattern[str] | None = None
    #: Off-issue: concepts of one family of topics (money, shipping, faults, access), by
    #: each concept's canonical stem; a reply moving within the family stays on topic.
    concept_family: dict[str, int] = field(default_factory=dict)
    #: Off-issue: phrases read as one concept word ("stopped working" is "broken").
    concept_phrases: tuple[tuple[re.Pattern[str], str], ...] = ()
    #: Tone: example sentences (kind, text) the tone model learns from.
    tone_examples: tuple[tuple[str, str], ...] = ()


@lru_cache(maxsize=8)
def shipped_data(language: str) -> dict[str, Any]:
    """The shipped rules for a language (English when there is no file for it)."""
    path = DATA_DIR / f"{language}.json"
    if not path.exists():
        path = DATA_DIR / f"{DEFAULT_LANGUAGE}.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    names_path = DATA_DIR / f"first_names_{language}.txt"
    if not names_path.exists():
        names_path = DATA_DIR / f"first_names_{DEFAULT_LANGUAGE}.txt"
    data["first_names"] = [
        line.strip().lower()
        for line in names_path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    groups = json.loads((DATA_DIR / "diminutives.json").read_text(encoding="utf-8"))
    data["diminutives"] = groups["groups"]
    examples_path = DATA_DIR / f"tone_examples_{language}.jsonl"
    if not examples_path.exists():
        examples_path = DATA_DIR / f"tone_examples_{DEFAULT_LANGUAGE}.jsonl"
    data["tone_examples"] = [list(pair) for pair in read_examples(examples_path)]
    return data


def _stem(word: str) -> str:
    from rightdesk.quality.text import stem

    return stem(word)


def read_examples(path: Path) -> list[tuple[str, str]]:
    """``{"kind": ..., "text": ...}`` per line; blank lines and unknown kinds skipped."""
    examples: list[tuple[str, str]] = []
    if not path.exists():
        return examples
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        kind, text = str(row.get("kind", "")), str(row.get("text", ""))
        if (kind in MODEL_KINDS or kind == CLEAN) and text.strip():
            examples.append((kind, text))
    return examples


def parse_example(value: str) -> tuple[str, str] | None:
    """An admin entry "kind: sentence" as an example, or None when the kind is unknown."""
    kind, sep, text = value.partition(":")
    kind = kind.strip().lower().replace(" ", "_")
    if not sep or not text.strip() or (kind not in MODEL_KINDS and kind != CLEAN):
        return None
    return kind, text.strip()


#: Older threshold names an admin entry may still use, and the names they set now.
_THRESHOLD_ALIASES = {"tone_model_hostile_min": "tone_model_min_hostile_tone"}

#: A named group or a back-reference in an admin pattern ("(?P<w>…)", "\1").
_GROUP_REFERENCE = re.compile(r"\(\?P[<=]|\\[1-9]|\\g<")
#: A group with an unbounded repeat inside that is itself repeated without bound:
#: "(\w+\s?)+", "(a*)*"; "(?:[\w-]+ ){0,3}" is bounded and fine.
_NESTED_REPEAT = re.compile(
    r"\((?:[^()\\]|\\.)*(?:[+*]|\{\d*,\})(?:[^()\\]|\\.)*\)(?:[+*]|\{\d*,\})"
)


def known_thresholds() -> frozenset[str]:
    """The threshold names the checks read: the shipped ones, a floor per learnt kind,
    and the older names still accepted. A name outside these would change nothing."""
    names = set(shipped_data(DEFAULT_LANGUAGE).get("thresholds", {}))
    names |= {f"tone_model_min_{kind}" for kind in MODEL_KINDS}
    return frozenset(names | set(_THRESHOLD_ALIASES))


#: Thresholds that are shares or probabilities: an admin value must lie in [0, 1].
_UNIT_THRESHOLD = re.compile(
    r"^(?:tone_model_min(?:_(?!words$)\w+)?|tone_model_hostile_min|tone_model_l2)$"
)


def entry_problem(list_name: str, value: str) -> str | None:
    """Why an admin entry cannot be used, in plain words, or None when it can.

    Checked when the entry is saved and again when rules are compiled, so one bad
    entry (a regular expression with a typo, "threshold=abc") is refused with a
    reason and never stops the check for every draft.
    """
    value = value.strip()
    if not value:
        return "The entry is empty."
    if list_name in PHRASE_LISTS and value.startswith("re:"):
        pattern = value[3:]
        try:
            # Alone, and as it is compiled: one alternative among the list's others.
            re.compile(pattern, re.IGNORECASE)
            re.compile(f"(?:{pattern})", re.IGNORECASE)
        except re.error as error:
            return f"The regular expression does not compile: {error}."
        if _GROUP_REFERENCE.search(pattern):
            return (
                "Named groups and back-references clash with the list's other patterns; "
                "use (?:...) groups."
            )
        if _NESTED_REPEAT.search(pattern):
            return (
                "A repeated group with a repeat inside, such as (\\w+\\s?)+, can take "
                "minutes on one draft; bound the outer repeat, e.g. {0,3}."
            )
    elif list_name == "tone_example" and parse_example(value) is None:
        kinds = ", ".join((CLEAN, *MODEL_KINDS))
        return f'Write "kind: sentence", where kind is one of {kinds}.'
    elif list_name == "threshold":
        key, sep, setting = value.partition("=")
        try:
            number = float(setting)
        except ValueError:
            return 'Write "name=number", e.g. "tone_model_min_arrogance=0.6".'
        if not sep or not key.strip() or not math.isfinite(number):
            return 'Write "name=number", e.g. "tone_model_min_arrogance=0.6".'
        known = known_thresholds()
        if key.strip() not in known:
            close = difflib.get_close_matches(key.strip(), sorted(known), n=1)
            hint = f' Did you mean "{close[0]}"?' if close else ""
            return f'No check reads a threshold named "{key.strip()}".{hint}'
        if _UNIT_THRESHOLD.match(key.strip()) and not 0.0 <= number <= 1.0:
            return f"{key.strip()} must lie between 0 and 1."
    elif list_name == "severity":
        key, _sep, setting = value.partition("=")
        if not key.strip() or setting.strip() not in ("block", "advice"):
            return 'Write "kind=block" or "kind=advice".'
    elif list_name == "diminutives" and len([p for p in value.split(",") if p.strip()]) < 2:
        return "Give at least two names, separated by commas."
    return None


def merge_entries(data: dict[str, Any], entries: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The shipped data with admin entries ``(list_name, value)`` added on top.

    Entries with a problem (see ``entry_problem``) are left out and logged.
    """
    merged = copy.deepcopy(data)
    phrases = merged.setdefault("phrases", {})
    profanity = merged.setdefault("profanity", {})
    for list_name, value in entries:
        value = value.strip()
        problem = entry_problem(list_name, value)
        if problem is not None:
            if value:
                logger.warning("Rule entry %s %r left out: %s", list_name, value, problem)
            continue
        if list_name in PHRASE_LISTS:
            phrases.setdefault(list_name, []).append(value)
        elif list_name == "profanity":
            profanity.setdefault("words", []).append(value.lower())
        elif list_name == "profanity_root":
            profanity.setdefault("roots", []).append(value.lower())
        elif list_name == "profanity_allow":
            profanity.setdefault("allow", []).append(value.lower())
        elif list_name == "acronym":
            merged.setdefault("acronyms", []).append(value.upper())
        elif list_name == "non_name":
            merged.setdefault("non_names", []).append(value.lower())
        elif list_name == "first_name":
            merged.setdefault("first_names", []).append(value.lower())
        elif list_name == "negation":
            merged.setdefault("negations", []).append(value.lower())
        elif list_name == "tone_example":
            example = parse_example(value)
            if example is not None:
                merged.setdefault("tone_examples", []).append(list(example))
        elif list_name == "diminutives":
            group = [part.strip().lower() for part in value.split(",") if part.strip()]
            if group:
                merged.setdefault("diminutives", []).append(group)
        elif list_name in ("threshold", "severity"):
            key, _, setting = value.partition("=")
            target = merged.setdefault("thresholds" if list_name == "threshold" else "severity", {})
            if list_name == "threshold":
                try:
                    target[key.strip()] = float(setting)
                except ValueError:
                    continue
            elif setting.strip() in ("block", "advice"):
                target[key.strip()] = setting.strip()
    return merged


def compile_rules(data: dict[str, Any], language: str = DEFAULT_LANGUAGE) -> Rules:
    """Compile rule data (shipped or merged) into the form the checks use."""
    phrases: dict[str, list[str]] = data.get("phrases", {})
    greetings = sorted(data.get("greetings", []), key=len, reverse=True)
    greeting_alt = "|".join(re.escape(g).replace(r"\ ", r"\s+") for g in greetings)
    greeting_re = re.compile(
        rf"^[\s>*_-]*(?P<greet>{greeting_alt})\b[ \t,]*"
        r"(?:(?P<title>[A-Za-z]{1,5})\.?[ \t]+)?"
        r"(?P<name>[^\W\d_][\w'\u2019-]*(?:[ \t]+[^\W\d_][\w'\u2019-]*)?)?",
        re.IGNORECASE,
    )
    cues = sorted(data.get("vocative_cues", []), key=len, reverse=True)
    cue_alt = "|".join(re.escape(c).replace(r"\ ", r"\s+") for c in cues)
    vocative_re = re.compile(
        rf"\b(?:{cue_alt})(?:[ \t]+(?:so much|again|very much))?,?[ \t]+"
        r"(?P<name>[A-ZÀ-Þ][a-zà-ÿ'\u2019-]+)(?=[ \t]*[,.!?;:]|[ \t]*$)",
        re.MULTILINE,
    )
    groups: dict[str, set[str]] = {}
    for group in data.get("diminutives", []):
        members = {g.lower() for g in group}
        for name in members:
            groups.setdefault(name, set()).update(members)
    concepts: dict[str, str] = {}
    for group in data.get("concepts", []):
        canonical = _stem(group[0])
        for word in group:
            concepts.setdefault(_stem(word.lower()), canonical)
    concept_family = {
        concepts.get(_stem(word.lower()), _stem(word.lower())): index
        for index, family in enumerate(data.get("concept_families", []))
        for word in family
    }
    profanity = data.get("profanity", {})
    off_issue: dict[str, Any] = data.get("off_issue", {})
    re_ask: dict[str, Any] = data.get("re_ask", {})
    ask_types: list[AskType] = []
    for entry in off_issue.get("ask_types", []):
        ask, answer = _compile_any(entry.get("ask", [])), _compile_any(entry.get("answer", []))
        if ask is not None and answer is not None:
            name = str(entry.get("name", ""))
            ask_types.append(
                AskType(
                    name=name,
                    ask=ask,
                    answer=answer,
                    label=str(entry.get("label") or name.replace("_", " ")),
                    incidental=bool(entry.get("incidental", False)),
                    open=bool(entry.get("open", False)),
                    answered_by=tuple(str(kind) for kind in entry.get("answered_by", [])),
                    raised=_compile_any(entry.get("raised", [])),
                )
            )
    thresholds = {
        _THRESHOLD_ALIASES.get(k, k): float(v) for k, v in data.get("thresholds", {}).items()
    }
    return Rules(
        language=language,
        raw=data,
        severity=dict(data.get("severity", {})),
        thresholds=thresholds,
        explanations=dict(data.get("explanations", {})),
        suggestions=dict(data.get("suggestions", {})),
        patterns={name: _compile_any(phrases.get(name, [])) for name in PHRASE_LISTS},
        greeting_re=greeting_re,
        non_names=frozenset(n.lower() for n in data.get("non_names", [])),
        titles=frozenset(t.lower() for t in data.get("titles", [])),
        vocative_re=vocative_re,
        negations=frozenset(n.lower() for n in data.get("negations", [])),
        agent_adverbs=frozenset(w.lower() for w in data.get("agent_adverbs", [])),
        negation_breakers=frozenset(n.lower() for n in data.get("negation_breakers", [])),
        negation_transparent=frozenset(n.lower() for n in data.get("negation_transparent", [])),
        first_names=frozenset(data.get("first_names", [])),
        name_groups={k: frozenset(v) for k, v in groups.items()},
        field_synonyms={k: list(v) for k, v in data.get("field_synonyms", {}).items()},
        contact_terms={k: list(v) for k, v in data.get("contact_terms", {}).items()},
        generic_field_words=frozenset(data.get("generic_field_words", [])),
        stopwords=frozenset(data.get("stopwords", [])),
        generic_terms=frozenset(_stem(w) for w in data.get("generic_terms", [])),
        concepts=concepts,
        acronyms=frozenset(a.upper() for a in data.get("acronyms", [])),
        empathy=tuple(data.get("empathy", [])),
        profanity_words=frozenset(w.lower() for w in profanity.get("words", [])),
        profanity_roots=tuple(r.lower() for r in profanity.get("roots", [])),
        profanity_infix=tuple(r.lower() for r in profanity.get("infix_roots", [])),
        profanity_allow=frozenset(w.lower() for w in profanity.get("allow", [])),
        leet=dict(profanity.get("leet", {})),
        item_name_fields=frozenset(f.lower() for f in data.get("item_name_fields", [])),
        reask_owner_before=_compile_any(re_ask.get("owner_before", [])),
        reask_detail_words=frozenset(w.lower() for w in re_ask.get("detail_words", [])),
        reask_attribute_after=_compile_any(re_ask.get("attribute_after", [])),
        reask_unknown_values=_compile_any(re_ask.get("unknown_values", [])),
        reask_offer_questions=_compile_any(re_ask.get("offer_questions", [])),
        reask_context_before=_compile_any(re_ask.get("context_before", [])),
        reask_other_one_before=_compile_any(re_ask.get("other_one_before", [])),
        reask_clause_end=_compile_any(re_ask.get("clause_end", [])),
        reask_given={
            kind: _compile_each(entries)
            for kind, entries in re_ask.get("given_in_message", {}).items()
        },
        identity_words=frozenset(_stem(w.lower()) for w in off_issue.get("identity_words", [])),
        ask_types=tuple(ask_types),
        ask_sentence=_compile_any(off_issue.get("ask_sentence", [])),
        yes_no_question=_compile_any(off_issue.get("yes_no_question", [])),
        yes_no_lead=tuple(
            sorted(
                (str(w).lower() for w in off_issue.get("yes_no_lead", [])), key=len, reverse=True
            )
        ),
        direct_answer=_compile_any(off_issue.get("direct_answer", [])),
        promotion_cues=_compile_each(off_issue.get("promotion_cues", [])),
        promotion_strong_cues=_compile_each(off_issue.get("promotion_strong_cues", [])),
        promotion_min_cues=int(off_issue.get("promotion_min_cues", 2)),
        promotion_asked=_compile_any(off_issue.get("promotion_asked", [])),
        done_for_them=_compile_any(off_issue.get("done_for_them", [])),
        concept_family=concept_family,
        concept_phrases=tuple(
            (re.compile(r"\b" + phrase_to_regex(phrase) + r"\b", re.IGNORECASE), word)
            for phrase, word in data.get("concept_phrases", {}).items()
            if not phrase.startswith("_")
        ),
        tone_examples=tuple((str(kind), str(text)) for kind, text in data.get("tone_examples", [])),
    )


@lru_cache(maxsize=8)
def shipped_rules(language: str = DEFAULT_LANGUAGE) -> Rules:
    """The shipped rules only, compiled (used by the benchmark and as the base)."""
    return compile_rules(shipped_data(language), language)


_cache_lock = threading.Lock()
_compiled: dict[str, tuple[tuple[Any, ...], Rules]] = {}


def load_rules(language: str = DEFAULT_LANGUAGE) -> Rules:
    """Shipped rules extended by the enabled admin rule sets of this language.

    One small query tells whether the admin's entries changed since the rules
    were compiled; only then are they compiled again.
    """
    from django.db.models import Count, Max

    from rightdesk.quality.models import RuleEntry, RuleSet

    entries = RuleEntry.objects.filter(ruleset__language=language, ruleset__enabled=True)
    stamp = entries.aggregate(n=Count("id"), last=Max("updated_at"))
    sets_stamp = RuleSet.objects.filter(language=language).aggregate(last=Max("updated_at"))
    version = (stamp["n"], stamp["last"], sets_stamp["last"])
    with _cache_lock:
        cached = _compiled.get(language)
        if cached is not None and cached[0] == version:
            return cached[1]
    if not stamp["n"]:
        rules = shipped_rules(language)
    else:
        pairs = list(entries.order_by("id").values_list("list_name", "value"))
        try:
            rules = compile_rules(merge_entries(shipped_data(language), pairs), language)
        except (re.error, ValueError, OverflowError):
            # Entries that pass one by one but not together: the shipped rules still check.
            logger.exception("Admin rule entries for %s left out: they do not compile", language)
            rules = shipped_rules(language)
    with _cache_lock:
        _compiled[language] = (version, rules)
    return rules
