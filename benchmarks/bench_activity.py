"""Activity-detection benchmark on the real-recording dev set (data/devset/).

For every mixture and its text prompt it compares, side by side in one run:

  engine    the built-in engine's own detector (samaudio_core.spans.find_spans)
  learned   the trained detector (samaudio_core.activity.ActivityDetector.spans)

Detection: frame F1 of the detected spans against the target's true active spans (the
manifest's ``active_spans``) on a 20 ms grid, per engine sound kind (the kind the prompt maps
onto), per category and overall, and the real-time factor of each detector. With
``--separation`` it also scores what the spans enable: the built-in span engine's SI-SDR
improvement of the asked-for stem (target for "isolate", residual for "remove") with text only,
text + engine spans, text + learned spans and text + the given spans (``separate(..., spans=)``).
No corpus package is a dev set package (build_corpus.py refuses to run otherwise), so this is a
test of generalisation to other recordings.

    nice -n 19 python benchmarks/bench_activity.py                       # detection only, ~2 min
    nice -n 19 python benchmarks/bench_activity.py --separation --json out.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from samaudio_core.audio import Audio

ROOT = Path(__file__).resolve().parents[1]

GRID_S = 0.02
THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7)


def spans_to_mask(spans, duration: float) -> np.ndarray:
    mask = np.zeros(int(np.ceil(duration / GRID_S)), bool)
    for a, b in spans:
        mask[int(round(a / GRID_S)) : int(round(b / GRID_S))] = True
    return mask


def f1(pred: np.ndarray, truth: np.ndarray) -> float:
    tp = float((pred & truth).sum())
    fp = float((pred & ~truth).sum())
    fn = float((~pred & truth).sum())
    if tp + fp + fn == 0:
        return 1.0
    return 2 * tp / (2 * tp + fp + fn)


def _read(path: Path) -> tuple[np.ndarray, int]:
    x, sr = sf.read(path, dtype="float32", always_2d=True)
    return x.T.copy(), int(sr)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devset", type=Path, default=ROOT / "data" / "devset")
    ap.add_argument("--split", choices=("tune", "select", "report", "all"), default="all")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument(
        "--threshold", type=float, default=None, help="learned detector threshold (default: the weights' own)"
    )
    ap.add_argument("--weights", type=Path, default=None, help="a weights folder (default: the shipped ones)")
    ap.add_argument("--separation", action="store_true", help="also score separation with each span source")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument(
        "--cache",
        type=Path,
        default=None,
        help="reuse/keep the results that do not depend on the learned detector (engine spans, text-only, "
        "engine-span and given-span separation) in this JSON file, keyed by mixture id and prompt",
    )
    ap.add_argument("--engine-only", action="store_true", help="fill the cache; skip the learned detector")
    args = ap.parse_args(argv)

    from samaudio_core.activity import ActivityDetector
    from samaudio_core.builtin.ontology import GENERIC, match_kind
    from samaudio_core.metrics import si_sdr
    from samaudio_core.spans import activity_to_spans, find_spans

    det = None
    if not args.engine_only:
        det = ActivityDetector.load(args.weights) if args.weights else ActivityDetector.load_default()
    if det is not None and args.threshold is None:
        args.threshold = float(det.meta.get("threshold", 0.5))
    cache: dict = json.loads(args.cache.read_text()) if args.cache and args.cache.exists() else {}
    manifest = json.loads((args.devset / "manifest.json").read_text())
    items = [it for it in manifest["items"] if args.split == "all" or it["split"] == args.split]
    if args.limit:
        items = items[: args.limit]
    # Warm up both detectors (model loads, MiniLM, silero) so the timing is steady state.
    warm = Audio(np.zeros((1, 16000), np.float32), 16000)
    find_spans(warm, "speech")
    find_spans(warm, "rain")
    if det is not None:
        det.spans(warm, "rain")
    rows = []
    time_s = {"engine": 0.0, "learned": 0.0}
    audio_s = 0.0
    for it in items:
        mix, sr = _read(args.devset / it["files"]["mixture"])
        audio = Audio(mix, sr)
        dur = audio.duration
        audio_s += dur
        truth = spans_to_mask(it["active_spans"], dur)
        match = match_kind(it["text"])
        kind = (match.kind if match else GENERIC).name
        row = {
            "id": it["id"],
            "split": it["split"],
            "category": it["category"],
            "kind": kind,
            "text": it["text"],
            "action": it["action"],
            "active_fraction": it["active_fraction"],
        }
        key = f"{it['id']}|{it['text']}"
        cached = cache.setdefault(key, {})
        # CPU time, not wall time: the machine is shared.
        if "engine_spans" not in cached:
            t0 = time.process_time()
            cached["engine_spans"] = [list(s) for s in find_spans(audio, it["text"])]
            cached["engine_cpu_s"] = time.process_time() - t0
        eng_spans = [tuple(s) for s in cached["engine_spans"]]
        time_s["engine"] += cached["engine_cpu_s"]
        learned_spans = []
        if det is not None:
            t0 = time.process_time()
            times, probs = det.frame_activity(audio, it["text"])
            learned_spans = activity_to_spans(times, probs, threshold=args.threshold, duration=dur)
            time_s["learned"] += time.process_time() - t0
            # F1 at other thresholds too (choose on the "select" split, report on "report").
            row["f1_at"] = {
                str(thr): round(
                    f1(
                        spans_to_mask(activity_to_spans(times, probs, threshold=thr, duration=dur), dur)[
                            : len(truth)
                        ],
                        truth,
                    ),
                    3,
                )
                for thr in THRESHOLDS
            }
        row["spans"] = {"engine": eng_spans, "learned": learned_spans}
        row["f1"] = {
            "engine": round(f1(spans_to_mask(eng_spans, dur)[: len(truth)], truth), 3),
            "learned": round(f1(spans_to_mask(learned_spans, dur)[: len(truth)], truth), 3),
        }
        if args.separation:
            from samaudio_core import separate

            target, _ = _read(args.devset / it["files"]["target"])
            rest, _ = _read(args.devset / it["files"]["rest"])
            ref = target if it["action"] == "isolate" else rest
            base = si_sdr(mix, ref)
            row["si_sdri"] = {}
            variants = {
                "text": None,
                "engine_spans": eng_spans,
                "learned_spans": learned_spans,
                "given_spans": [tuple(s) for s in it["given_spans"]],
            }
            if det is None:
                variants.pop("learned_spans")
            for name, spans in variants.items():
                if name != "text" and not spans:  # no spans found: the same as text only
                    row["si_sdri"][name] = row["si_sdri"]["text"]
                    continue
                if name != "learned_spans" and name in cached.get("si_sdri", {}):
                    row["si_sdri"][name] = cached["si_sdri"][name]
                    continue
                res = separate(audio, text=it["text"], spans=spans, engine="builtin")
                est = res.target if it["action"] == "isolate" else res.residual
                row["si_sdri"][name] = round(si_sdr(est, ref) - base, 2)
                if name != "learned_spans":
                    cached.setdefault("si_sdri", {})[name] = row["si_sdri"][name]
        rows.append(row)
        if args.cache:
            args.cache.write_text(json.dumps(cache))
        if det is None:
            print(f"{it['id']:26} cached", flush=True)
            continue
        print(
            f"{it['id']:26} {kind:20} F1 engine {row['f1']['engine']:.2f} learned {row['f1']['learned']:.2f}"
            + (f"  SI-SDRi {row['si_sdri']}" if args.separation else ""),
            flush=True,
        )

    if det is None:
        return 0

    def table(key: str) -> dict:
        groups: dict[str, list[dict]] = {}
        for r in rows:
            groups.setdefault(r[key], []).append(r)
        groups["ALL"] = rows
        return groups

    print(f"\nframe F1 of detected spans vs true activity (mean over mixtures, {len(rows)} mixtures)")
    summary: dict = {"f1": {}, "si_sdri_median": {}}
    for key in ("kind", "category", "split"):
        print(f"{key:20} {'n':>3} {'engine':>7} {'learned':>8}")
        for g, rs in sorted(table(key).items()):
            e = float(np.mean([r["f1"]["engine"] for r in rs]))
            m = float(np.mean([r["f1"]["learned"] for r in rs]))
            summary["f1"][f"{key}:{g}"] = {"n": len(rs), "engine": round(e, 3), "learned": round(m, 3)}
            print(f"{g:20} {len(rs):3d} {e:7.3f} {m:8.3f}")
    print("learned detector F1 by threshold (mean over mixtures)")
    print(f"{'split':8} " + " ".join(f"{t:>6}" for t in THRESHOLDS))
    for g, rs in sorted(table("split").items()):
        vals = [float(np.mean([r["f1_at"][str(t)] for r in rs])) for t in THRESHOLDS]
        summary["f1"][f"threshold:{g}"] = dict(zip(map(str, THRESHOLDS), [round(v, 3) for v in vals]))
        print(f"{g:8} " + " ".join(f"{v:6.3f}" for v in vals))
    for name in time_s:
        summary[f"rtf_{name}"] = round(time_s[name] / max(audio_s, 1e-9), 4)
    print(
        f"real-time factor (CPU s / audio s): engine {summary['rtf_engine']:.4f}, learned {summary['rtf_learned']:.4f}"
    )
    if args.separation:
        print("\nmedian SI-SDRi (dB) of the asked-for stem, built-in engine")
        names = ("text", "engine_spans", "learned_spans", "given_spans")
        print(f"{'category':14} {'n':>3} " + " ".join(f"{n:>14}" for n in names))
        for g, rs in sorted(table("category").items()):
            meds = [float(np.median([r["si_sdri"][n] for r in rs])) for n in names]
            summary["si_sdri_median"][g] = dict(zip(names, [round(v, 2) for v in meds]))
            print(f"{g:14} {len(rs):3d} " + " ".join(f"{v:14.2f}" for v in meds))
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
