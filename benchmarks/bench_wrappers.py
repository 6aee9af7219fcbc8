"""Wording around a request: exact-plan rate when an instruction is wrapped or reworded.

Every tuning-set instruction (never the holdouts) that plans right as written is planned again
with words people put around a request: a greeting or opener before it, a purpose or courtesy
after it, in capitals, and with its opening "remove"-type verb swapped for another verb of the
same meaning. The wrappers are fixed lists, chosen for being common in chat and forum requests,
not from the planner's failures; a miss means the planner let the extra words change the plan.

    python benchmarks/bench_wrappers.py            # one line per wrapper, then the total
    python benchmarks/bench_wrappers.py --failures 3
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_planner import context_of, load_set, recipe_matches  # noqa: E402

from agent.planners.rules import RulesPlanner  # noqa: E402

SETS = ("dev", "phrasing", "blind", "blind2", "forum", "blind3")
PREFIXES = (
    "hey, ", "hi there! ", "ok so ", "quick one: ", "Hey team, ", "so basically ", "right, ", "Good morning. ",
    "question: ", "one more thing: ", "next, ", "alright, ", "sorry to bother, ",
)  # fmt: skip
#: only before an instruction that opens with a command verb ("could you there's reverb" is no English)
REQUEST_PREFIXES = ("hello, could you ", "pls ", "can you please ", "would you mind helping me ")
SUFFIXES = (
    " thanks", " thx!", " please", " if possible", " asap", " :)", " - thanks in advance", " cheers",
    " when you get a chance", " lol",
)  # fmt: skip
#: only after an instruction with no normalize step: "for my podcast" rightly changes its loudness
PURPOSE_SUFFIXES = (
    " for my podcast", " for a youtube video", " for my client", " before I upload it", " for the final version",
)
_COMMAND_OPENING = re.compile(
    r"(?i)^(?:remove|get|take|make|turn|boost|lower|raise|isolate|keep|extract|cut|trim|fade|normali[sz]e|export|"
    r"save|undo|mute|reduce|delete|erase|eliminate|kill|bring|push|pull|add|give|apply|pull|separate|clean|silence)\b"
)
REMOVE_VERBS = (
    "get rid of", "eliminate", "take out", "strip out", "kill", "cut out", "filter out", "suppress", "ditch",
    "erase", "delete", "lose", "scrub", "clean out",
)  # fmt: skip
#: sounds no instruction set names, some of several words: a target is the user's words, whatever they are
NEW_SOUNDS = (
    "pressure washer", "cuckoo clock", "ice cream truck jingle", "didgeridoo", "wind chimes", "leaf blower",
    "tea kettle whistle", "hurdy-gurdy", "garbage truck", "modem squeal", "bagpipes", "zipper", "foghorn",
    "kazoo", "popcorn popping",
)  # fmt: skip
_OPENING_REMOVE = re.compile(r"(?i)^(?:remove|get rid of|eliminate|take out|delete|erase|kill)\b")


def swap_sound(text: str, expected: dict, sound: str) -> tuple[str, dict] | None:
    """The instruction with its one named sound replaced by ``sound``, and the plan that should give."""
    targets = {st.get("target") for st in expected["steps"] if st["op"] == "separate" and st.get("target")}
    if len(targets) != 1:
        return None
    (old,) = targets
    found = list(re.finditer(rf"(?i)\b{re.escape(old)}\b", text))
    if len(found) != 1 or any(sound in t.lower() for t in (text,)):
        return None
    m = found[0]
    steps = [{**st, "target": sound} if st.get("target") == old else st for st in expected["steps"]]
    return text[: m.start()] + sound + text[m.end() :], {**expected, "steps": steps}


def wrappers() -> list[tuple[str, callable]]:
    """(name, (instruction, expected) -> reworded instruction or None when it does not apply)."""
    out: list[tuple[str, callable]] = []
    for p in PREFIXES:
        out.append((f"prefix {p!r}", lambda t, e, p=p: p + t[0].lower() + t[1:]))
    for p in REQUEST_PREFIXES:
        out.append((f"prefix {p!r}", lambda t, e, p=p: p + t[0].lower() + t[1:] if _COMMAND_OPENING.match(t) else None))
    for s in SUFFIXES:
        out.append((f"suffix {s!r}", lambda t, e, s=s: t.rstrip(".!? ") + s))
    for s in PURPOSE_SUFFIXES:
        out.append((
            f"suffix {s!r}",
            lambda t, e, s=s: None if any(st["op"] == "normalize" for st in e["steps"]) else t.rstrip(".!? ") + s,
        ))  # fmt: skip
    out.append(("in capitals", lambda t, e: t.upper()))
    for v in REMOVE_VERBS:
        out.append((f"verb {v!r}", lambda t, e, v=v: (v + t[m.end() :]) if (m := _OPENING_REMOVE.match(t)) else None))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--failures", type=int, default=0, help="show up to N misses per wrapper")
    args = ap.parse_args(argv)
    planner = RulesPlanner()

    def right(row: dict, text: str) -> bool:
        got = json.loads(planner.plan(text, duration=row.get("duration"), context=context_of(row)).to_json())
        return recipe_matches(row["expected"], got)

    def sound_swaps() -> tuple[int, int]:
        n = ok = 0
        for i, r in enumerate(rows):
            swapped = swap_sound(r["instruction"], r["expected"], NEW_SOUNDS[i % len(NEW_SOUNDS)])
            if swapped is None:
                continue
            n += 1
            ok += right({**r, "expected": swapped[1]}, swapped[0])
            if args.failures and not right({**r, "expected": swapped[1]}, swapped[0]) and n - ok <= args.failures:
                print(f"      FAIL {r['id']} {swapped[0]!r}")
        return n, ok

    # refusals are left out: a wrapper around a refused request is still refused, which says nothing
    rows = [r for name in SETS for r in load_set(name) if not r["expected"].get("error") and right(r, r["instruction"])]
    total = good = 0
    for name, wrap in wrappers():
        cases = [(r, t) for r in rows if (t := wrap(r["instruction"], r["expected"])) and t != r["instruction"]]
        misses = [(r, t) for r, t in cases if not right(r, t)]
        total += len(cases)
        good += len(cases) - len(misses)
        print(f"  {name:<28} {len(cases) - len(misses):4d}/{len(cases):<4d} {100 * (1 - len(misses) / max(len(cases), 1)):5.1f}%")
        for r, t in misses[: args.failures]:
            print(f"      FAIL {r['id']} {t!r}")
    n, ok = sound_swaps()
    print(f"  {'another sound named':<28} {ok:4d}/{n:<4d} {100 * ok / max(n, 1):5.1f}%")
    total, good = total + n, good + ok
    print(f"all wrappers: {good}/{total} = {100 * good / total:.1f}% of {len(rows)} instructions that plan right as written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
