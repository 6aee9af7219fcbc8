"""Batch throughput: one two-step recipe over many short files, on each executor.

Synthesises ``--files`` short files (a hum, a gated tone and noise; default 200 x 3 s,
16 kHz mono) and runs ``samaudio apply`` on them in a child process per mode:

- ``sequential``: ``--workers 1`` (this process does every file);
- ``workers2``:   ``--workers 2`` (a pool of two processes);
- ``ray``:        ``--ray --workers 2`` (a local Ray with two actors);
- ``keep``:       ``--workers 1 --keep-versions`` (what ``apply`` used to leave on disk).

The recipe removes the hum with the built-in engine (judged) and normalises to -16 LUFS.
For each mode it prints: wall time with start-up, files per minute overall and in steady
state (first to last finished file, so the workers' start-up is left out), the peak RSS of
each worker process (from the results lines), bytes written per file (the scratch session
and the outputs) and bytes left in the output folder per file. With ``--repeat R`` the modes
run round-robin R times and the timings are medians (a shared machine's load moves between
runs; each run's line, with the load average, goes to stderr). Nothing here is a test.

    nice python benchmarks/bench_batch.py --repeat 3            # 200 files, all modes, 3 rounds
    nice python benchmarks/bench_batch.py --files 40 --modes sequential workers2
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
SR = 16_000
RECIPE = {
    "version": 1,
    "steps": [
        {"op": "separate", "target": "hum", "action": "remove"},
        {"op": "normalize", "lufs": -16},
    ],
}
MODES = {
    "sequential": ["--workers", "1"],
    "workers2": ["--workers", "2"],
    "ray": ["--ray", "--workers", "2"],
    "keep": ["--workers", "1", "--keep-versions"],
}


def synthesise(folder: Path, n: int, seconds: float) -> None:
    folder.mkdir(parents=True)
    t = np.arange(int(seconds * SR)) / SR
    for i in range(n):
        rng = np.random.default_rng(i)
        hum = 0.05 * sum(np.sin(2 * np.pi * (50 + i % 11) * h * t) / h for h in range(1, 5))
        gate = (np.sin(2 * np.pi * (0.4 + 0.01 * i) * t) > 0.2).astype(np.float64)
        tone = 0.2 * gate * np.sin(2 * np.pi * (300 + 7 * i) * t)
        x = hum + tone + 0.01 * rng.standard_normal(t.size)
        sf.write(folder / f"clip{i:04d}.wav", x.astype(np.float32), SR, subtype="PCM_16")


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def run_mode(name: str, recipe: Path, inputs: Path, out: Path, engine: str) -> dict:
    cmd = [sys.executable, "-m", "agent.cli", "apply", str(recipe), str(inputs), "--out-dir", str(out)]
    cmd += ["--engine", engine, "--json", "--no-progress", *MODES[name]]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    arrivals, recs = [], []
    assert proc.stdout is not None
    for line in proc.stdout:  # one line a finished file, flushed by apply
        if line.startswith("{"):
            arrivals.append(time.perf_counter() - t0)
            recs.append(json.loads(line))
    err = proc.stderr.read() if proc.stderr else ""
    proc.wait()
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{name}: apply failed ({proc.returncode}):\n{err[-2000:]}")
    done = [r for r in recs if r["status"] == "done"]
    workers: dict[int, float] = {}
    for r in done:
        workers[r["pid"]] = max(workers.get(r["pid"], 0.0), r["peak_rss_mb"])
    steady = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0]) * 60 if len(arrivals) > 2 else float("nan")
    return {
        "mode": name,
        "files": len(done),
        "wall_s": round(wall, 1),
        "files_per_min": round(len(done) / wall * 60, 1),
        "steady_files_per_min": round(steady, 1),
        "workers": len(workers),
        "peak_rss_mb_per_worker": sorted(round(v) for v in workers.values()),
        "written_kb_per_file": round(np.mean([r["bytes_written"] for r in done]) / 1024, 1),
        "left_kb_per_file": round(folder_bytes(out) / max(1, len(done)) / 1024, 1),
        "judge_failed": sum(bool(r["judge_failed"]) for r in done),
    }


def median_row(runs: list[dict]) -> dict:
    """One row per mode: the timings' medians over the rounds, the rest from the last round."""
    row = dict(runs[-1])
    for key in ("wall_s", "files_per_min", "steady_files_per_min"):
        row[key] = round(float(np.median([r[key] for r in runs])), 1)
    row["rounds"] = len(runs)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--engine", default="builtin")
    ap.add_argument("--modes", nargs="+", choices=list(MODES), default=list(MODES))
    ap.add_argument("--repeat", type=int, default=1, help="rounds over the modes (interleaved); medians reported")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        root = Path(tmp)
        synthesise(root / "in", args.files, args.seconds)
        recipe = root / "recipe.json"
        recipe.write_text(json.dumps(RECIPE))
        runs: dict[str, list[dict]] = {name: [] for name in args.modes}
        for k in range(args.repeat):  # interleaved, so a change in the machine's load hits every mode
            for name in args.modes:
                out = root / f"out-{name}-{k}"
                runs[name].append(run_mode(name, recipe, root / "in", out, args.engine))
                print(json.dumps({**runs[name][-1], "round": k + 1, "load": round(os.getloadavg()[0], 1)}),
                      file=sys.stderr, flush=True)  # fmt: skip
        rows = [median_row(runs[name]) for name in args.modes]
        same = [n for n in args.modes if n != "keep"]
        if len(same) > 1:  # every executor runs the same worker code: the outputs must agree
            ref = {p.name: p.read_bytes() for p in (root / f"out-{same[0]}-0").glob("*.wav")}
            for n in same[1:]:
                other = {p.name: p.read_bytes() for p in (root / f"out-{n}-0").glob("*.wav")}
                print(f"outputs of {n} identical to {same[0]}: {other == ref}")
    load = os.getloadavg()
    print(f"{args.files} files x {args.seconds:g} s, {SR} Hz mono; recipe: remove hum ({args.engine}, judged), "
          f"normalize -16 LUFS; medians of {args.repeat} round(s); {os.cpu_count()} cores, "
          f"load average at the end {load[0]:.1f}")  # fmt: skip
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    cols = ["mode", "files", "wall_s", "files_per_min", "steady_files_per_min", "peak_rss_mb_per_worker",
            "written_kb_per_file", "left_kb_per_file", "judge_failed"]  # fmt: skip
    print(" | ".join(cols))
    for r in rows:
        print(" | ".join(str(r[c]) for c in cols))


if __name__ == "__main__":
    main()
