"""Run-on sentences: exact-plan rate when an instruction's commas and full stops are left out.

People type fast, and Whisper drops the commas a speaker pauses for. Every instruction of the
tuning sets (never the holdouts) that has sentence punctuation (``,;.!?`` before a space or at
the end; "clean.mp3" and "1.5" keep theirs) and plans right as written is planned again with
that punctuation taken out, with the clause-break pass (:mod:`agent.planners.clauses`) and
without it ("before", as in round 3), scored like ``bench_planner.py``.

    python benchmarks/bench_run_on.py
    python benchmarks/bench_run_on.py --failures
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_planner import context_of, load_set, recipe_matches  # noqa: E402

from agent.planners import rules  # noqa: E402

SETS = ("dev", "phrasing", "blind", "blind2", "forum", "blind3")
_SENTENCE_MARKS = re.compile(r"[,;.!?]+(?=\s|$)")


def run_on(text: str) -> str:
    return re.sub(r"\s+", " ", _SENTENCE_MARKS.sub("", text)).strip()


def _plans_right(row: dict, text: str) -> bool:
    recipe = rules.RulesPlanner().plan(text, duration=row.get("duration"), context=context_of(row))
    return recipe_matches(row["expected"], json.loads(recipe.to_json()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--failures", action="store_true")
    args = ap.parse_args(argv)
    rows = [r for name in SETS for r in load_set(name)]
    cases = [(r, run_on(r["instruction"])) for r in rows if run_on(r["instruction"]) != r["instruction"].strip()]
    cases = [(r, text) for r, text in cases if _plans_right(r, r["instruction"])]
    after = [_plans_right(r, text) for r, text in cases]
    with mock.patch.object(rules, "split_run_on", lambda clause: [clause]):
        before = [_plans_right(r, text) for r, text in cases]
    n = len(cases)
    print(f"{n} instructions of {', '.join(SETS)} with sentence punctuation that plan right as written")
    print(f"  without their punctuation, before the clause-break pass: {sum(before)}/{n} = {100 * sum(before) / n:.1f}%")
    print(f"  without their punctuation, with it:                      {sum(after)}/{n} = {100 * sum(after) / n:.1f}%")
    if args.failures:
        for (r, text), ok in zip(cases, after):
            if not ok:
                print(f"    FAIL {r['id']} {text!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
