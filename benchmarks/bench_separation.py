"""Separation benchmark on the real-recording dev set (data/devset/, built by build_devset.py).

For every mixture it scores the stem the user asked for — the target for "isolate", the
residual for "remove" — by SI-SDR improvement over the unprocessed mixture (EVALUATION.md),
for each method side by side in one run:

  input          the unprocessed mixture (0 dB by definition)
  builtin_text   the built-in engine as shipped, text prompt only (separate()'s default: automatic
                 spans first, so since the select-split choice it equals builtin_auto)
  builtin_text_nospans
                 text prompt only with auto_span=False (the engine's own per-kind spans only)
  builtin_auto   text + automatic spans (auto_span=True), the shipped detector choice
  builtin_auto_classic / builtin_auto_learned
                 text + automatic spans from the classic / the learned activity detector
  builtin_spans  text + the span(s) a user would mark (the manifest's given_spans), as shipped
  classic_text / classic_spans
                 the classic engine alone (no mask network, no speech specialist),
                 text only / with given spans
  masknet_text / masknet_spans
                 the mask network on every prompt, text only / with given spans
  builtin_spans_sup
                 the shipped engine with given spans learnt by the supervised KL-NMF fit
  klnmf_spans    plain span-supervised KL-NMF from the given spans alone (no text): the baseline
  dfn_alone      DeepFilterNet3 alone: its speech for speech targets, the rest for any other
  noisereduce    spectral gating (noise-like targets only: the gated output is the rest)
  hpss           librosa HPSS harmonic/percussive split (targets with a matching stem only)
  oracle_irm     ideal ratio mask from the true stems (the ceiling for mask-based methods)

Each method runs in its own fresh process so its peak RSS is its own. Prints the median
SI-SDRi per category and overall, the share of cases worse than the input, the real-time
factor (processing s / audio s) and the peak RSS, per split (tune / select / report, see
``--split``) and for the mixtures with speech in the rest (``sp-rest``); ``--json OUT`` keeps
every per-item number.

    nice python benchmarks/bench_separation.py                      # everything
    nice python benchmarks/bench_separation.py --methods builtin_text,oracle_irm --limit 12
    nice python benchmarks/bench_separation.py --category noise --split select --json out.json
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

#: Built-in engine variants: (separate() options, BuiltinEngine options). "given_spans" means
#: the manifest's given spans.
VARIANTS: dict[str, tuple[dict, dict]] = {
    "builtin_text": ({}, {}),  # as shipped: separate()'s default finds spans first (<= 300 s)
    "builtin_text_nospans": ({"auto_span": False}, {}),
    "builtin_auto_classic": ({"auto_span": True}, {"detector": "classic"}),
    "builtin_auto_learned": ({"auto_span": True}, {"detector": "learned"}),
    "builtin_auto": ({"auto_span": True}, {}),
    "builtin_spans": ({"given_spans": True}, {}),
    # The speech specialist (DeepFilterNet3) off: these variants measure the masks alone.
    "classic_text": ({}, {"mask_net": False, "speech_specialist": False}),
    "classic_spans": ({"given_spans": True}, {"mask_net": False, "speech_specialist": False}),
    "masknet_text": ({}, {"mask_net": True, "speech_specialist": False}),
    "masknet_spans": ({"given_spans": True}, {"mask_net": True, "speech_specialist": False}),
    # Span candidates: the shipped engine with the textbook span-supervised KL-NMF fit, and
    # that fit alone (no text prompt, no specialist): the baseline spans must never lose to.
    "builtin_spans_sup": ({"given_spans": True}, {"span_fit": "supervised"}),
    "klnmf_spans": (
        {"given_spans": True, "no_text": True},
        {"span_fit": "supervised", "mask_net": False, "speech_specialist": False},
    ),
}
BUILTIN = tuple(VARIANTS)
METHODS = ("input", *BUILTIN, "dfn_alone", "noisereduce", "hpss", "oracle_irm")
#: Methods shown in the per-source (package) table.
SOURCE_METHODS = ("builtin_text", "builtin_auto", "builtin_spans", "masknet_text", "masknet_spans")
CATEGORIES = ("speech", "instruments", "environment", "animals", "alarms", "noise")
#: The dev set's splits (build_devset.py): fit on "tune", choose on "select", report "report".
SPLITS = ("tune", "select", "report")


# ----------------------------------------------------------------------------- methods


def applicable(method: str, item: dict) -> bool:
    """Baselines only run where they are meant to (EVALUATION.md): gating on noise-like
    targets, HPSS on targets that are a harmonic or percussive stem."""
    if method == "noisereduce":
        return bool(item.get("noise_like"))
    if method == "hpss":
        return item.get("hpss") in ("harmonic", "percussive")
    return True


def estimate(
    method: str, item: dict, mix: np.ndarray, target: np.ndarray, rest: np.ndarray, sr: int, engine: str
):
    """Return (target estimate, rest estimate), both (channels, samples), and an info dict."""
    if method == "input":
        return mix, mix, {}
    if method in BUILTIN:
        from samaudio_core import separate
        from samaudio_core.audio import Audio

        options, engine_options = VARIANTS[method]
        kwargs: dict = {"engine": _engine(engine, engine_options)}
        if not options.get("no_text"):
            kwargs["text"] = item["text"]
        if "auto_span" in options:
            kwargs["auto_span"] = options["auto_span"]
        if options.get("given_spans"):
            kwargs["spans"] = [tuple(s) for s in item["given_spans"]]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = separate(Audio(mix, sr), **kwargs)
        keys = ("kind", "method", "confidence", "match", "mode", "strength", "spans", "auto_spans", "mask_net")
        info = {k: res.info[k] for k in keys if k in res.info}
        # Warnings (low-confidence prompt, spans ignored, ...) go into the row, not the console.
        info["warnings"] = sorted({str(w.message) for w in caught})
        return res.target, res.residual, info
    if method == "dfn_alone":
        from samaudio_core.builtin import speech_dfn

        # DeepFilterNet3 as a speech / everything-else splitter, whatever the prompt: the
        # speech for a speech target, everything but the speech for any other.
        speech = speech_dfn.enhance(mix, sr)
        if item["category"] == "speech":
            return speech, mix - speech, {}
        return mix - speech, speech, {}
    if method == "noisereduce":
        import noisereduce as nr

        # Spectral gating keeps the signal and removes the noise: its output is the rest.
        clean = np.asarray(nr.reduce_noise(y=mix, sr=sr, n_jobs=1), np.float32).reshape(mix.shape)
        return mix - clean, clean, {}
    if method == "hpss":
        import librosa

        harmonic, percussive = librosa.effects.hpss(mix)
        est = harmonic if item["hpss"] == "harmonic" else percussive
        return est, mix - est, {"stem": item["hpss"]}
    if method == "oracle_irm":
        import devset_lib

        est_t, est_r = devset_lib.oracle_irm(mix, target, rest)
        return est_t, est_r, {}
    raise ValueError(f"unknown method {method!r}")


def _engine(name: str, options: dict):
    """The engine object for a variant (options only apply to the built-in engine)."""
    from samaudio_core.engines import load_engine

    return load_engine(name, **(options if name == "builtin" else {}))


def target_package(item: dict) -> str:
    """The package the mixture's target recording comes from (its "source")."""
    return next((s["package"] for s in item["sources"] if s["role"] == "target"), "unknown")


