"""The reply check itself: pure functions from (context, draft, rules) to findings.

Nothing here touches the database or the network, so the console, the API and
the benchmark all run exactly the same checks, on this machine. One module per
concern: ``findings`` (the kinds, the context, the finding and shared matching),
``names`` (wrong_name), ``issue`` (off_issue), ``reask`` (re_ask), ``tone``
(profanity, shouting, hostile tone), ``canned``, ``promises``, and ``run``
(every check on one draft, including the plain phrase kinds: disrespect,
condescension, arrogance and deflection).
"""

from rightdesk.quality.engine.findings import KINDS, CheckContext, Field, Finding
from rightdesk.quality.engine.issue import answered_asks
from rightdesk.quality.engine.promises import PromiseDetector
from rightdesk.quality.engine.run import run_checks
from rightdesk.quality.engine.tone import vader

__all__ = [
    "KINDS",
    "CheckContext",
    "Field",
    "Finding",
    "PromiseDetector",
    "answered_asks",
    "run_checks",
    "vader",
]
