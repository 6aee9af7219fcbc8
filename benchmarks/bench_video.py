"""Benchmark the video-mask prompt on clips from ``build_av_clips.py``.

For every source of every clip, the mixture is separated with a box around that source's
on-screen object, and the SI-SDR improvement of the target over the unprocessed mixture is
measured against the clean stem. Side by side: the unprocessed mixture (0 dB by definition),
text-only separation with the built-in engine (the source's label as the prompt; skipped when
that engine is not available), and the oracle ideal ratio mask (the ceiling for any mask).
``--speed`` also times one minute of 720p 30 fps video end to end (decode, audio load, separate).

    python benchmarks/build_av_clips.py --out scratch/av_clips
    python benchmarks/bench_video.py scratch/av_clips [--speed]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from samaudio_core.audio import Audio, load_audio
from samaudio_core.avmask import separate_masked
from samaudio_core.metrics import si_sdr_improvement
from samaudio_core.prompts import MaskPrompt, Prompt
from samaudio_core.video import analyse_video


def oracle_irm(mix: np.ndarray, ref: np.ndarray, sr: int) -> np.ndarray:
    """Ideal ratio mask estimate of ``ref`` from ``mix`` (1-D), same STFT as the method."""
    from samaudio_core.avmask import istft, stft, stft_params

    n_fft, hop = stft_params(sr)
    m, r = stft(mix, n_fft, hop), stft(ref, n_fft, hop)
    rest = stft(mix - ref, n_fft, hop)
    mask = np.abs(r) / (np.abs(r) + np.abs(rest) + 1e-9)
    return istft(m * mask, n_fft, hop, len(mix))


def _text_engine():
    try:
        from samaudio_core.engines import load_engine

        return load_engine("builtin")
    except Exception as exc:  # the built-in engine is developed separately
        print(f"text-only baseline skipped: {exc}")
        return None


def run_clips(root: Path, use_text: bool) -> dict:
    engine = _text_engine() if use_text else None
    rows = []
    for meta_path in sorted(root.glob("clip_*/meta.json")):
        meta = json.loads(meta_path.read_text())
        clip = meta_path.parent
        mix = load_audio(clip / "mix.wav", channels=1)
        vm = analyse_video(clip / "clip.mp4")
        for src in meta["sources"]:
            ref = load_audio(clip / src["stem"], channels=1).samples[0]
            prompt = Prompt(mask=MaskPrompt(str(clip / "clip.mp4"), box=tuple(src["box"])))
            t0 = time.perf_counter()
            res = separate_masked(mix, prompt, video=vm)
            elapsed = time.perf_counter() - t0
            row = {
                "clip": clip.name,
                "source": src["category"],
                "mask": si_sdr_improvement(res.target[0], ref, mix.samples[0]),
                "oracle": si_sdr_improvement(
                    oracle_irm(mix.samples[0], ref, mix.sample_rate), ref, mix.samples[0]
                ),
                "seconds": elapsed,
            }
            if engine is not None:
                text_res = engine.separate(mix, Prompt(text=src["text"]))
                row["text"] = si_sdr_improvement(np.asarray(text_res.target)[0], ref, mix.samples[0])
                both = separate_masked(
                    mix, Prompt(text=src["text"], mask=prompt.mask), engine=engine, video=vm
                )
                row["mask+text"] = si_sdr_improvement(both.target[0], ref, mix.samples[0])
            rows.append(row)
            print(
                f"{row['clip']} {row['source']:<10} mask {row['mask']:6.2f} dB"
                + (f"  text {row['text']:6.2f}  mask+text {row['mask+text']:6.2f}" if "text" in row else "")
                + f"  oracle {row['oracle']:6.2f}  ({elapsed:.2f} s)"
            )
    summary = {"n": len(rows), "unprocessed": 0.0}
    for key in ("mask", "text", "mask+text", "oracle"):
        vals = [r[key] for r in rows if key in r]
        if vals:
            summary[key] = round(statistics.median(vals), 2)
    by_cat: dict[str, list[float]] = {}
    for r in rows:
        by_cat.setdefault(r["source"], []).append(r["mask"])
    summary["mask_by_category"] = {k: round(statistics.median(v), 2) for k, v in sorted(by_cat.items())}
    return {"rows": rows, "median_si_sdri_db": summary}


def make_speed_clip(path: Path, seconds: float = 60.0) -> None:
    """One minute of 1280x720 30 fps H.264 + AAC: a square bouncing with a tone, noisy background."""
    import av

    w, h, fps, sr = 1280, 720, 30, 48_000
    rng = np.random.default_rng(0)
    base = rng.integers(60, 140, (h, w), dtype=np.uint8)
    n = int(seconds * fps)
    t = np.arange(int(seconds * sr)) / sr
    gate = (np.sin(2 * np.pi * 0.7 * t) > 0).astype(np.float32)
    audio = 0.3 * gate * np.sin(2 * np.pi * 440 * t) + 0.05 * rng.standard_normal(t.size)
    with av.open(str(path), "w") as out:
        vs = out.add_stream("libx264", rate=fps)
        vs.width, vs.height, vs.pix_fmt = w, h, "yuv420p"
        vs.options = {"preset": "ultrafast"}
        aus = out.add_stream("aac", rate=sr)
        aus.layout = "mono"
        for i in range(n):
            img = base.copy()
            on = gate[int(i / fps * sr)]
            x = 200 + int(on * rng.integers(-20, 20))
            img[300:420, x : x + 120] = 240
            frame = av.VideoFrame.from_ndarray(np.repeat(img[:, :, None], 3, axis=2), format="rgb24")
            out.mux(vs.encode(frame))
        out.mux(vs.encode(None))
        for a in range(0, t.size, 1024):
            fr = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(audio[None, a : a + 1024], np.float32), format="fltp", layout="mono"
            )
            fr.sample_rate, fr.pts = sr, a
            out.mux(aus.encode(fr))
        out.mux(aus.encode(None))


def run_speed() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "speed.mp4"
        make_speed_clip(clip)
        t0 = time.perf_counter()
        audio = load_audio(clip)
        res = separate_masked(audio, Prompt(mask=MaskPrompt(str(clip), box=(0.1, 0.35, 0.3, 0.65))))
        elapsed = time.perf_counter() - t0
    assert isinstance(audio, Audio) and res.target.shape == audio.samples.shape
    print(f"one minute of 720p30 with audio: {elapsed:.1f} s end to end")
    return {"seconds_per_minute_720p30": round(elapsed, 2)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("clips", nargs="?", default="scratch/av_clips")
    ap.add_argument("--no-text", action="store_true", help="skip the text-only baseline")
    ap.add_argument("--speed", action="store_true", help="also time one minute of 720p30 video")
    ap.add_argument("--json", help="write all figures to this file")
    args = ap.parse_args(argv)
    result = run_clips(Path(args.clips), use_text=not args.no_text)
    print(json.dumps(result["median_si_sdri_db"], indent=1))
    if args.speed:
        result["speed"] = run_speed()
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
