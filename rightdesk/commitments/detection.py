"""Finding promises in what an agent writes, and update requests in what a customer writes.

Pure functions: text in, findings out. "I'll call you back this afternoon"
becomes a call-back promise due at the end of this afternoon in the team's time
zone; "you'll have your code shortly" becomes a vague promise given the
policy's default window. Dates are read with dateparser relative to the moment
the reply is sent, in the team's zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import dateparser

from rightdesk.commitments.choices import Kind
from rightdesk.sla.hours import BusinessHours

# -- sentences ------------------------------------------------------------------
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE.split(text or "") if part.strip()]


def _norm(sentence: str) -> str:
    return sentence.lower().replace("\u2019", "'").replace("\u2018", "'")


# -- is it a promise? -------------------------------------------------------------
_ACTOR = (
    r"(?:i|we|someone|somebody|(?:a|an|the|our|my)\s+(?:[a-z]+\s+){0,3}?"
    r"(?:technician|mechanic|manager|team|shop|workshop|colleague|specialist|engineer|courier|"
    r"department|driver|member\s+of\s+(?:our|the)\s+team)(?:\s+[a-z]+)?)"
)
_FUTURE = re.compile(
    rf"\b(?:{_ACTOR}\s+(?:will|shall|am going to|are going to|is going to)"
    r"|(?:i|we|someone)(?:'ll|'m going to|'re going to)"
    r"|you(?:'ll| will)\s+(?:have|get|receive|hear)"
    r"|your\s+(?:\w+\s+){0,3}will\s+be"
    r"|(?:car|laptop|phone|order|parcel|package|part|repair|refund|code)\s+will\s+(?:be|arrive)"
    r"|(?:a|the)\s+(?:full\s+|partial\s+)?refund\s+will\s+be"
    r"|expect\s+(?:a|an|my|our|your)\b"
    r"|(?:you can|can)\s+expect\b|count on\b"
    r"|please allow\b"
    r"|(?:we|i)\s+promise\b"
    r"|(?:promised|agreed)\s+to\b"
    r"|(?:told|assured|informed)\s+(?:the\s+customer|him|her|them)\s+(?:that\s+)?(?:i|we|he|she)"
    r"\s+(?:would|'d)"
    r"|(?:was|were)\s+told\s+(?:that\s+)?(?:i|we)\s+(?:would|'d)"
    r"|(?:said|promised)\s+(?:that\s+)?(?:i|we)(?:'d|\s+would)"
    r"|(?:let\s+me|allow\s+me\s+to)\s+(?:call|get back)"
    # A scheduled present of ours ("it ships tomorrow", "your order is dispatched today").
    r"|(?:it|they|(?:your|the)\s+(?:[a-z]+\s+){0,2}?[a-z]+)\s+(?:ships|arrives|"
    r"is\s+dispatched|leaves\s+(?:us|our\s+\w+))\b(?:\s+[\w,.-]+){0,4}?\s+(?:today|tonight|"
    r"tomorrow|on\s+(?:mon|tues|wednes|thurs|fri|satur|sun)day|this\s+(?:morning|afternoon|"
    r"evening|week)|next\s+week)\b"
    r")"
)
_NOT_A_PROMISE = re.compile(
    r"\b(?:can't|cannot|can not|won't|will not|unable|don't|do not|may|might|"
    r"normally|usually|if you|try to)\b"
)
_ACTION = re.compile(
    r"\b(?:call|calling|phone|ring|reply|respond|answer|get back|be in touch|hear|update|"
    r"let you know|follow up|keep you posted|write|message|drop you a line|send|email|e-mail|"
    r"refund|money back|credit|credited|reimburse|ship|deliver|delivery|estimate|quote|price|"
    r"code|key|link|ready|back to you|repaired|fixed|process|arrange|issue|issued|get|have|"
    r"receive|reach out|contact|arrive|posted|confirm|collect|invoice|report|paperwork|"
    r"replace|replacement|exchange|swap|ships|goes out|dispatched|be there|be with you|visit|"
    r"come (?:by|round|over|out|to you))\b"
)

_KIND_RULES: list[tuple[str, re.Pattern[str]]] = [
    (
        Kind.CALL_BACK,
        re.compile(
            r"\b(?:call|calling|phone|ring)\s+(?:you|her|him|them|the\s+customer|back|\w+\s+back)\b"
            r"|\b(?:a|you a)\s+(?:call|ring)\b|\bcall\s+(?:you|her|him)\b"
        ),
    ),
    (Kind.REFUND, re.compile(r"\b(?:refund|money back|credit|reimburse)\w*|\bcredited\b")),
    (Kind.ESTIMATE, re.compile(r"\b(?:estimate|quote|price)\b")),
    (
        Kind.REPLY,
        re.compile(
            r"\b(?:update|get back|reply|respond|answer|let you know|be in touch|hear from|"
            r"hear back|follow up|keep you posted|write back|drop you a line|message you|"
            r"an email from|reach out|contact you|confirm)\b"
        ),
    ),
    (
        Kind.DELIVER,
        re.compile(
            r"\b(?:send|ship|ships|deliver\w*|code|key|link|tracking|invoice|replace\w*|ready|"
            r"exchange|swap|goes out|dispatched|be there|be with you|visit|come (?:by|round|over)|"
            r"back to you|repaired|fixed|download|arrive|email you (?:the|a|your)|posted|"
            r"collect|paperwork|password)\b"
        ),
    ),
]


def promise_kind(sentence: str) -> str | None:
    """The kind of promise a sentence makes, or None when it makes none."""
    text = _norm(sentence)
    if text.rstrip().endswith("?") or not _FUTURE.search(text):
        return None
    if _NOT_A_PROMISE.search(text) or not _ACTION.search(text):
        return None
    for kind, pattern in _KIND_RULES:
        if pattern.search(text):
            return kind
    return Kind.OTHER


# -- when is it due? ----------------------------------------------------------------
_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty-eight": 48,
}
_NUM = r"(\d+|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_DURATION = re.compile(
    rf"\b(?:within|in|up to)\s+(?:the\s+next\s+)?{_NUM}\s+(business\s+|working\s+)?"
    r"(minute|min|hour|hr|day|week)s?\b"
)
_WITHIN_THE_HOUR = re.compile(r"\bwithin the (?:next )?hour\b")
_VAGUE = re.compile(
    r"\b(?:shortly|soon|asap|as soon as (?:possible|i can|we can|i hear|we hear)|right away|"
    r"straight away|right back|in a moment|in a bit|promptly|in a few (?:days|hours)|"
    r"in the next few days|when|once|as soon as)\b"
)
_END_OF_WEEK = re.compile(r"\b(?:end of (?:the|this) week|end of week)\b")
_END_OF_DAY = re.compile(
    r"\b(?:end of (?:the )?(?:business )?day|end of business(?: today)?|close of business|"
    r"before (?:we|the shop) close|later today|cob|eod)\b"
)
_NEXT_WEEK = re.compile(r"\bnext week\b")
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)"
)
_DAY = re.compile(
    rf"\b(?:(?:next\s+)?{_WEEKDAY}|today|tonight|tomorrow|"
    rf"{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}|"
    r"the\s+\d{1,2}(?:st|nd|rd|th))\b"
)
_CLOCK = re.compile(
    r"\b(?:by|at|before|until|around)\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?(?!\s*(?:minute|min|hour|day|week|%|\d))"
    r"|\b(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)"
    r"|\b(noon|midday)\b"
)
_PART = re.compile(r"\b(first thing|morning|afternoon|evening|tonight)\b")
_PART_TIMES = {
    "morning": time(12, 0),
    "afternoon": time(17, 0),
    "evening": time(20, 0),
    "tonight": time(20, 0),
}


@dataclass(frozen=True)
class DetectedPromise:
    """A promise found in a sentence: what, when, and whether the time was vague."""

    kind: str
    sentence: str
    due_at: datetime
    vague: bool
    phrase: str


def _clock_time(text: str) -> tuple[time, str] | None:
    match = _CLOCK.search(text)
    if match is None:
        return None
    if match.group(7):
        return time(12, 0), match.group(0)
    hour_s, minute_s, meridiem = (
        (match.group(1), match.group(2), match.group(3))
        if match.group(1)
        else (match.group(4), match.group(5), match.group(6))
    )
    hour, minute = int(hour_s), int(minute_s or 0)
    if hour > 23 or minute > 59:
        return None
    if meridiem and meridiem.startswith("p") and hour < 12:
        hour += 12
    elif meridiem and meridiem.startswith("a") and hour == 12:
        hour = 0
    elif not meridiem and 1 <= hour <= 7:
        hour += 12  # "at 4" in a working day means the afternoon
    return time(hour, minute), match.group(0)


def _parse_day(phrase: str, base: datetime) -> date | None:
    phrase = re.sub(r"^(?:on\s+)?the\s+", "", phrase.strip())
    if phrase in ("today", "tonight"):
        return base.date()
    if phrase == "tomorrow":
        return base.date() + timedelta(days=1)
    parsed = dateparser.parse(
        phrase,
        languages=["en"],
        settings={
            "RELATIVE_BASE": base.replace(tzinfo=None),
            "PREFER_DATES_FROM": "future",
            "RETURN_AS_TIMEZONE_AWARE": False,
            "PREFER_DAY_OF_MONTH": "first",
        },
    )
    if parsed is None:
        return None
    day = parsed.date()
    return day if day >= base.date() else None


def _close_of(hours: BusinessHours, day: date) -> datetime:
    closing = hours.end_of_day(day)
    if closing is not None:
        return closing
    return datetime.combine(day, time(17, 0), tzinfo=hours.zone)


def _opening_of(hours: BusinessHours, day: date) -> datetime:
    opening = hours.opening_of_day(day)
    if opening is not None:
        return opening
    return datetime.combine(day, time(9, 0), tzinfo=hours.zone)


def _nth_business_day(hours: BusinessHours, day: date, count: int) -> date:
    for _ in range(count):
        day = hours.next_business_day(day)
    return day


def promise_due(
    sentence: str, *, sent_at: datetime, hours: BusinessHours, vague_window: timedelta
) -> tuple[datetime, bool, str]:
    """When a promise made in ``sentence`` at ``sent_at`` falls due, whether it was
    vague, and the words that said when."""
    text = _norm(sentence)
    local = sent_at.astimezone(hours.zone)
    today = local.date()

    if _WITHIN_THE_HOUR.search(text):
        return sent_at + timedelta(hours=1), False, _WITHIN_THE_HOUR.search(text).group(0)  # type: ignore[union-attr]
    duration = _DURATION.search(text)
    if duration:
        count_s, business, unit = duration.group(1), duration.group(2), duration.group(3)
        count = int(count_s) if count_s.isdigit() else _NUMBER_WORDS[count_s]
        if unit == "day" and business:
            return (
                _close_of(hours, _nth_business_day(hours, today, count)),
                False,
                duration.group(0),
            )
        size = {
            "minute": timedelta(minutes=1),
            "min": timedelta(minutes=1),
            "hour": timedelta(hours=1),
            "hr": timedelta(hours=1),
            "day": timedelta(days=1),
            "week": timedelta(weeks=1),
        }[unit]
        return sent_at + count * size, False, duration.group(0)
    if _END_OF_WEEK.search(text):
        friday = today + timedelta(days=4 - today.weekday())
        last = friday if friday >= today else friday + timedelta(days=7)
        while not hours.day_intervals(last) and last > today:
            last -= timedelta(days=1)
        return _close_of(hours, last), False, "end of the week"
    if _NEXT_WEEK.search(text):
        next_friday = today + timedelta(days=4 - today.weekday() + 7)
        return _close_of(hours, next_friday), False, "next week"

    day_match = _DAY.search(text)
    day = _parse_day(day_match.group(0), local) if day_match else None
    clock = _clock_time(text)
    part = _PART.search(text)
    phrase = " ".join(
        p
        for p in (
            day_match.group(0) if day_match else "",
            clock[1] if clock else "",
            part.group(0) if part else "",
        )
        if p
    )
    if _END_OF_DAY.search(text) and day is None:
        return _close_of(hours, today), False, _END_OF_DAY.search(text).group(0)  # type: ignore[union-attr]
    if day is not None or clock is not None or (part is not None and "this" in text):
        target_day = day or today
        if clock is not None:
            due = datetime.combine(target_day, clock[0], tzinfo=hours.zone)
            if day is None and due <= local:
                due = datetime.combine(hours.next_business_day(today), clock[0], tzinfo=hours.zone)
        elif part is not None and part.group(0) == "first thing":
            due = _opening_of(hours, target_day) + timedelta(hours=1)
        elif part is not None:
            due = datetime.combine(target_day, _PART_TIMES[part.group(0)], tzinfo=hours.zone)
        else:
            due = _close_of(hours, target_day)
        if due > local:
            return due, False, phrase
    # No usable time, or a vague one: the policy's default window, in business time.
    vague_match = _VAGUE.search(text)
    return hours.add(sent_at, vague_window), True, vague_match.group(0) if vague_match else ""


def detect_promises(
    text: str, *, sent_at: datetime, hours: BusinessHours, vague_window: timedelta
) -> list[DetectedPromise]:
    """Every promise in an outbound text, with its kind and due time."""
    found: list[DetectedPromise] = []
    for sentence in sentences(text):
        kind = promise_kind(sentence)
        if kind is None:
            continue
        due, vague, phrase = promise_due(
            sentence, sent_at=sent_at, hours=hours, vague_window=vague_window
        )
        found.append(
            DetectedPromise(kind=kind, sentence=sentence, due_at=due, vague=vague, phrase=phrase)
        )
    return found


# -- chases ---------------------------------------------------------------------------
_CHASE = re.compile(
    r"\b(?:any (?:news|update|updates|word|progress)|"
    r"(?:an |for an |asking for an |wanted an |want an )update|"
    r"where is my|where's my|where are my|"
    r"still waiting|still no (?:word|news|reply|call|answer)|still haven't|"
    r"(?:haven't|have not|hasn't|has not|never) (?:heard|received|got|had)|"
    r"i called earlier|called earlier|i rang earlier|"
    r"you said you would|you said you'd|you promised|supposed to (?:call|hear|get)|"
    r"what(?:'s| is) (?:the|happening|going on)|status of|the status|"
    r"checking (?:in|on)|following up|follow(?:ing)? up on|chasing|"
    r"asking (?:about|after|for) (?:the status|progress|news)|"
    r"when will (?:i|my|it|the)|how much longer|is it ready|is my \w+ ready)"
)


def chase_phrase(text: str) -> str | None:
    """The words that make a customer's message a request for an update, or None.

    A chase only asks for news: a long message that brings new information is a
    conversation, not a chase, so only short messages count.
    """
    normalised = _norm(text)
    if len(normalised) > 400:
        return None
    match = _CHASE.search(normalised)
    return match.group(0) if match else None
