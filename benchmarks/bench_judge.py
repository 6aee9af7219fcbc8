"""Benchmark the built-in judge and judge-gated refinement.

Over outputs of every quality on the *report* half of the dev set (``fit_judge.py`` fits only
on the other half and on synthetic material) — the mixture itself, the wrong stem (the rest),
the target with the rest leaking in at -20/-10/-5/0 dB, the engine's output and the oracle
ideal-ratio-mask output — it prints:

* the Spearman (and Pearson) correlation between the judge's ``overall`` and the true SI-SDR,
* how often the right stem (the clean target) scores above the wrong one (the rest), and the
  engine's output above the wrong stem,
* with ``--refine K``: the SI-SDRi of ``separate(..., candidates=K)`` against a single pass,
  and its cost in time.

Run: ``nice python benchmarks/bench_judge.py [--engine builtin] [--refine 3] [--json OUT]``;
``--synthetic N`` benchmarks on N fresh synthetic mixtures instead (seed differs from fitting).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import fit_judge as F  # noqa: E402
import numpy as np  # noqa: E402
from scipy.stats import pearsonr, spearmanr  # noqa: E402

from samaudio_core.audio import Audio  # noqa: E402
from samaudio_core.judge import Judge  # noqa: E402
from samaudio_core.metrics import si_sdr  # noqa: E402


def judge_outputs(mixtures: list[dict], judge: Judge, engine=None, seed: int = 1) -> list[dict]:
    rng = np.random.default_rng(seed)
    rows = []
    for it in mixtures:
        x = it["target"] + it["rest"]
        for name, s in F.outputs(it, rng, engine, kinds="bench"):
            sc = judge.score(x[None], s[None], it["text"], sample_rate=F.SR)
            rows.append(
                {
                    "mix": it["id"],
                    "kind": name,
                    "category": it["category"],
                    "si_sdr": si_sdr(s, it["target"]),
                    **sc.to_dict(),
                }
            )
    return rows


def summarise(rows: list[dict]) -> dict:
    # The clean target is only the "right stem" of the ranking test, not one of the graded outputs.
    graded = [r for r in rows if r["kind"] != "clean"]
    sdr = np.array([r["si_sdr"] for r in graded])
    ov = np.array([r["overall"] for r in graded])
    by_mix: dict[str, dict[str, float]] = {}
    for r in rows:
        by_mix.setdefault(r["mix"], {})[r["kind"]] = r["overall"]
    right = [m["clean"] > m["wrong"] for m in by_mix.values()]
    eng = [m["engine"] > m["wrong"] for m in by_mix.values() if "engine" in m]
    per_kind = {}
    for k in sorted({r["kind"] for r in rows}):
        sel = [r for r in rows if r["kind"] == k]
        per_kind[k] = {
            "median_si_sdr": round(float(np.median([r["si_sdr"] for r in sel])), 2),
            **{
                s: round(float(np.median([r[s] for r in sel])), 2)
                for s in ("overall", "recall", "precision", "faithfulness")
            },
        }
    return {
        "mixtures": len(by_mix),
        "outputs": len(graded),
        "spearman": round(float(spearmanr(ov, sdr).statistic), 3),
        "pearson": round(float(pearsonr(ov, np.clip(sdr, -30, 40)).statistic), 3),
        "right_above_wrong": round(float(np.mean(right)), 3),
        "engine_above_wrong": round(float(np.mean(eng)), 3) if eng else None,
        "per_kind": per_kind,
    }


def bench_refine(mixtures: list[dict], engine_name: str, k: int) -> dict:
    """SI-SDRi of the asked-for stem: a single pass vs judge-gated refinement with k candidates."""
    from samaudio_core import separate

    single, refined, t1, tk, attempts = [], [], 0.0, 0.0, []
    kept: dict[str, int] = {}
    for it in mixtures:
        x = (it["target"] + it["rest"])[None].astype(np.float32)
        audio = Audio(x, F.SR)
        base = si_sdr(x[0], it["target"])
        t0 = time.perf_counter()
        r1 = separate(audio, text=it["text"], engine=engine_name)
        t1 += time.perf_counter() - t0
        t0 = time.perf_counter()
        rk = separate(audio, text=it["text"], engine=engine_name, candidates=k)
        tk += time.perf_counter() - t0
        single.append(si_sdr(r1.target[0], it["target"]) - base)
        refined.append(si_sdr(rk.target[0], it["target"]) - base)
        attempts.append(len(rk.info.get("attempts", [])))
        kept[rk.info.get("strategy", "?")] = kept.get(rk.info.get("strategy", "?"), 0) + 1
    gain = np.array(refined) - np.array(single)
    return {
        "candidates": k,
        "median_si_sdri_single": round(float(np.median(single)), 2),
        "median_si_sdri_refined": round(float(np.median(refined)), 2),
        "median_gain_db": round(float(np.median(gain)), 2),
        "mean_gain_db": round(float(np.mean(gain)), 2),
        "improved_frac": round(float(np.mean(gain > 0.1)), 3),
        "worse_frac": round(float(np.mean(gain < -0.1)), 3),
        "mean_attempts": round(float(np.mean(attempts)), 2),
        "kept_strategies": kept,
        "seconds_single": round(t1, 1),
        "seconds_refined": round(tk, 1),
        "time_factor": round(tk / max(t1, 1e-9), 2),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--engine", default="builtin", help="engine whose outputs are judged ('none' to skip)")
    ap.add_argument(
        "--synthetic", type=int, default=0, help="use N synthetic mixtures instead of the dev set"
    )
    ap.add_argument("--split", default="report", choices=("report", "fit", "all"))
    ap.add_argument("--refine", type=int, default=0, help="also benchmark refinement with K candidates")
    ap.add_argument("--calibration", default=None, help="calibration JSON (default: the packaged one)")
    ap.add_argument("--limit", type=int, default=0, help="at most this many mixtures")
    ap.add_argument("--json", default=None, help="write the figures and every row here")
    args = ap.parse_args(argv)
    if args.synthetic:
        mixtures = F.synthetic_mixtures(args.synthetic, seed=12345)
        material = f"{len(mixtures)} synthetic mixtures (seed 12345)"
    else:
        mixtures = F.devset_mixtures(args.split)
        material = f"dev set, '{args.split}' split: {len(mixtures)} mixtures"
        if not mixtures:
            print(f"no dev set at {F.DEVSET}; use --synthetic N", file=sys.stderr)
            return 1
    if args.limit:
        mixtures = mixtures[: args.limit]
    engine = None
    if args.engine != "none":
        from samaudio_core.engines import load_engine

        engine = load_engine(args.engine)
    judge = Judge(calibration=args.calibration)
    t0 = time.time()
    rows = judge_outputs(mixtures, judge, engine)
    cal = judge._calibration
    fitted_on = (
        {k: cal.meta.get(k) for k in ("synthetic_mixtures", "devset_fit_mixtures", "outputs")}
        if cal
        else None
    )
    summary = {"material": material, "engine": args.engine, "calibration": fitted_on, **summarise(rows)}
    summary["judge_seconds"] = round(time.time() - t0, 1)
    if args.refine > 1 and engine is not None:
        summary["refine"] = bench_refine(mixtures, args.engine, args.refine)
    print(json.dumps({k: v for k, v in summary.items() if k != "per_kind"}, indent=1))
    print(f"{'output':<10} {'SI-SDR':>7} {'overall':>7} {'recall':>7} {'precis':>7} {'faith':>7}")
    for k, v in summary["per_kind"].items():
        print(
            f"{k:<10} {v['median_si_sdr']:>7.1f} {v['overall']:>7.2f} {v['recall']:>7.2f} "
            f"{v['precision']:>7.2f} {v['faithfulness']:>7.2f}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps({"summary": summary, "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
