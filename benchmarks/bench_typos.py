"""Typing slips: exact-plan rate on instructions with one seeded slip per instruction.

Every instruction of the tuning sets (dev, phrasing, blind, blind2; never the holdouts) gets
one slip in a word of four letters or more that is not part of the expected sound name (a
sound the user names is a prompt: its spelling is theirs). Slips are the four a keyboard
makes: two neighbours swapped, a letter dropped, a letter doubled, a letter replaced by a
key next to it (QWERTY). The rules planner plans each slipped instruction with the spelling
pass (:mod:`agent.planners.spelling`) and without it ("before": only the opening verb of a
verbless clause respelt, as in round 2), scored like ``bench_planner.py``.

    python benchmarks/bench_typos.py                 # 3 seeds
    python benchmarks/bench_typos.py --seeds 1 --failures
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_planner import context_of, load_set, recipe_matches, target_words  # noqa: E402

from agent.planners import rules  # noqa: E402
from agent.planners.spelling import keyboard_neighbours  # noqa: E402

SETS = ("dev", "phrasing", "blind", "blind2")
def slip(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)  # first letter kept: people rarely miss it
    kind = rng.choice(("swap", "drop", "double", "key"))
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    near = keyboard_neighbours(word[i].lower()).replace(word[i].lower(), "") or word[i]
    return word[:i] + rng.choice(near) + word[i + 1 :]


def slipped(row: dict, rng: random.Random) -> str | None:
    """The instruction with one slip outside the sound names, or None when no word qualifies."""
    text = row["instruction"]
    protected = {w for s in row["expected"].get("steps", []) for w in target_words(s.get("target"))}
    words = [
        m
        for m in re.finditer(r"[A-Za-z]{4,}", text)
        if m.group(0).lower().rstrip("s") not in protected and m.group(0).lower() not in protected
    ]
    if not words:
        return None
    m = rng.choice(words)
    return text[: m.start()] + slip(m.group(0), rng) + text[m.end() :]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--failures", action="store_true")
    args = ap.parse_args(argv)
    rows = [r for name in SETS for r in load_set(name) if not r["expected"].get("error")]
    planner = rules.RulesPlanner()
    totals = {"spelling pass": 0, "before": 0}
    n = 0
    for seed in range(args.seeds):
        rng = random.Random(seed)
        for row in rows:
            text = slipped(row, rng)
            if text is None:
                continue
            n += 1
            for name in totals:
                patch = mock.patch.object(rules, "fix_typos", lambda t: t) if name == "before" else None
                if patch:
                    patch.start()
                try:
                    got = json.loads(
                        planner.plan(text, duration=row.get("duration"), context=context_of(row)).to_json()
                    )
                finally:
                    if patch:
                        patch.stop()
                hit = recipe_matches(row["expected"], got)
                totals[name] += hit
                if args.failures and name == "spelling pass" and not hit:
                    print(f"  FAIL {row['id']}: {text!r}")
    print(f"{n} slipped instructions ({len(rows)} from {', '.join(SETS)} x {args.seeds} seeds)")
    for name, hits in totals.items():
        print(f"  {name:<13} {hits}/{n} = {100 * hits / n:.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
