"""Tone: profanity (masked and leet spellings too), shouting and hostile tone.

Disrespect, condescension and arrogance are plain phrase matches run from
``run_checks``; hostile tone defers to every respect kind in the same sentence.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise
from typing import Any

from rightdesk.quality.engine.findings import (
    CheckContext,
    Finding,
    _finding,
    _overlaps,
    _phrase_hits,
)
from rightdesk.quality.engine.tonemodel import model_of
from rightdesk.quality.rules import Rules
from rightdesk.quality.text import sentence_at


def _leet_token(rules: Rules, token: str) -> str:
    return "".join(rules.leet.get(ch, ch) for ch in token)


_PROFANE_TOKEN = re.compile(r"[\w@$*!|+]+")
_REPEATS = re.compile(r"(.)\1{2,}")
_DOUBLES = re.compile(r"(.)\1+")


_ROOT_ENDINGS = ("", "s", "ed", "er", "ers", "in", "ing", "ings", "y", "ty", "head", "heads", "up")


@lru_cache(maxsize=8)
def _profane_forms(words_: frozenset[str], roots: tuple[str, ...]) -> frozenset[str]:
    """Whole profane forms, for matching masked spellings such as "f**king"."""
    return frozenset(words_ | {root + ending for root in roots for ending in _ROOT_ENDINGS})


def _is_profane(rules: Rules, raw: str) -> bool:
    token = raw.lower().strip("!|+")
    if len(token) > 2 and token[0] == "*" and token[-1] == "*":
        token = token.strip("*")  # *emphasis*, not a masked letter
    elif token.endswith("*") and "*" not in token[:-1]:
        token = token[:-1]  # a footnote mark ("VAT*"), not a masked letter
    if not token or not any(ch.isalpha() or ch in "@$*" for ch in token):
        return False
    if token in rules.profanity_allow:
        return False
    candidates = set()
    if "*" in token:
        body = token.replace("*", "")
        if len(body) < 1 or not token[0].isalpha():
            return False
        shape = re.escape(_leet_token(rules, token)).replace(r"\*", "[a-z]")
        masked = re.compile("^" + shape + "$")
        options = _profane_forms(rules.profanity_words, rules.profanity_roots)
        return any(masked.match(option) for option in options if len(option) == len(token))
    normal = _leet_token(rules, token)
    candidates.update({normal, _REPEATS.sub(r"\1", normal), _DOUBLES.sub(r"\1", normal)})
    for candidate in candidates:
        if candidate in rules.profanity_allow:
            return False
    for candidate in candidates:
        if candidate in rules.profanity_words:
            return True
        if any(
            candidate.startswith(root) and _profane_rest(candidate[len(root) :])
            for root in rules.profanity_roots
        ):
            return True
        # Compounds ("clusterfuck", "bullshitter"): roots that are profane inside a word.
        for root in rules.profanity_infix:
            at = candidate.find(root, 1)
            if at > 0 and _profane_rest(candidate[at + len(root) :]):
                return True
    return False


#: What may follow a profane root and keep it profane when it starts with a vowel.
_VOWEL_RESTS = frozenset({"e", "es", "ed", "er", "ers", "in", "ing", "ings", "y", "ier", "iest"})


def _profane_rest(rest: str) -> bool:
    """Is ``root + rest`` the profane word, inflected or compounded ("shitty", "shitstorm")?

    A root followed by other vowels is part of another word or name: "Matsushita",
    "Shitamachi", "shitake".
    """
    return not rest or rest in _ROOT_ENDINGS or rest in _VOWEL_RESTS or rest[0] not in "aeiou"


def check_profanity(
    rules: Rules, ctx: CheckContext, draft: str, valid_names: set[str]
) -> list[Finding]:
    findings: list[Finding] = []
    phrase_words = [w for w in rules.profanity_words if " " in w or "-" in w]
    for match in _PROFANE_TOKEN.finditer(draft):
        raw = match.group()
        if raw.lower() in valid_names or raw.isdigit():
            continue
        if "@" in raw and raw.index("@") > 0 and raw[raw.index("@") - 1].isalnum():
            continue  # an e-mail address, not "@ss"
        if _is_profane(rules, raw):
            start = match.start()
            end = match.end()
            while end > start and draft[end - 1] in "!|+":
                end -= 1
            findings.append(_finding(rules, "profanity", start, end, draft))
    lowered = draft.lower()
    for phrase in phrase_words:
        for m in re.finditer(r"\b" + re.escape(phrase) + r"\b", lowered):
            findings.append(_finding(rules, "profanity", m.start(), m.end(), draft))
    return findings


_CAPS_TOKEN = re.compile(r"(?<![\w-])[A-Z][A-Z'\u2019]*[A-Z](?![\w-])")


#: Between capitalised words, these end a run: labels and lists ("SKU: TIRE / RMA"), not speech.
_LIST_MARKS = frozenset("/:;|()[]<>=+&#")


def _is_label(rules: Rules, draft: str, start: int, end: int) -> bool:
    """Capitals that open a line or sentence, end at a colon and are a ``caps_labels``
    entry ("PLEASE NOTE:", "IMPORTANT:") label what follows; they do not raise the voice."""
    labels = rules.patterns.get("caps_labels")
    before = draft[:start].rstrip(" \t-*\u2022>")
    opens = not before or before[-1] in "\n.!?"
    return (
        labels is not None
        and opens
        and draft[end : end + 2].lstrip(" ").startswith(":")
        and labels.fullmatch(draft[start:end]) is not None
    )


def check_shouting(rules: Rules, ctx: CheckContext, draft: str) -> list[Finding]:
    """Runs of capitalised words, and stacked exclamation marks.

    A known acronym (UPS, VAT, IT) never makes a run by itself; inside a run of
    shouted words ("DONE. IT IS DONE") it does not break it, but it does not
    join two shouted words into a pair either ("ABS SENSOR, TPMS SENSOR").
    """
    findings: list[Finding] = []
    min_words = int(rules.thresholds.get("shouting_min_words", 3))
    min_letters = int(rules.thresholds.get("shouting_min_letters", 8))
    runs: list[list[tuple[re.Match[str], bool]]] = []
    current: list[tuple[re.Match[str], bool]] = []
    for match in _CAPS_TOKEN.finditer(draft):
        acronym = match.group().split("'")[0] in rules.acronyms
        if current:
            gap = draft[current[-1][0].end() : match.start()]
            if any(ch.islower() or ch.isdigit() or ch == "\n" or ch in _LIST_MARKS for ch in gap):
                runs.append(current)
                current = []
        current.append((match, acronym))
    if current:
        runs.append(current)
    for run in runs:
        shouted = [m for m, acronym in run if not acronym]
        if _is_label(rules, draft, run[0][0].start(), run[-1][0].end()):
            continue
        letters = sum(len(m.group()) for m in shouted)
        pair = any(
            not a and not b and len(x.group()) + len(y.group()) >= min_letters
            for (x, a), (y, b) in pairwise(run)
        )
        if len(shouted) >= min_words or (pair and letters >= min_letters):
            first = next(i for i, (_m, acronym) in enumerate(run) if not acronym)
            last = max(i for i, (_m, acronym) in enumerate(run) if not acronym)
            findings.append(
                _finding(rules, "shouting", run[first][0].start(), run[last][0].end(), draft)
            )
    need = int(rules.thresholds.get("shouting_exclamations", 3))
    for match in re.finditer(r"[!?]{" + str(need) + ",}", draft):
        if match.group().count("!") >= 2:
            findings.append(_finding(rules, "shouting", match.start(), match.end(), draft))
    return findings


_VADER: Any = None


def vader() -> Any:
    """The VADER analyser, loaded once per process (it reads its lexicon from disk)."""
    global _VADER
    if _VADER is None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        _VADER = SentimentIntensityAnalyzer()
    return _VADER


#: Quoted words: an agent quoting the customer ("you called it 'a disgrace'") is not hostile.
_QUOTED = re.compile(r"\"[^\"\n]*\"|(?<!\w)'[^'\n]{3,}'(?!\w)")


def _unquoted(sentence: str) -> str:
    return _QUOTED.sub(lambda m: " " * len(m.group()), sentence)


#: Where one clause of a sentence ends and the next begins ("…, so you're covered; the
#: part failed"): a semicolon, colon or dash, or a comma before a joining word.
_CLAUSES = re.compile(
    r"[;:\u2014]|\s-\s|,\s*(?=(?:so|but|and|because|since|while|although|though|as)\b)"
)


def _aimed_elsewhere(
    analyser: Any, target: re.Pattern[str], sentence: str, threshold: float
) -> bool:
    """The sentence's negative words sit in clauses that are not about the customer.

    "Our records show it was delivered, so you're within the window; I need to know
    which part failed": "you" is in a neutral clause, "failed" in one about the part.
    """
    clauses = [c for c in _CLAUSES.split(sentence) if c.strip()]
    if len(clauses) < 2:
        return False
    aimed = [c for c in clauses if target.search(c.strip())]
    if not aimed:
        return False
    others = [c for c in clauses if c not in aimed]
    return all(analyser.polarity_scores(c)["compound"] > threshold / 2 for c in aimed) and any(
        analyser.polarity_scores(c)["compound"] <= threshold / 2 for c in others
    )


def check_hostile(
    rules: Rules,
    ctx: CheckContext,
    draft: str,
    spans: list[tuple[int, int]],
    taken: list[tuple[int, int]],
    beside_victim: list[tuple[int, int]],
) -> list[Finding]:
    """Hostile phrases (severity from the rules), or a sentence aimed at the customer
    that VADER reads as hostile (advice: on the shipped examples its score alone
    flags about one clean sentence for every four problem ones).

    Next to the customer's being the victim (``beside_victim``: "I'm so sorry this
    happened to you… the most you'll pay is the £100 excess") the dark words are about
    what happened, and VADER's score does not count.
    """
    findings: list[Finding] = []
    flagged: list[tuple[int, int]] = []
    for start, end in _phrase_hits(rules, "hostile_tone", draft, spans):
        where = sentence_at(spans, start)
        if _overlaps(where, taken):
            continue
        flagged.append(where)
        findings.append(_finding(rules, "hostile_tone", start, end, draft))
    # Wordings as often plain as curt ("Noted.", "plan accordingly") ask for a look.
    for start, end in _phrase_hits(rules, "hostile_tone_advice", draft, spans):
        where = sentence_at(spans, start)
        if _overlaps(where, taken) or where in flagged:
            continue
        flagged.append(where)
        findings.append(_finding(rules, "hostile_tone", start, end, draft, advice=True))
    threshold = rules.thresholds.get("hostile_compound", -0.55)
    min_words = int(rules.thresholds.get("hostile_min_words", 4))
    analyser = vader()
    target = rules.patterns.get("hostile_target")
    own_failure = rules.patterns.get("own_failure")
    for start, end in spans:
        if _overlaps((start, end), taken) or (start, end) in flagged:
            continue
        if (start, end) in beside_victim:
            continue
        sentence = _unquoted(draft[start:end])
        if len(sentence.split()) < min_words:
            continue
        # Negative words count only when aimed at the customer (you as the subject, your
        # behaviour), not in an apology or a statement of our own failure.
        if target is None or not target.search(sentence):
            continue
        if own_failure is not None and own_failure.search(sentence):
            continue
        lowered = sentence.lower()
        if any(marker in lowered for marker in rules.empathy):
            continue
        score = analyser.polarity_scores(sentence)["compound"]
        if score <= threshold and not _aimed_elsewhere(analyser, target, sentence, threshold):
            # A lexicon's score is a guess, like the learnt model's: "We've reviewed your
            # complaint and, while we don't agree the fee was wrong, …" scores as hostile.
            explanation = f"This sentence reads as hostile (tone score {score:+.2f})."
            findings.append(
                _finding(rules, "hostile_tone", start, end, draft, explanation, advice=True)
            )
    return findings


def check_hardship(
    rules: Rules, ctx: CheckContext, draft: str, spans: list[tuple[int, int]]
) -> list[Finding]:
    """Hostile-tone advice for a reply with no word of sympathy to a customer who wrote
    of a death, an illness or a hospital stay ("Toby was put to sleep last week. Please
    cancel his policy." "Policy cancelled from 10 March. No refund is due."): correct
    and cold. Advice only: the agent may have said it on the phone already."""
    hardship = rules.patterns.get("hardship")
    sympathy = rules.patterns.get("sympathy")
    message = ctx.last_customer_message
    if hardship is None or sympathy is None or not hardship.search(message):
        return []
    if sympathy.search(draft):
        return []
    opening = rules.greeting_re
    body = [
        (a, b)
        for a, b in spans
        if len(draft[a:b].split()) >= 3 and not (opening and opening.fullmatch(draft[a:b].strip()))
    ] or spans
    if not body:
        return []
    start, end = body[0]
    explanation = str(rules.raw.get("hardship_explanation", ""))
    return [_finding(rules, HOSTILE, start, end, draft, explanation, advice=True)]


def check_curt(
    rules: Rules,
    ctx: CheckContext,
    draft: str,
    spans: list[tuple[int, int]],
    valid_names: set[str],
    *,
    signed: bool = False,
) -> list[Finding]:
    """Hostile-tone advice for a bare, curt reply: short (``curt_max_words``), with no
    greeting, no word of courtesy (``courtesy``: thanks, sorry, happy to…), neither the
    customer's name nor a name signed ("Read the email we sent. Refund was processed on
    the 3rd."). Each sentence may be correct; together they shut the door on the
    customer."""
    courtesy = rules.patterns.get("courtesy")
    words_ = draft.split()
    if (
        signed
        or courtesy is None
        or not words_
        or len(words_) > rules.thresholds.get("curt_max_words", 40)
    ):
        return []
    first_line = draft.strip().split("\n", 1)[0]
    if rules.greeting_re.match(first_line) or courtesy.search(draft):
        return []
    said = {w.lower().strip(".,;:!?-").removesuffix("'s") for w in words_}
    agent = {w.lower() for w in ctx.agent_name.split()[:1]}
    if (agent | valid_names) & said:
        return []
    # Signed with a name of any form ("Kev", "Jo x"): a capitalised last word alone.
    last = draft.strip().splitlines()[-1].split()
    if len(last) <= 5 and all(w[:1].isupper() or w in ("x", "of", "the", "&") for w in last):
        return []
    start, end = (spans[0][0], spans[-1][1]) if spans else (0, len(draft))
    explanation = str(rules.raw.get("curt_explanation", ""))
    return [_finding(rules, HOSTILE, start, end, draft, explanation, advice=True)]


def check_tone_model(
    rules: Rules,
    draft: str,
    spans: list[tuple[int, int]],
    taken: list[tuple[int, int]],
    beside_victim: list[tuple[int, int]],
    elsewhere: list[tuple[int, int]],
) -> list[Finding]:
    """Advice on sentences the learnt tone model reads as a respect kind.

    Sentences that already hold a tone finding are skipped (one tone finding per
    sentence), as are quoted words, sentences shorter than ``tone_model_min_words``
    and sentences beside the customer's being the victim (``beside_victim``: "you've
    been targeted by a scam account… please contact your bank" is care). Deflection
    follows the phrase rule: ownership anywhere in the draft cancels it. Disrespect
    is not guessed in the sentences of ``elsewhere`` (run_checks passes those whose
    blame is on whoever targeted the customer): the fraud words of "it does look like
    someone used your name to take out a fraudulent policy" are about that someone.

    A draft with no tone finding at all may still be cold spread thin: no sentence
    reaches the hostile floor, but two or more lean hostile (each at least
    ``tone_model_draft_hostile_each``: "You chose standard." "It'll get there when
    standard gets there.") and together reach ``tone_model_draft_hostile_sum``. Then
    the sentence that leans furthest gets hostile-tone advice.

    A draft's guesses name one kind (``_one_kind``).
    """
    model = model_of(rules)
    if not model.weights:
        return []
    floor = rules.thresholds.get("tone_model_min", 0.9)
    floors = {kind: rules.thresholds.get(f"tone_model_min_{kind}", floor) for kind in model.classes}
    min_words = int(rules.thresholds.get("tone_model_min_words", 3))
    labels: dict[str, str] = rules.raw.get("tone_model_labels", {})
    ownership = rules.patterns.get("ownership")
    guesses: list[tuple[float, Finding]] = []
    leaning: list[tuple[float, int, int]] = []
    for start, end in spans:
        if _overlaps((start, end), taken) or (start, end) in beside_victim:
            continue
        sentence = _unquoted(draft[start:end])
        if len(sentence.split()) < min_words:
            continue
        probabilities = model.probabilities(sentence)
        leaning.append((probabilities.get(HOSTILE, 0.0), start, end))
        kind, probability = model.likeliest(probabilities)
        if probability < floors.get(kind, floor):
            continue
        if kind == "deflection" and ownership is not None and ownership.search(draft):
            continue
        if kind == "disrespect" and (start, end) in elsewhere:
            continue  # "someone used your name to take out a fraudulent policy"
        explanation = _explained(
            rules, "tone_model_explanation", labels, kind, probability=probability
        )
        finding = _finding(rules, kind, start, end, draft, explanation, advice=True)
        guesses.append((probability, finding))
    if taken or guesses:
        return _one_kind(guesses)
    return _cold_draft(rules, draft, labels, leaning)


def _one_kind(guesses: list[tuple[float, Finding]]) -> list[Finding]:
    """The learnt guesses of the kind most of them share (ties: the surer kind).

    Near the floors the kinds blur: a curt "Take it or leave it, and let me know by
    Friday" reads as hostile, as arrogant and as talking down. Of a draft's guesses,
    those of a second kind are mostly the same fault read another way, and one kind
    of advice is clearer to the agent than three.
    """
    weight: dict[str, tuple[int, float]] = {}
    for probability, finding in guesses:
        count, total = weight.get(finding.kind, (0, 0.0))
        weight[finding.kind] = (count + 1, total + probability)
    if not weight:
        return []
    kind = max(weight, key=lambda k: weight[k])
    return [finding for _probability, finding in guesses if finding.kind == kind]


HOSTILE = "hostile_tone"


def _explained(rules: Rules, key: str, labels: dict[str, str], kind: str, **values: float) -> str:
    """The explanation template ``key`` of the rules, filled for ``kind``."""
    template = str(rules.raw.get(key, ""))
    label = labels.get(kind, kind.replace("_", " "))
    return template.format(label=label, **values) if template else ""


def _cold_draft(
    rules: Rules, draft: str, labels: dict[str, str], scored: list[tuple[float, int, int]]
) -> list[Finding]:
    """Hostile-tone advice when the sentences' hostile leanings (``scored``: probability,
    start, end) add up; see ``check_tone_model``."""
    each = rules.thresholds.get("tone_model_draft_hostile_each", 0.3)
    total = rules.thresholds.get("tone_model_draft_hostile_sum", 0.8)
    leaning = [entry for entry in scored if entry[0] >= each]
    if len(leaning) < 2 or sum(p for p, _s, _e in leaning) < total:
        return []
    _top, start, end = max(leaning)
    explanation = _explained(
        rules, "tone_model_draft_explanation", labels, HOSTILE, count=len(leaning)
    )
    return [_finding(rules, HOSTILE, start, end, draft, explanation, advice=True)]
