"""The speech specialist against the classic engine, on espeak-ng speech + synthetic noise.

Ten mixtures: ten espeak-ng sentences (four voices) at 16 kHz, each over one of five noises
(white, pink, wind, hum + hiss, rain) at 0 dB SNR over the whole clip. Scored by SI-SDR
improvement over the mixture (samaudio_core.metrics):

  speech target ("speech")      dfn: speech_dfn.enhance; classic: BuiltinEngine(speech_specialist=False)
  noise target (its kind name)  routed: BuiltinEngine() (speech removed first, route
                                "interferer"); classic: BuiltinEngine(speech_specialist=False)

and the real-time factor of DeepFilterNet3 (processing s / audio s) with the native state
already created, and with its creation (~0.7 s) included. Run it pinned to one core:

    nice taskset -c 0 python benchmarks/bench_speech_dfn.py [--json out.json] [--devset]

``--devset`` also scores dev-set mixtures (data/devset/manifest.json here, else
/work/main/data/devset; read only; see build_devset.py), ``--categories speech`` by default:
the engine as shipped against ``speech_specialist=False``, per route.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import butter, resample_poly, sosfilt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from samaudio_core.audio import Audio  # noqa: E402
from samaudio_core.builtin import speech_dfn  # noqa: E402
from samaudio_core.builtin.engine import BuiltinEngine  # noqa: E402
from samaudio_core.metrics import si_sdr_improvement  # noqa: E402
from samaudio_core.prompts import Prompt  # noqa: E402

SR = 16_000
SENTENCES = [
    "The birch canoe slid on the smooth planks.",
    "Glue the sheet to the dark blue background.",
    "It is easy to tell the depth of a well.",
    "These days a chicken leg is a rare dish.",
    "Rice is often served in round bowls.",
    "The juice of lemons makes fine punch.",
    "The box was thrown beside the parked truck.",
    "The hogs were fed chopped corn and garbage.",
    "Four hours of steady work faced us.",
    "A large size in stockings is hard to sell.",
]
VOICES = ["en-us", "en-gb+f3", "en-us+m3", "en-gb+f2"]
#: noise name -> the prompt that names it as a target
NOISES = {"white": "hiss", "pink": "hiss", "wind": "wind", "hum": "hum", "rain": "rain"}


def speak(text: str, voice: str) -> np.ndarray:
    if not shutil.which("espeak-ng"):
        raise SystemExit("espeak-ng is needed (apt-get install espeak-ng)")
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "s.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(path), text], check=True)
        x, sr = sf.read(path, dtype="float32")
    g = np.gcd(SR, sr)
    x = resample_poly(x, SR // g, sr // g).astype(np.float32)
    pad = np.zeros(SR // 2, np.float32)
    x = np.concatenate([pad, x, pad])
    return 0.3 * x / np.abs(x).max()


def noise(kind: str, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(n)
    t = np.arange(n) / SR
    if kind == "white":
        y = w
    elif kind == "pink":
        f = np.fft.rfftfreq(n, 1 / SR)
        spec = np.fft.rfft(w) / np.sqrt(np.maximum(f, 20.0))
        y = np.fft.irfft(spec, n)
    elif kind == "wind":
        y = sosfilt(butter(2, 300, fs=SR, output="sos"), w) * (0.6 + 0.4 * np.sin(2 * np.pi * 0.3 * t))
    elif kind == "hum":
        y = sum(np.sin(2 * np.pi * 50 * h * t) / h for h in (1, 2, 3, 4, 5)) + 0.05 * w
    elif kind == "rain":
        drops = (rng.random(n) < 0.002) * rng.standard_normal(n)
        y = sosfilt(butter(2, [1000, 6000], btype="band", fs=SR, output="sos"), drops + 0.1 * w)
    else:
        raise ValueError(kind)
    return y.astype(np.float32)


def mixtures() -> list[dict]:
    out = []
    for i, text in enumerate(SENTENCES):
        s = speak(text, VOICES[i % len(VOICES)])
        kind = list(NOISES)[i % len(NOISES)]
        v = noise(kind, len(s), seed=i)
        v *= np.sqrt(np.mean(s**2) / np.mean(v**2))  # 0 dB over the whole clip
        out.append({"id": f"syn{i:02d}-{kind}", "speech": s, "noise": v, "mix": s + v, "noise_prompt": NOISES[kind]})
    return out


def rtf(x: np.ndarray, sr: int) -> tuple[float, float]:
    """RTF (wall) with the state ready and including its creation, then the same in CPU time
    (process_time: what the 2 shared cores' other users cannot inflate)."""
    t0, c0 = time.perf_counter(), time.process_time()
    stream = speech_dfn.DfnStream(1, sr)
    t1, c1 = time.perf_counter(), time.process_time()
    stream.feed(x[None, :])
    stream.flush()
    t2, c2 = time.perf_counter(), time.process_time()
    dur = len(x) / sr
    return (t2 - t1) / dur, (t2 - t0) / dur, (c2 - c1) / dur, (c2 - c0) / dur


def run_synthetic() -> dict:
    classic, routed = BuiltinEngine(speech_specialist=False), BuiltinEngine()
    speech_dfn.model_latency()  # measured once, outside the timings
    rows = []
    for m in mixtures():
        mix = m["mix"]
        audio = Audio(mix[None, :], SR)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dfn = speech_dfn.enhance(mix, SR)
            cl = classic.separate(audio, Prompt("speech")).target[0]
            r_noise = routed.separate(audio, Prompt(m["noise_prompt"]))
            c_noise = classic.separate(audio, Prompt(m["noise_prompt"])).target[0]
        warm, cold, warm_cpu, cold_cpu = rtf(mix, SR)
        row = {
            "id": m["id"], "seconds": round(len(mix) / SR, 2),
            "speech_dfn": si_sdr_improvement(dfn, m["speech"], mix),
            "speech_classic": si_sdr_improvement(cl, m["speech"], mix),
            "noise_prompt": m["noise_prompt"],
            "noise_route": r_noise.info.get("speech_specialist", {}).get("route"),
            "noise_routed": si_sdr_improvement(r_noise.target[0], m["noise"], mix),
            "noise_classic": si_sdr_improvement(c_noise, m["noise"], mix),
            "rtf_dfn": warm, "rtf_dfn_with_create": cold, "rtf_dfn_cpu": warm_cpu,
            "rtf_dfn_cpu_with_create": cold_cpu,
            "speech_share": (r_noise.info.get("speech_specialist") or {}).get("speech_share"),
        }
        rows.append(row)
        print(f"{row['id']:<12} speech: dfn {row['speech_dfn']:6.2f}  classic {row['speech_classic']:6.2f}   "
              f"'{row['noise_prompt']}' ({row['noise_route']}): routed {row['noise_routed']:6.2f}  "
              f"classic {row['noise_classic']:6.2f}   rtf {warm:.3f} ({cold:.3f} with create; cpu {warm_cpu:.3f})",
              flush=True)
    return {"rows": rows, "summary": summarise(rows)}


def summarise(rows: list[dict]) -> dict:
    keys = [k for k in rows[0] if any(isinstance(r[k], float) for r in rows)]
    vals = {k: [r[k] for r in rows if isinstance(r[k], float)] for k in keys}
    return {k: {"median": float(np.median(v)), "mean": float(np.mean(v))} for k, v in vals.items()}


def run_devset(limit: int | None, categories: tuple[str, ...]) -> dict | None:
    """Dev-set mixtures scored as bench_separation.py does: the stem the user asked for (the
    target for "isolate", the residual for "remove") by SI-SDRi, as shipped (speech
    specialist on) and with it off. Only mixtures the specialist routes are run twice."""
    for manifest in (ROOT / "data" / "devset" / "manifest.json", Path("/work/main/data/devset/manifest.json")):
        if manifest.exists():
            break
    else:
        print("no data/devset/manifest.json: dev-set part skipped")
        return None
    print(f"dev set: {manifest}")
    items = [it for it in json.loads(manifest.read_text())["items"] if it["category"] in categories][:limit]
    shipped, classic = BuiltinEngine(), BuiltinEngine(speech_specialist=False)
    rows = []
    for it in items:
        read = {k: sf.read(manifest.parent / f, dtype="float32", always_2d=True)[0].T for k, f in it["files"].items()}
        mix, sr = read["mixture"], it["sample_rate"]
        ref = read["target"] if it["action"] == "isolate" else read["rest"]

        def stem(res, action: str = it["action"]) -> np.ndarray:
            return res.target if action == "isolate" else res.residual

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            res = shipped.separate(Audio(mix, sr), Prompt(it["text"]))
            el = time.perf_counter() - t0
            route = (res.info.get("speech_specialist") or {}).get("route", "none")
            on = si_sdr_improvement(stem(res), ref, mix)
            off = on if route == "none" else si_sdr_improvement(
                stem(classic.separate(Audio(mix, sr), Prompt(it["text"]))), ref, mix)
        row = {"id": it["id"], "category": it["category"], "action": it["action"], "text": it["text"],
               "route": route, "shipped": on, "specialist_off": off, "rtf_shipped": el / it["duration"]}
        rows.append(row)
        print(f"{row['id']:<24} {it['action']:<7} {it['text']!r:<26} {route:<10} on {on:6.2f}  off {off:6.2f}",
              flush=True)
    out: dict = {"rows": rows}
    for route in ("target", "interferer", "none"):
        sel = [r for r in rows if r["route"] == route]
        if sel:
            out[route] = {"n": len(sel), **{k: {"median": float(np.median([r[k] for r in sel])),
                                               "mean": float(np.mean([r[k] for r in sel]))}
                                           for k in ("shipped", "specialist_off")}}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", help="write every number here")
    ap.add_argument("--devset", action="store_true", help="also the dev set's speech mixtures")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--categories", default="speech", help="dev-set categories, comma-separated")
    ap.add_argument("--no-synthetic", action="store_true")
    args = ap.parse_args()
    out: dict = {}
    if not args.no_synthetic:
        out["synthetic"] = run_synthetic()
        for k, v in out["synthetic"]["summary"].items():
            print(f"  {k:<20} median {v['median']:7.3f}  mean {v['mean']:7.3f}")
    if args.devset:
        out["devset"] = run_devset(args.limit, tuple(args.categories.split(",")))
        for route, v in (out["devset"] or {}).items():
            if route != "rows":
                print(f"  devset route {route:<10} n={v['n']:<3} shipped median {v['shipped']['median']:6.2f} "
                      f"(mean {v['shipped']['mean']:6.2f})  specialist off median "
                      f"{v['specialist_off']['median']:6.2f} (mean {v['specialist_off']['mean']:6.2f})")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
