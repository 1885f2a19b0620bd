"""Reply-check benchmark: precision and recall per kind on the labelled drafts, and speed.

    python bench/reply_check.py             # both splits, timing
    python bench/reply_check.py --errors dev  # also list the misses of one split

The evaluation set (bench/data/reply_check_eval.jsonl) holds drafts written for
this project, each with its ticket context and the kinds a careful reviewer
expects. Rules are tuned on the "dev" split only; "heldout" is reported to show
how well the rules generalise. Runs the same pure check as the console, with
the shipped rules and no database.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rightdesk.settings")

import django  # noqa: E402

django.setup()

from rightdesk.quality.engine import KINDS, CheckContext, Field, run_checks  # noqa: E402
from rightdesk.quality.rules import shipped_rules  # noqa: E402
from rightdesk.quality.services import promise_detector  # noqa: E402

DATA = ROOT / "bench" / "data" / "reply_check_eval.jsonl"
TARGET_PRECISION = 0.9
TARGET_RECALL = 0.85
TARGET_CLEAN_BLOCKED = 0.05


def context_of(raw: dict[str, Any]) -> CheckContext:
    return CheckContext(
        customer_name=raw["customer_name"],
        preferred_name=raw.get("preferred_name", ""),
        agent_name=raw.get("agent_name", ""),
        facts=[Field(label=label, value=value) for label, value in raw.get("facts", [])],
        contacts=[
            Field(label=kind, value=value, kind=kind) for kind, value in raw.get("contacts", [])
        ],
        orders=list(raw.get("orders", [])),
        items=[
            Field(label=label, value=value, kind="item") for label, value in raw.get("items", [])
        ],
        last_customer_message=raw.get("last_customer_message", ""),
        subject=raw.get("subject", ""),
        other_names=list(raw.get("other_names", [])),
        templates=list(raw.get("templates", [])),
        recent_replies=list(raw.get("recent_replies", [])),
    )


def evaluate(rows: list[dict[str, Any]], show_errors: bool) -> None:
    rules = shipped_rules("en")
    detector = promise_detector()
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    clean = clean_blocked = 0
    for row in rows:
        findings = run_checks(
            context_of(row["context"]), row["draft"], rules, promise_detector=detector
        )
        found = {f.kind for f in findings}
        expected = set(row["expected"])
        for kind in KINDS:
            if kind in found and kind in expected:
                tp[kind] += 1
            elif kind in found:
                fp[kind] += 1
            elif kind in expected:
                fn[kind] += 1
        if not expected:
            clean += 1
            if any(f.blocking for f in findings):
                clean_blocked += 1
        if show_errors and found != expected:
            print(f"  {row['id']} expected={sorted(expected)} found={sorted(found)}")
            print("     " + row["draft"].replace("\n", " / ")[:160])
            for f in findings:
                if f.kind not in expected:
                    print(f"     + {f.kind}: {f.excerpt[:80]!r} {f.explanation[:80]}")
    print(f"  {'kind':<14} {'n':>4} {'precision':>9} {'recall':>7}")
    worst_ok = True
    for kind in KINDS:
        n = tp[kind] + fn[kind]
        precision = tp[kind] / (tp[kind] + fp[kind]) if tp[kind] + fp[kind] else 1.0
        recall = tp[kind] / n if n else 1.0
        ok = precision >= TARGET_PRECISION and recall >= TARGET_RECALL
        worst_ok = worst_ok and ok
        flag = "" if ok else "  below target"
        print(f"  {kind:<14} {n:>4} {precision:>9.2f} {recall:>7.2f}{flag}")
    share = clean_blocked / clean if clean else 0.0
    print(
        f"  clean replies with a blocking finding: {clean_blocked}/{clean} = {share:.1%}"
        f" (target <= {TARGET_CLEAN_BLOCKED:.0%})"
    )
    print(f"  all kinds on target: {'yes' if worst_ok else 'no'}")


def timing(rows: list[dict[str, Any]], runs: int = 300) -> None:
    rules = shipped_rules("en")
    detector = promise_detector()
    row = next(r for r in rows if r["scenario"] == "tow" and not r["expected"])
    pieces = [r["draft"] for r in rows if r["scenario"] == "tow"]
    draft = ""
    index = 0
    while len(draft) < 2048:
        draft += pieces[index % len(pieces)] + "\n\n"
        index += 1
    draft = draft[:2048]
    context = context_of(row["context"])
    # 150 recent replies, as the console compares against (context.RECENT_REPLIES).
    context.recent_replies = [r["draft"] for r in rows[:150]]
    run_checks(context, draft, rules, promise_detector=detector)  # warm caches
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        run_checks(context, draft, rules, promise_detector=detector)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p50 = statistics.median(samples)
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(
        f"timing: {len(draft)}-char draft, 150 recent replies, {runs} runs: "
        f"p50 {p50:.1f} ms, p95 {p95:.1f} ms (target p95 < 50 ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", choices=("dev", "heldout", "all"), default=None)
    parser.add_argument("--no-timing", action="store_true")
    args = parser.parse_args()
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]
    kinds = Counter(k for r in rows for k in r["expected"])
    print(
        f"{len(rows)} drafts, {sum(1 for r in rows if not r['expected'])} clean; "
        + ", ".join(f"{k} {kinds[k]}" for k in KINDS)
    )
    source = "rightdesk.commitments.detection + local" if promise_detector() else "local"
    print(f"promise detector: {source}")
    for split in ("dev", "heldout"):
        chosen = [r for r in rows if r["split"] == split]
        print(f"\n{split} split ({len(chosen)} drafts)")
        evaluate(chosen, args.errors in (split, "all"))
    if not args.no_timing:
        print()
        timing(rows)


if __name__ == "__main__":
    main()
