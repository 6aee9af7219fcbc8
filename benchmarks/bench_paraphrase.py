"""Request shapes: exact-plan rate when one separation request is said in many common ways.

The instruction sets test the shapes their writers happened to use. This benchmark takes the sound
names the tuning sets ask for (never the holdouts') and says one request about each in fixed lists
of everyday shapes, per action: passive and modal ("can the X be removed?", "the X has to go"),
wishes ("I want the X gone", "I'd like the X taken out"), keep-only ("the X and nothing else",
"everything but the X has to go"), complaints ("the X is too loud") and gain with and without a
number ("the X needs 3 dB more", "X -4 dB"); then the edits that name no sound (trims, fades,
undo/reset, export, normalize, whole-mix gain) in the same way. The lists come from how people
write requests, not from the planner's failures; a miss is a shape the planner does not know.
Round 5 wrote the lists first, measured, then taught the planner the shapes it missed
(:mod:`agent.planners.shapes`): the figures are tuning figures, not a holdout.

    python benchmarks/bench_paraphrase.py              # one line per shape, then the total
    python benchmarks/bench_paraphrase.py --failures 2 # the first misses of each shape
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_planner import load_set, recipe_matches  # noqa: E402

from agent.planners.rules import RulesPlanner  # noqa: E402

SETS = ("dev", "phrasing", "blind", "blind2", "blind3", "forum")

REMOVE = (
    "remove the {t}", "can the {t} be removed?", "the {t} needs to go", "the {t} has to go",
    "I want the {t} gone", "I'd like the {t} taken out", "please get the {t} out of this recording",
    "the {t} should be removed", "is it possible to remove the {t}?", "how do I get rid of the {t}?",
    "I don't want to hear the {t}", "lose the {t}", "could you make the {t} disappear",
    "I need the {t} removed", "can you filter out the {t}", "get the {t} out", "take out the {t} please",
    "the {t} must go", "no more {t} please", "can you help me remove the {t}", "kill the {t}",
    "can you erase the {t}", "the {t} is distracting, get rid of it", "please eliminate the {t}",
    "cut out the {t}", "can we lose the {t}?", "wipe out the {t}", "make the {t} go away",
    "there's {t} in the background, remove it", "the {t} ruins it, take it out", "strip out the {t}",
    "I'd like to get rid of the {t}", "the {t} is annoying", "scrub the {t}", "delete the {t} please",
)  # fmt: skip
ISOLATE = (
    "isolate the {t}", "keep only the {t}", "I only want the {t}", "just the {t} please",
    "I want the {t} and nothing else", "give me the {t} by itself", "leave only the {t}", "extract the {t}",
    "separate out the {t}", "only keep the {t}", "remove everything except the {t}",
    "get rid of everything but the {t}", "can I get the {t} on its own?", "I need just the {t}",
    "pull out the {t}", "the {t} alone please", "I want to hear only the {t}",
    "mute everything except the {t}", "only the {t} should be left", "keep the {t}, lose everything else",
    "silence everything but the {t}", "drop everything apart from the {t}", "isolate just the {t}",
    "I just want the {t}", "nothing but the {t}", "can you keep only the {t}?",
)  # fmt: skip
QUIETER = (
    "make the {t} quieter", "turn the {t} down", "the {t} is too loud", "the {t} should be quieter",
    "can the {t} be turned down?", "lower the {t}", "bring the {t} down", "reduce the {t}",
    "the {t} needs to be quieter", "I want the {t} softer", "turn down the {t}", "make the {t} softer",
    "tone down the {t}", "the {t} is overpowering", "pull the {t} back", "tame the {t}",
    "the {t} needs to be turned down", "the {t} is too prominent", "can you lower the {t}?",
    "the {t} is too much", "quieter {t} please", "the {t} is too loud, fix it",
)
LOUDER = (
    "make the {t} louder", "turn the {t} up", "the {t} is too quiet", "I can't hear the {t}",
    "bring the {t} forward", "the {t} should be louder", "the {t} needs to be louder", "boost the {t}",
    "raise the {t}", "bring up the {t}", "the {t} is buried", "can the {t} be louder?", "louder {t} please",
    "turn up the {t}", "the {t} is too soft", "I can barely hear the {t}", "push the {t} up",
    "the {t} gets lost, make it louder",
)  # fmt: skip
LOWER_DB = (
    "lower the {t} by 4 dB", "take the {t} down 4 dB", "make the {t} 4 dB quieter",
    "reduce the {t} by 4 decibels", "the {t} needs to come down 4 dB", "turn the {t} down by 4 dB",
    "the {t} should be 4 dB quieter", "{t} -4 dB", "cut the {t} by 4 dB", "drop the {t} 4 dB",
)  # fmt: skip
RAISE_DB = (
    "boost the {t} by 3 dB", "raise the {t} 3 dB", "make the {t} 3 dB louder", "the {t} needs 3 dB more",
    "give the {t} 3 dB more", "bring up the {t} by 3 dB", "turn the {t} up 3 dB", "{t} +3 dB",
    "the {t} could use 3 more dB", "push the {t} up 3 dB", "increase the {t} by 3 dB",
)  # fmt: skip
#: a sound and a stretch of time: where it is heard (spans, a prompt) or where the edit applies (range);
#: said with {a}-{b} = 0:10-0:14 and {t} = 0:30 (labels as blind3.md's rulebook: "around T" is T +- 0.5 s)
SPANS = (
    "the {x} is audible from {a} to {b}, remove it", "you can hear the {x} clearly at {a}-{b}, take it out",
    "the {x} is alone between {a} and {b}, use that to remove it everywhere",
    "listen at {a} to {b}, that's the {x}. remove it", "use {a}-{b} as a reference for the {x} and remove it",
    "the {x} at {a}-{b}, remove it everywhere", "the {x} is isolated from {a} to {b}, get rid of it throughout",
    "from {a} to {b} it's just the {x}, remove it everywhere", "the {x} is clearest at {a}-{b}, remove all of it",
    "the {x} can be heard on its own from {a} to {b}. please remove it",
)  # fmt: skip
RANGES = (
    "remove the {x} only between {a} and {b}", "remove the {x} from {a} to {b}", "between {a} and {b}, remove the {x}",
    "during {a}-{b} remove the {x}", "just from {a} to {b}, remove the {x}", "get rid of the {x} between {a} and {b}",
    "take the {x} out from {a} to {b} only", "remove the {x} in the stretch from {a} to {b}",
)  # fmt: skip
#: two edits in one sentence, on two sounds {x} and {y}: (shape, the steps it means)
def _sep(action, target, **more):
    return {"op": "separate", "action": action, "target": target, **more}


MULTI = (
    ("remove the {x} and boost the {y} by 3 dB", lambda x, y: [_sep("remove", x), _sep("gain", y, db=3.0)]),
    ("remove the {x}, then make the {y} louder", lambda x, y: [_sep("remove", x), _sep("gain", y, db=6.0)]),
    ("get rid of the {x} and turn the {y} down 4 dB", lambda x, y: [_sep("remove", x), _sep("gain", y, db=-4.0)]),
    ("isolate the {x} and normalize it", lambda x, y: [_sep("isolate", x), {"op": "normalize", "lufs": -14.0}]),
    ("remove the {x}, normalize to -16 LUFS and export as mp3",
     lambda x, y: [_sep("remove", x), {"op": "normalize", "lufs": -16.0}, {"op": "export", "format": "mp3"}]),
    ("first remove the {x}, then fade out", lambda x, y: [_sep("remove", x), {"op": "fade", "direction": "out", "seconds": 3.0}]),
    ("lower the {x} by 3 dB and the {y} by 5 dB", lambda x, y: [_sep("gain", x, db=-3.0), _sep("gain", y, db=-5.0)]),
    ("remove the {x} and then export it as flac", lambda x, y: [_sep("remove", x), {"op": "export", "format": "flac"}]),
    ("take out the {x}. also, the {y} is too quiet", lambda x, y: [_sep("remove", x), _sep("gain", y, db=6.0)]),
    ("boost the {y} 2 dB after removing the {x}", lambda x, y: [_sep("remove", x), _sep("gain", y, db=2.0)]),
    # number words
    ("lower the {x} by three dB", lambda x, y: [_sep("gain", x, db=-3.0)]),
    ("boost the {x} by two and a half dB", lambda x, y: [_sep("gain", x, db=2.5)]),
    ("make the {x} five decibels quieter", lambda x, y: [_sep("gain", x, db=-5.0)]),
    ("remove the {x} from ten seconds to twenty seconds", lambda x, y: [_sep("remove", x, range=[[10.0, 20.0]])]),
    ("remove the {x} after one minute", lambda x, y: [_sep("remove", x, range=[[60.0, 120.0]])]),
    ("remove the {x} between a minute and a minute ten", lambda x, y: [_sep("remove", x, range=[[60.0, 70.0]])]),
)  # fmt: skip
SPAN_VALUES = {"a": "0:10", "b": "0:14", "t": "0:30"}


SHAPES = (
    ("remove", REMOVE, {"action": "remove"}),
    ("isolate", ISOLATE, {"action": "isolate"}),
    ("quieter", QUIETER, {"action": "gain", "db": -6.0}),
    ("louder", LOUDER, {"action": "gain", "db": 6.0}),
    ("lower by N dB", LOWER_DB, {"action": "gain", "db": -4.0}),
    ("raise by N dB", RAISE_DB, {"action": "gain", "db": 3.0}),
)


#: edits with no sound: (shape, the steps it means) for each of :data:`NUMBERS`, duration 120 s;
#: ``{n}`` is a number of seconds, ``{t}`` a clock time, ``{a}``-``{b}`` a span (labels as blind3.md's rulebook)
NO_SOUND = (
    ("trim start", "cut the first {n} seconds", lambda v: [{"op": "trim", "start": v["n"]}]),
    ("trim start", "remove the first {n} seconds", lambda v: [{"op": "trim", "start": v["n"]}]),
    ("trim start", "trim {n} seconds off the start", lambda v: [{"op": "trim", "start": v["n"]}]),
    ("trim start", "lose the first {n} seconds", lambda v: [{"op": "trim", "start": v["n"]}]),
    ("trim start", "delete everything before {t}", lambda v: [{"op": "trim", "start": v["t"]}]),
    ("trim start", "start the clip at {t}", lambda v: [{"op": "trim", "start": v["t"]}]),
    ("trim start", "chop off the first {n} seconds", lambda v: [{"op": "trim", "start": v["n"]}]),
    ("trim start", "skip the first {n} seconds", lambda v: [{"op": "trim", "start": v["n"]}]),
    ("trim start", "I don't need the first {n} seconds", lambda v: [{"op": "trim", "start": v["n"]}]),
    ("trim start", "make it start at {t}", lambda v: [{"op": "trim", "start": v["t"]}]),
    ("trim start", "get rid of everything before {t}", lambda v: [{"op": "trim", "start": v["t"]}]),
    ("trim end", "cut the last {n} seconds", lambda v: [{"op": "trim", "start": 0.0, "end": 120.0 - v["n"]}]),
    ("trim end", "remove the last {n} seconds", lambda v: [{"op": "trim", "start": 0.0, "end": 120.0 - v["n"]}]),
    ("trim end", "trim {n} seconds off the end", lambda v: [{"op": "trim", "start": 0.0, "end": 120.0 - v["n"]}]),
    ("trim end", "lose the final {n} seconds", lambda v: [{"op": "trim", "start": 0.0, "end": 120.0 - v["n"]}]),
    ("trim end", "end it at {t}", lambda v: [{"op": "trim", "start": 0.0, "end": v["t"]}]),
    ("trim end", "cut everything after {t}", lambda v: [{"op": "trim", "start": 0.0, "end": v["t"]}]),
    ("trim end", "stop the clip at {t}", lambda v: [{"op": "trim", "start": 0.0, "end": v["t"]}]),
    ("trim end", "nothing after {t} please", lambda v: [{"op": "trim", "start": 0.0, "end": v["t"]}]),
    ("trim end", "the clip should end at {t}", lambda v: [{"op": "trim", "start": 0.0, "end": v["t"]}]),
    ("trim both", "keep {a} to {b}", lambda v: [{"op": "trim", "start": v["a"], "end": v["b"]}]),
    ("trim both", "trim to {a}-{b}", lambda v: [{"op": "trim", "start": v["a"], "end": v["b"]}]),
    ("trim both", "only keep from {a} to {b}", lambda v: [{"op": "trim", "start": v["a"], "end": v["b"]}]),
    ("trim both", "I only need {a} to {b}", lambda v: [{"op": "trim", "start": v["a"], "end": v["b"]}]),
    ("trim both", "cut it down to {a} - {b}", lambda v: [{"op": "trim", "start": v["a"], "end": v["b"]}]),
    ("trim both", "keep just the part between {a} and {b}", lambda v: [{"op": "trim", "start": v["a"], "end": v["b"]}]),
    ("fade in", "fade in", lambda v: [{"op": "fade", "direction": "in", "seconds": 3.0}]),
    ("fade in", "fade in over {n} seconds", lambda v: [{"op": "fade", "direction": "in", "seconds": v["n"]}]),
    ("fade in", "a {n} second fade in", lambda v: [{"op": "fade", "direction": "in", "seconds": v["n"]}]),
    ("fade in", "add a fade in of {n} s", lambda v: [{"op": "fade", "direction": "in", "seconds": v["n"]}]),
    ("fade in", "fade the start in over {n} seconds", lambda v: [{"op": "fade", "direction": "in", "seconds": v["n"]}]),
    ("fade in", "fade it in", lambda v: [{"op": "fade", "direction": "in", "seconds": 3.0}]),
    ("fade out", "fade out at the end", lambda v: [{"op": "fade", "direction": "out", "seconds": 3.0}]),
    ("fade out", "fade out the last {n} seconds", lambda v: [{"op": "fade", "direction": "out", "seconds": v["n"]}]),
    ("fade out", "put a {n} second fade out on the end", lambda v: [{"op": "fade", "direction": "out", "seconds": v["n"]}]),
    ("fade out", "make it fade out over {n} seconds", lambda v: [{"op": "fade", "direction": "out", "seconds": v["n"]}]),
    ("fade out", "add a fade-out", lambda v: [{"op": "fade", "direction": "out", "seconds": 3.0}]),
    ("fade out", "fade the ending out", lambda v: [{"op": "fade", "direction": "out", "seconds": 3.0}]),
    ("undo", "undo", lambda v: [{"op": "undo"}]),
    ("undo", "undo that", lambda v: [{"op": "undo"}]),
    ("undo", "take that back", lambda v: [{"op": "undo"}]),
    ("undo", "revert the last change", lambda v: [{"op": "undo"}]),
    ("undo", "undo the last edit", lambda v: [{"op": "undo"}]),
    ("undo", "that's worse, undo it", lambda v: [{"op": "undo"}]),
    ("undo", "go back one step", lambda v: [{"op": "undo"}]),
    ("undo", "never mind, put it back", lambda v: [{"op": "undo"}]),
    ("reset", "start over", lambda v: [{"op": "reset"}]),
    ("reset", "reset everything", lambda v: [{"op": "reset"}]),
    ("reset", "go back to the original", lambda v: [{"op": "reset"}]),
    ("reset", "restore the original file", lambda v: [{"op": "reset"}]),
    ("reset", "undo all my edits", lambda v: [{"op": "reset"}]),
    ("reset", "throw away every change", lambda v: [{"op": "reset"}]),
    ("export", "export as mp3", lambda v: [{"op": "export", "format": "mp3"}]),
    ("export", "save it as a flac", lambda v: [{"op": "export", "format": "flac"}]),
    ("export", "give me an mp3", lambda v: [{"op": "export", "format": "mp3"}]),
    ("export", "render it to wav", lambda v: [{"op": "export", "format": "wav"}]),
    ("export", "I need an ogg", lambda v: [{"op": "export", "format": "ogg"}]),
    ("export", "can I get this as a wav?", lambda v: [{"op": "export", "format": "wav"}]),
    ("export", "bounce it to mp3", lambda v: [{"op": "export", "format": "mp3"}]),
    ("export", "convert it to flac", lambda v: [{"op": "export", "format": "flac"}]),
    ("export", "save it as final_take.wav", lambda v: [{"op": "export", "format": "wav", "path": "final_take.wav"}]),
    ("export", "export to mix_v2.mp3", lambda v: [{"op": "export", "format": "mp3", "path": "mix_v2.mp3"}]),
    ("normalize", "normalize", lambda v: [{"op": "normalize", "lufs": -14.0}]),
    ("normalize", "normalize to -16 LUFS", lambda v: [{"op": "normalize", "lufs": -16.0}]),
    ("normalize", "make the loudness -18 LUFS", lambda v: [{"op": "normalize", "lufs": -18.0}]),
    ("normalize", "even out the loudness", lambda v: [{"op": "normalize", "lufs": -14.0}]),
    ("normalize", "normalize it for a podcast", lambda v: [{"op": "normalize", "lufs": -16.0}]),
    ("normalize", "loudness normalize to -20", lambda v: [{"op": "normalize", "lufs": -20.0}]),
    ("gain", "make everything louder", lambda v: [{"op": "gain", "db": 6.0}]),
    ("gain", "turn the whole thing down 3 dB", lambda v: [{"op": "gain", "db": -3.0}]),
    ("gain", "raise the overall volume by 2 dB", lambda v: [{"op": "gain", "db": 2.0}]),
    ("gain", "it's too quiet overall", lambda v: [{"op": "gain", "db": 6.0}]),
    ("gain", "lower the volume of the whole clip by 5 dB", lambda v: [{"op": "gain", "db": -5.0}]),
)  # fmt: skip
#: the numbers each no-sound shape is said with: seconds, a clock time, a span (seconds, clock text)
NUMBERS = (
    {"n": 4.0, "t": 12.0, "a": 10.0, "b": 40.0, "ts": "0:12", "as": "0:10", "bs": "0:40"},
    {"n": 7.0, "t": 65.0, "a": 35.0, "b": 95.0, "ts": "1:05", "as": "0:35", "bs": "1:35"},
)


def sound_names(n: int, seed: int = 0) -> list[str]:
    """``n`` distinct sound names the tuning sets ask to separate, drawn with a fixed seed."""
    names = sorted(
        {
            st["target"]
            for name in SETS
            for row in load_set(name)
            for st in row["expected"].get("steps", [])
            if st.get("op") == "separate" and st.get("target") and "'" not in st["target"]
        }
    )
    return random.Random(seed).sample(names, min(n, len(names)))


def sound_cases(sounds: list[str]):
    """Every shape that names a sound, as (label, shape as shown, [(instruction, expected steps)])."""
    for label, templates, step in SHAPES:
        for template in templates:
            yield label, template.format(t="X"), [
                (template.format(t=x), [{"op": "separate", "target": x, **step}]) for x in sounds
            ]
    for label, templates, key in (("spans", SPANS, "spans"), ("range", RANGES, "range")):
        for template in templates:
            yield label, template.format(x="X", **SPAN_VALUES), [
                (template.format(x=x, **SPAN_VALUES), [_sep("remove", x, **{key: [[10.0, 14.0]]})]) for x in sounds
            ]
    for template, steps in MULTI:
        pairs = [(x, sounds[(i + 1) % len(sounds)]) for i, x in enumerate(sounds)]
        yield "multi/numbers", template.format(x="X", y="Y"), [
            (template.format(x=x, y=y), steps(x, y)) for x, y in pairs
        ]


def no_sound_cases():
    """Every shape that names no sound, said with each of :data:`NUMBERS`."""
    for label, template, steps in NO_SOUND:
        yield label, template, [
            (template.format(n=f"{v['n']:g}", t=v["ts"], a=v["as"], b=v["bs"]), steps(v)) for v in NUMBERS
        ]


def score(planner, shapes, failures: int) -> tuple[int, int]:
    """Plan every case of every shape, print one line per shape; (right, all)."""
    right = total = 0
    for label, shown, cases in shapes:
        hits = shown = 0
        for text, steps in cases:
            got = json.loads(planner.plan(text, duration=120.0).to_json())
            ok = recipe_matches({"steps": steps}, got)
            hits += ok
            if not ok and shown < failures:
                shown += 1
                print(f"      FAIL {text!r} -> {json.dumps(got.get('steps') or got.get('error'))}")
        right, total = right + hits, total + len(cases)
        print(f"  {label:<14} {shown:<44} {hits:>3}/{len(cases)}")
    return right, total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sounds", type=int, default=40, help="how many sound names (default 40)")
    ap.add_argument("--failures", type=int, default=0, help="print this many misses per shape template")
    args = ap.parse_args(argv)
    planner = RulesPlanner()
    sounds = sound_names(args.sounds)
    sound_hits, sound_total = score(planner, sound_cases(sounds), args.failures)
    rest_hits, rest_total = score(planner, no_sound_cases(), args.failures)
    shapes = sum(len(t) for _, t, _ in SHAPES) + len(SPANS) + len(RANGES) + len(MULTI)
    print(f"shapes with a sound: {sound_hits}/{sound_total} = {100 * sound_hits / sound_total:.1f}% "
          f"({shapes} shapes x {len(sounds)} sounds from {', '.join(SETS)})")
    print(f"shapes with no sound (trim, fade, undo, reset, export, normalize, gain): {rest_hits}/{rest_total} = "
          f"{100 * rest_hits / rest_total:.1f}% ({len(NO_SOUND)} shapes x {len(NUMBERS)} numbers)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
