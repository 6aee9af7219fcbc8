"""The web server on a 60-minute file: memory and time to open, draw and play it.

Writes a synthetic 60-minute 44.1 kHz stereo 16-bit wav (635 MB; a tone whose level steps
every minute) block by block, then drives the app in-process with FastAPI's test client:
open (one streamed decoding pass for the check and the peaks, then the session's copy),
peaks for the page, a spectrogram image, and range requests in the middle and at the end,
as a browser's media element makes them. Reports wall time and the process's peak RSS
growth over the baseline after imports (ru_maxrss): the whole file as float32 would be
1.27 GB, so a figure far below that shows nothing held it whole.

    nice python benchmarks/bench_web_long.py [--minutes 60] [--dir DIR]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient  # noqa: E402

from agent.web.app import create_app  # noqa: E402
from agent.web.state import Config  # noqa: E402

SR = 44_100


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def write_long(path: Path, minutes: int) -> None:
    t = np.arange(SR * 60) / SR
    tone = np.sin(2 * np.pi * 440 * t).astype(np.float32)
    with sf.SoundFile(path, "w", SR, 2, subtype="PCM_16") as f:
        for m in range(minutes):
            level = 0.1 + 0.8 * ((m % 10) / 9)
            f.write(np.stack([tone, tone * 0.5], axis=1) * level)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=int, default=60)
    ap.add_argument("--dir", default=None, help="work folder (default: a temporary one, removed after)")
    args = ap.parse_args()
    work = Path(args.dir or tempfile.mkdtemp(prefix="bench_web_"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        src = work / "long.wav"
        t0 = time.perf_counter()
        write_long(src, args.minutes)
        print(f"wrote {src.name}: {args.minutes} min, {src.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - t0:.1f} s")
        client = TestClient(create_app(Config(work, planner="rules", engine="dummy", memory=False)))
        client.get("/api/health")
        base = rss_mb()
        print(f"baseline peak RSS after imports: {base:.0f} MB")

        def step(label, fn):
            t = time.perf_counter()
            out = fn()
            print(f"{label:<34} {time.perf_counter() - t:7.2f} s   peak RSS +{rss_mb() - base:6.0f} MB")
            return out

        s = step("open (decode check + peaks + copy)", lambda: client.post("/api/open", json={"path": "long.wav"}).json())
        name = s["name"]
        p = step("peaks n=90000", lambda: client.get(f"/api/sessions/{name}/peaks/0?n=90000").json())
        peaks = np.array(p["peaks"])
        print(f"  duration {p['duration']:.1f} s; peaks in minute 0 / 9: {peaks[:1000].max():.3f} / {peaks[9 * 1500 : 9 * 1500 + 1000].max():.3f}")
        step("spectrogram 1600x128", lambda: client.get(f"/api/sessions/{name}/spectrogram/0?width=1600").content)
        size = src.stat().st_size
        mid = size // 2
        r = step("range 1 MB at 30:00", lambda: client.get(f"/api/sessions/{name}/media/0", headers={"Range": f"bytes={mid}-{mid + 2**20 - 1}"}))
        assert r.status_code == 206 and len(r.content) == 2**20
        r = step("range last 64 KB", lambda: client.get(f"/api/sessions/{name}/media/0", headers={"Range": f"bytes={size - 65536}-"}))
        assert r.status_code == 206 and len(r.content) == 65536
        print(f"whole file as float32 would be {args.minutes * 60 * SR * 2 * 4 / 1e6:.0f} MB")
    finally:
        if not args.dir:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
