"""Long-file benchmark for the built-in engine: peak memory and real-time factor.

Synthesises a long 44.1 kHz stereo wav (speech-band tone bursts over noise and a 50 Hz hum,
written in 10 s pieces), then runs ``samaudio separate`` on it in a child process, which
takes the streaming path, and reports the child's peak RSS and the real-time factor
(processing seconds / audio seconds). ``--prompts`` times several prompts (one per method
family) on the same file. Nothing here is a test: it prints figures.

    python benchmarks/bench_long_file.py --minutes 60            # the issue's 1-hour check
    python benchmarks/bench_long_file.py --minutes 1 --prompts "the hiss" "speech" "dog barking"
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

SR = 44_100


def synthesise(path: Path, minutes: float, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    piece = SR * 10
    with sf.SoundFile(path, "w", SR, 2, subtype="PCM_16") as f:
        for k in range(int(np.ceil(minutes * 6))):
            n = min(piece, int(minutes * 60 * SR) - k * piece)
            if n <= 0:
                break
            t = (np.arange(n) + k * piece) / SR
            hum = 0.03 * sum(np.sin(2 * np.pi * 50 * h * t) / h for h in range(1, 6))
            gate = (np.sin(2 * np.pi * 0.37 * t) > 0.3).astype(np.float64)
            tone = 0.2 * gate * np.sin(2 * np.pi * (400 + 150 * np.sin(2 * np.pi * 0.8 * t)) * t)
            noise = 0.02 * rng.standard_normal((n, 2))
            f.write((noise + (hum + tone)[:, None]).astype(np.float32))


def run_one(src: Path, text: str, out_dir: Path) -> dict:
    cmd = [
        sys.executable, "-c",
        "import sys, resource; from agent.cli import main; rc = main(sys.argv[1:]); "
        "print('MAXRSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss); sys.exit(rc)",
        "separate", str(src), "--text", text, "--engine", "builtin",
        "-o", str(out_dir / "target.wav"), "--residual", str(out_dir / "residual.wav"), "--progress",
    ]  # fmt: skip
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"separate failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    rss_kb = next(int(ln.split()[1]) for ln in proc.stdout.splitlines() if ln.startswith("MAXRSS_KB"))
    duration = sf.info(src).duration
    return {
        "text": text,
        "audio_s": round(duration, 1),
        "wall_s": round(wall, 1),
        "rtf": round(wall / duration, 4),
        "peak_rss_mb": round(rss_kb / 1024, 1),
        "summary": [ln for ln in proc.stdout.splitlines() if ln.startswith("engine=")][:1],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=60.0, help="length of the synthesised input")
    ap.add_argument("--prompts", nargs="+", default=["the hiss"], help="text prompts to time")
    ap.add_argument("--dir", help="work folder (default: a temporary folder, removed afterwards)")
    ap.add_argument("--json", action="store_true", help="print JSON lines only")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        work = Path(tmp)
        src = work / "long.wav"
        t0 = time.perf_counter()
        synthesise(src, args.minutes)
        if not args.json:
            size = os.path.getsize(src) / 2**20
            print(
                f"input: {args.minutes:g} min, 44.1 kHz stereo, {size:.0f} MiB ({time.perf_counter() - t0:.0f} s to write)"
            )
            print(
                f"cores: {os.cpu_count()}  (self RSS so far {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)"
            )
        for text in args.prompts:
            row = run_one(src, text, work)
            print(json.dumps(row) if args.json else
                  f"{text!r:>16}: RTF {row['rtf']:.4f} ({row['wall_s']} s for {row['audio_s']} s), "
                  f"peak RSS {row['peak_rss_mb']} MB  {row['summary'][0] if row['summary'] else ''}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