def _read(path: Path) -> tuple[np.ndarray, int]:
    import soundfile as sf

    x, sr = sf.read(path, dtype="float32", always_2d=True)
    return x.T.copy(), int(sr)


def run_method(method: str, items: list[dict], devset: str, engine: str) -> dict:
    """Worker (own process): score one method on all items; returns rows and peak RSS."""
    from samaudio_core.metrics import si_sdr

    base = Path(devset)
    rows = []
    setup_s = 0.0
    if method in BUILTIN and items:
        # One untimed call loads the engine's tables and models, so the real-time factor measures
        # steady-state throughput; the load time is reported separately.
        t0 = time.perf_counter()
        rng = np.random.default_rng(0)
        warm = (0.01 * rng.standard_normal((1, 44100))).astype(np.float32)
        try:
            from samaudio_core import separate

            options, engine_options = VARIANTS[method]
            separate(
                warm,
                sample_rate=44100,
                text=items[0]["text"],
                engine=_engine(engine, engine_options),
                auto_span=bool(options.get("auto_span")),
            )
        except Exception:
            pass
        setup_s = time.perf_counter() - t0
    for item in items:
        mix, sr = _read(base / item["files"]["mixture"])
        target, _ = _read(base / item["files"]["target"])
        rest, _ = _read(base / item["files"]["rest"])
        row = {
            "id": item["id"],
            "method": method,
            "category": item["category"],
            "split": item["split"],
            "action": item["action"],
            "text": item["text"],
            "duration": item["duration"],
            "package": target_package(item),
            "speech_in_rest": bool(item.get("speech_in_rest")),
        }
        if not applicable(method, item):
            rows.append({**row, "applicable": False})
            continue
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            est_t, est_r, info = estimate(method, item, mix, target, rest, sr, engine)
        except Exception as exc:  # a failure is a result too: score it as "no output"
            rows.append({**row, "applicable": True, "error": f"{type(exc).__name__}: {exc}"})
            print(f"  {method} {item['id']}: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            continue
        seconds = time.perf_counter() - t0
        cpu_seconds = time.process_time() - c0
        est, ref = (est_t, target) if item["action"] == "isolate" else (est_r, rest)
        score = si_sdr(est, ref)
        base_score = si_sdr(mix, ref)
        rows.append(
            {
                **row,
                "applicable": True,
                "seconds": round(seconds, 4),
                "cpu_seconds": round(cpu_seconds, 4),
                "si_sdr": round(score, 3),
                "si_sdr_input": round(base_score, 3),
                "si_sdri": round(score - base_score, 3),
                "info": info,
            }
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return {"method": method, "rows": rows, "peak_rss_mb": round(peak_mb, 1), "setup_s": round(setup_s, 2)}


def write_long_file(path: Path, minutes: float, items: list[dict], devset: str) -> float:
    """Tile the dev set's mixtures (as 44.1 kHz stereo) into one long 16-bit wav, block by block."""
    import soundfile as sf

    total = int(minutes * 60 * 44100)
    written = 0
    with sf.SoundFile(path, "w", 44100, 2, subtype="PCM_16") as out:
        while written < total:
            for item in items:
                mix, _ = _read(Path(devset) / item["files"]["mixture"])
                mix = np.repeat(mix, 2, axis=0) if mix.shape[0] == 1 else mix
                piece = mix[:, : total - written]
                out.write(piece.T)
                written += piece.shape[1]
                if written >= total:
                    break
    return written / 44100


def run_long(path: str, text: str, engine: str) -> dict:
    """Worker (own process): separate one long file with the engine's streaming path when it has one."""
    from samaudio_core.engines import load_engine
    from samaudio_core.prompts import Prompt

    eng = load_engine(engine)
    out_dir = Path(path).parent
    t0, c0 = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if hasattr(eng, "separate_file"):
            mode = "separate_file (streamed)"
            eng.separate_file(path, Prompt(text=text), out_dir / "target.wav", out_dir / "residual.wav")
        else:
            from samaudio_core import separate

            mode = "separate() in memory"
            separate(path, text=text, engine=eng)
    return {
        "mode": mode,
        "seconds": round(time.perf_counter() - t0, 1),
        "cpu_seconds": round(time.process_time() - c0, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
    }


def bench_long(minutes: float, text: str, items: list[dict], devset: str, engine: str) -> dict:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="samaudio-long-") as tmp:
        path = Path(tmp) / "long.wav"
        duration = write_long_file(path, minutes, items, devset)
        with ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn")) as pool:
            res = pool.submit(run_long, str(path), text, engine).result()
    res.update(
        minutes=minutes,
        text=text,
        rtf=round(res["seconds"] / duration, 4),
        cpu_rtf=round(res["cpu_seconds"] / duration, 4),
    )
    return res


# ----------------------------------------------------------------------------- summary


def _splits(rows: list[dict]) -> list[str]:
    """The splits present in ``rows``: the dev set's own in their order, then any other name."""
    present = {r["split"] for r in rows if "split" in r}
    return [s for s in SPLITS if s in present] + sorted(present - set(SPLITS))


def summarize(results: dict[str, dict]) -> dict[str, dict]:
    """Per method: n, median SI-SDRi per category / split / overall, share worse than input, RTF."""
    out: dict[str, dict] = {}
    for method, res in results.items():
        scored = [r for r in res["rows"] if r.get("applicable") and "si_sdri" in r]
        failed = [r for r in res["rows"] if r.get("applicable") and "error" in r]
        vals = np.array([r["si_sdri"] for r in scored])

        def med(rows: list[dict]) -> float | None:
            return round(float(np.median([r["si_sdri"] for r in rows])), 2) if rows else None

        seconds = sum(r["seconds"] for r in scored)
        cpu_seconds = sum(r.get("cpu_seconds", 0.0) for r in scored)
        audio_s = sum(r["duration"] for r in scored)
        out[method] = {
            "n": len(scored),
            "failed": len(failed),
            "median": {c: med([r for r in scored if r["category"] == c]) for c in CATEGORIES},
            "median_overall": med(scored),
            "median_split": {s: med([r for r in scored if r["split"] == s]) for s in _splits(res["rows"])},
            # Speech among the interferers (the rest), e.g. "remove the wind" from an interview.
            "median_speech_in_rest": med([r for r in scored if r.get("speech_in_rest")]),
            "median_isolate": med([r for r in scored if r["action"] == "isolate"]),
            "median_remove": med([r for r in scored if r["action"] == "remove"]),
            # Failures count as worse than the input: the user got nothing usable.
            "worse_than_input": round(
                float(((vals < 0).sum() + len(failed)) / max(1, len(scored) + len(failed))), 3
            ),
            "rtf": round(seconds / audio_s, 4) if audio_s else None,
            # CPU seconds (all threads) per audio second: robust when other jobs share the cores.
            "cpu_rtf": round(cpu_seconds / audio_s, 4) if audio_s else None,
            "peak_rss_mb": res["peak_rss_mb"],
            "setup_s": res["setup_s"],
        }
    return out


def format_table(summary: dict[str, dict]) -> str:
    def f(v, fmt="{:+.1f}"):
        return "n/a" if v is None else fmt.format(v)

    splits = _splits([{"split": k} for s in summary.values() for k in s["median_split"]])
    head = (
        ["method", "n"]
        + [c[:5] for c in CATEGORIES]
        + ["all", *splits, "sp-rest", "iso", "rem", "worse", "RTF", "CPU RTF", "RSS MB"]
    )
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for method, s in summary.items():
        cells = [method, str(s["n"]) + (f" ({s['failed']} failed)" if s["failed"] else "")]
        cells += [f(s["median"][c]) for c in CATEGORIES]
        cells += [
            f(s["median_overall"]),
            *(f(s["median_split"].get(k)) for k in splits),
            f(s["median_speech_in_rest"]),
            f(s["median_isolate"]),
            f(s["median_remove"]),
            f"{100 * s['worse_than_input']:.0f}%",
            f(s["rtf"], "{:.3f}"),
            f(s["cpu_rtf"], "{:.3f}"),
            f"{s['peak_rss_mb']:.0f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def per_source(results: dict[str, dict], methods: tuple[str, ...] = SOURCE_METHODS) -> list[dict]:
    """Median SI-SDRi per target package against the median of every other package.

    No learned component was trained on any dev-set package (the corpus takes other packages),
    so each package's score is a leave-one-source-out score; ``delta`` is how far it falls
    from the rest."""
    rows = []
    for method in methods:
        if method not in results:
            continue
        scored = [r for r in results[method]["rows"] if r.get("applicable") and "si_sdri" in r]
        for pkg in sorted({r["package"] for r in scored}):
            inside = [r["si_sdri"] for r in scored if r["package"] == pkg]
            outside = [r["si_sdri"] for r in scored if r["package"] != pkg]
            if not inside or not outside:
                continue
            med_in, med_out = float(np.median(inside)), float(np.median(outside))
            rows.append({"method": method, "package": pkg, "n": len(inside), "median": round(med_in, 2),
                         "rest": round(med_out, 2), "delta": round(med_in - med_out, 2)})
    return rows


def format_sources(rows: list[dict]) -> str:
    methods = list(dict.fromkeys(r["method"] for r in rows))
    packages = sorted({r["package"] for r in rows})
    by = {(r["method"], r["package"]): r for r in rows}
    head = ["package", "n"] + [f"{m} (Δ rest)" for m in methods]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for pkg in packages:
        n = next(by[(m, pkg)]["n"] for m in methods if (m, pkg) in by)
        cells = [pkg, str(n)]
        for m in methods:
            r = by.get((m, pkg))
            cells.append("n/a" if r is None else f"{r['median']:+.1f} ({r['delta']:+.1f})")
        lines.append("| " + " | ".join(cells) + " |")
    for m in methods:
        deltas = [r["delta"] for r in rows if r["method"] == m and r["n"] >= 3]
        if deltas:
            lines.append(f"{m}: worst package (n >= 3) {min(deltas):+.1f} dB from the rest; "
                         f"{sum(d < -2 for d in deltas)} of {len(deltas)} below -2 dB")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- main


def builtin_status(engine: str) -> str | None:
    """None when the engine can run here, else why not."""
    try:
        from samaudio_core.engines import engine_status
    except Exception as exc:  # the core itself failing to import is worth a clear line
        return f"samaudio_core failed to import: {exc}"
    for row in engine_status():
        if row["name"] == engine:
            return None if row["usable"] else row["reason"]
    return f"engine '{engine}' is not registered (not written yet?)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--devset", default=str(ROOT / "data/devset"))
    ap.add_argument(
        "--methods", default=",".join(METHODS), help=f"comma-separated subset of {','.join(METHODS)}"
    )
    ap.add_argument(
        "--category", action="append", choices=CATEGORIES, help="only these categories (repeatable)"
    )
    ap.add_argument(
        "--split",
        default="all",
        choices=("all", *SPLITS),
        help="tune: fit on it; select: choose defaults/routes/checkpoints on it; report: the README's figures",
    )
    ap.add_argument("--limit", type=int, default=None, help="first N mixtures (after filtering)")
    ap.add_argument("--engine", default="builtin", help="engine name for the builtin_* methods")
    ap.add_argument("--json", dest="json_out", default=None, help="write every per-item number here")
    ap.add_argument(
        "--in-process", action="store_true", help="run methods in this process (no per-method RSS)"
    )
    ap.add_argument(
        "--long",
        type=float,
        default=None,
        metavar="MIN",
        help="also time the engine on one MIN-minute 44.1 kHz stereo file (tiled mixtures): RTF and peak RSS",
    )
    ap.add_argument("--long-text", default="speech", help="text prompt for --long")
    args = ap.parse_args(argv)

    # Offline by design, and no model-loading progress bars in the table's output.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TQDM_DISABLE", "1")
    if os.nice(0) < 10:  # share the 2 cores politely, even when not started with `nice`
        os.nice(10 - os.nice(0))
    manifest_path = Path(args.devset) / "manifest.json"
    if not manifest_path.exists():
        print(
            f"error: no dev set at {manifest_path}; run: nice python benchmarks/build_devset.py",
            file=sys.stderr,
        )
        return 2
    manifest = json.loads(manifest_path.read_text())
    items = [
        it
        for it in manifest["items"]
        if (not args.category or it["category"] in args.category) and args.split in ("all", it["split"])
    ][: args.limit]
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = sorted(set(methods) - set(METHODS))
    if unknown:
        print(f"error: unknown method(s) {unknown}; choose from {', '.join(METHODS)}", file=sys.stderr)
        return 2
    if any(m in BUILTIN for m in methods):
        reason = builtin_status(args.engine)
        if reason:
            print(f"skipping {', '.join(m for m in methods if m in BUILTIN)}: {reason}", file=sys.stderr)
            methods = [m for m in methods if m not in BUILTIN]
    audio_s = sum(it["duration"] for it in items)
    print(
        f"{len(items)} mixtures, {audio_s / 60:.1f} min of audio; methods: {', '.join(methods)}", flush=True
    )

    results: dict[str, dict] = {}
    for method in methods:
        t0 = time.time()
        if args.in_process:
            results[method] = run_method(method, items, args.devset, args.engine)
        else:
            with ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn")) as pool:
                results[method] = pool.submit(run_method, method, items, args.devset, args.engine).result()
        print(f"  {method:14} done in {time.time() - t0:6.1f} s", flush=True)

    summary = summarize(results)
    long_res = None
    if args.long:
        if builtin_status(args.engine):
            print(f"skipping --long: {builtin_status(args.engine)}", file=sys.stderr)
        else:
            long_res = bench_long(args.long, args.long_text, items, args.devset, args.engine)
    print()
    print(
        "Median SI-SDRi (dB) of the requested stem; worse = share of cases below the input (failures count);"
    )
    print(
        "RTF = wall processing s / audio s; CPU RTF = CPU s (all threads) / audio s;"
        " RSS = peak resident memory of the method's process."
    )
    print(format_table(summary))
    sources = per_source(results)
    if sources:
        print("\nPer source (the target's package; none was trained on): median SI-SDRi (Δ vs all other packages)")
        print(format_sources(sources))
    if long_res:
        print(
            f"\nlong file: {long_res['minutes']:g} min stereo 44.1 kHz, text {long_res['text']!r}, "
            f"{long_res['mode']}: {long_res['seconds']:.0f} s (RTF {long_res['rtf']:.3f}, "
            f"CPU RTF {long_res['cpu_rtf']:.3f}), peak RSS {long_res['peak_rss_mb']:.0f} MB"
        )
    if args.json_out:
        payload = {
            "command": " ".join([Path(sys.argv[0]).name] + (argv if argv is not None else sys.argv[1:])),
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "host": {
                "cpus": os.cpu_count(),
                "machine": platform.machine(),
                "python": platform.python_version(),
            },
            "devset": {"path": args.devset, "items": len(items), "audio_s": round(audio_s, 1)},
            "summary": summary,
            "per_source": sources,
            "long_file": long_res,
            "rows": [r for res in results.values() for r in res["rows"]],
        }
        Path(args.json_out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json_out).write_text(json.dumps(payload, indent=1))
        print(f"per-item numbers: {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
