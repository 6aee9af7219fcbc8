"""Render audio-visual benchmark clips from real recordings, for the video-mask prompt.

Each clip (8 s, 320x180, 30 fps, H.264 + AAC in MP4) mixes two or three intermittent sources
built from real recordings in Debian packages (speech, keyboard, dog, horse, impacts; package,
version and licence of each listed in ``manifest.json``), plus an invisible ambience bed. Every
source has an on-screen object in its own region that vibrates, swells and brightens with the
source's loudness envelope (a drum skin, a loudspeaker, a talking mouth); a distractor object in
a region of its own drifts and flickers on its own schedule; the background is a textured image
with sensor noise, lighting flicker and a small camera shake, so region activity has to be
normalised against the rest of the frame. The clean stems are written beside the mixture.

    python benchmarks/build_av_clips.py --out scratch/av_clips --clips 12

None of the packages used is in EVALUATION.md's held-out list.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import debsource
import numpy as np
import yaml

from samaudio_core.audio import load_audio, save_audio

SR = 44_100
FPS = 30
WIDTH, HEIGHT = 320, 180
DURATION = 8.0

#: Packages, per-category files and prompts, the ambience bed and the screen layouts (data file).
CFG = yaml.safe_load(Path(__file__).with_name("av_clips_sources.yaml").read_text())
#: package -> (version, licence of the sounds).
PACKAGES = {p: (str(v["version"]), v["licence"]) for p, v in CFG["packages"].items()}
#: category -> (package, globs under the package's tree, text label for the text-only baseline)
CATEGORIES = {c: (v["package"], tuple(v["files"]), v["text"]) for c, v in CFG["categories"].items()}
AMBIENCE = (CFG["ambience"]["package"], tuple(CFG["ambience"]["files"]))
#: Source regions as fractions (x0, y0, x1, y1), and the distractor's zone, by number of sources.
LAYOUTS = {
    int(n): ([tuple(r) for r in v["regions"]], tuple(v["zone"])) for n, v in CFG["layouts"].items()
}


def fetch_sources(cache: Path) -> Path:
    """Download and unpack the packages under ``cache`` (once, debsource.fetch_package); return
    the folder holding one unpacked tree per package."""
    raw = cache / "raw"
    for pkg, (version, _) in PACKAGES.items():
        got = debsource.fetch_package(pkg, raw, cache / "debs")
        if got != version:
            print(f"warning: {pkg} is {got}, av_clips_sources.yaml names {version}", flush=True)
    return raw


def _mono(path: Path) -> np.ndarray:
    x = load_audio(path, sample_rate=SR, channels=1).samples[0]
    return x / (np.max(np.abs(x)) + 1e-9)


def event_track(files: list[Path], rng: np.random.Generator, density: float) -> tuple[np.ndarray, list[str]]:
    """Recordings dropped at random times with silent gaps: an intermittent source."""
    n = int(DURATION * SR)
    out = np.zeros(n, np.float32)
    used: list[str] = []
    t = rng.uniform(0.0, 1.0)
    while t < DURATION - 0.3:
        f = files[rng.integers(len(files))]
        ev = _mono(f)[: int(rng.uniform(0.4, 1.6) * SR)]
        ev *= rng.uniform(0.5, 1.0)
        a = int(t * SR)
        seg = ev[: n - a]
        fade = min(len(seg), int(0.01 * SR))
        seg[len(seg) - fade :] *= np.linspace(1, 0, fade)
        out[a : a + len(seg)] += seg
        used.append(str(f))
        t += len(ev) / SR + rng.exponential(1.0 / density)
    return out, used


def frame_envelope(x: np.ndarray) -> np.ndarray:
    """Loudness per video frame, 0..1 (RMS relative to the source's 95th percentile)."""
    hop = SR // FPS
    n = int(DURATION * FPS)
    rms = np.array([np.sqrt(np.mean(x[i * hop : (i + 1) * hop] ** 2) + 1e-12) for i in range(n)])
    return np.clip(rms / (np.percentile(rms, 95) + 1e-9), 0, 1)


def _background(rng: np.random.Generator) -> np.ndarray:
    """A smooth random texture (sum of random blobs), grey levels ~60..160."""
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    img = np.full((HEIGHT, WIDTH), 100.0, np.float32)
    for _ in range(25):
        cx, cy, s = rng.uniform(0, WIDTH), rng.uniform(0, HEIGHT), rng.uniform(8, 40)
        img += rng.uniform(-40, 40) * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * s * s))
    return np.clip(img, 40, 180)


def _disc(img: np.ndarray, cx: float, cy: float, r: float, level: float, stripes: bool) -> None:
    y0, y1 = max(0, int(cy - r - 1)), min(HEIGHT, int(cy + r + 2))
    x0, x1 = max(0, int(cx - r - 1)), min(WIDTH, int(cx + r + 2))
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    inside = (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r
    tex = level + (25.0 * np.sign(np.sin((xx - cx) * 0.6)) if stripes else 0.0)
    patch = img[y0:y1, x0:x1]
    patch[inside] = np.broadcast_to(tex, patch.shape)[inside]


def render_video(
    path: Path, mix: np.ndarray, envelopes: list[np.ndarray], regions: list, zone, rng: np.random.Generator
) -> None:
    """Write the MP4: objects driven by ``envelopes``, a free-running distractor, noisy background."""
    import av

    bg = _background(rng)
    n = int(DURATION * FPS)
    colours = rng.permutation([200.0, 230.0, 30.0, 215.0])
    # The distractor: a smooth random walk inside its zone, with its own random flicker.
    steps = np.cumsum(rng.normal(0, 1, (n, 2)), axis=0)
    steps = (steps - steps.min(0)) / (np.ptp(steps, 0) + 1e-9)
    flicker = np.convolve(rng.random(n), np.ones(6) / 6, mode="same")
    with av.open(str(path), "w") as out:
        vs = out.add_stream("libx264", rate=FPS)
        vs.width, vs.height, vs.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        vs.options = {"preset": "veryfast", "crf": "23"}
        aus = out.add_stream("aac", rate=SR)
        aus.layout = "mono"
        for i in range(n):
            img = bg * (1 + 0.04 * np.sin(2 * np.pi * 0.3 * i / FPS)) + rng.normal(0, 4, bg.shape)
            for env, (x0, y0, x1, y1), col in zip(envelopes, regions, colours):
                e = env[i]
                cx, cy = (x0 + x1) / 2 * WIDTH, (y0 + y1) / 2 * HEIGHT
                size = min(x1 - x0, y1 - y0) * min(WIDTH, HEIGHT)
                ang = rng.uniform(0, 2 * np.pi)
                jitter = 0.12 * size * e
                _disc(
                    img,
                    cx + jitter * np.cos(ang),
                    cy + jitter * np.sin(ang),
                    0.25 * size * (1 + 0.3 * e),
                    col,
                    True,
                )
            zx0, zy0, zx1, zy1 = zone
            r = 0.3 * min(zx1 - zx0, zy1 - zy0) * min(WIDTH, HEIGHT)
            dx = (zx0 * WIDTH + r) + steps[i, 0] * ((zx1 - zx0) * WIDTH - 2 * r)
            dy = (zy0 * HEIGHT + r) + steps[i, 1] * ((zy1 - zy0) * HEIGHT - 2 * r)
            _disc(img, dx, dy, r, colours[-1] * (0.7 + 0.6 * flicker[i]), False)
            # Camera shake: the whole picture jumps by a pixel now and then.
            if rng.random() < 0.1:
                img = np.roll(img, tuple(rng.integers(-1, 2, 2)), axis=(0, 1))
            grey = np.clip(img, 0, 255).astype(np.uint8)
            frame = av.VideoFrame.from_ndarray(np.repeat(grey[:, :, None], 3, axis=2), format="rgb24")
            out.mux(vs.encode(frame))
        out.mux(vs.encode(None))
        block = 1024
        for a in range(0, len(mix), block):
            chunk = np.ascontiguousarray(mix[None, a : a + block], np.float32)
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="mono")
            frame.sample_rate, frame.pts = SR, a
            out.mux(aus.encode(frame))
        out.mux(aus.encode(None))


def build_clip(index: int, root: Path, out_dir: Path, rng: np.random.Generator) -> dict:
    n_src = 2 if index % 2 == 0 else 3
    cats = list(rng.choice(sorted(CATEGORIES), n_src, replace=False))
    regions, zone = LAYOUTS[n_src]
    stems, sources_used = [], []
    for cat in cats:
        pkg, patterns, _ = CATEGORIES[cat]
        files = sorted(f for p in patterns for f in (root / pkg).glob(p))
        track, used = event_track(files, rng, density=rng.uniform(0.4, 0.9))
        stems.append(track)
        sources_used.append({"category": cat, "package": pkg, "files": sorted(set(used))})
    # Levels: each source within +-5 dB of the others (so each one's target-to-rest SNR lies
    # roughly in -8..+5 dB), ambience 12-20 dB below the loudest.
    rms = [np.sqrt(np.mean(s**2)) + 1e-9 for s in stems]
    stems = [s / r * 0.1 * 10 ** (rng.uniform(-5, 5) / 20) for s, r in zip(stems, rms)]
    amb_files = sorted(f for p in AMBIENCE[1] for f in (root / AMBIENCE[0]).glob(p))
    amb = _mono(amb_files[rng.integers(len(amb_files))])
    amb = np.resize(amb, int(DURATION * SR))
    amb = amb / (np.sqrt(np.mean(amb**2)) + 1e-9) * 0.1 * 10 ** (-rng.uniform(12, 20) / 20)
    mix = np.sum(stems, axis=0) + amb
    peak = np.max(np.abs(mix))
    if peak > 0.95:
        stems, amb, mix = [s * 0.95 / peak for s in stems], amb * 0.95 / peak, mix * 0.95 / peak
    clip_dir = out_dir / f"clip_{index:02d}"
    clip_dir.mkdir(parents=True, exist_ok=True)
    order = rng.permutation(n_src)  # which region each source gets
    envs = [frame_envelope(s) for s in stems]
    render_video(clip_dir / "clip.mp4", mix, [envs[j] for j in order], regions, zone, rng)
    save_audio(clip_dir / "mix.wav", mix[None], SR, clip="none")
    meta = {"clip": clip_dir.name, "sources": []}
    for k, j in enumerate(order):
        save_audio(clip_dir / f"source_{k}.wav", stems[j][None], SR, clip="none")
        meta["sources"].append(
            {
                "stem": f"source_{k}.wav",
                "box": list(regions[k]),
                "text": CATEGORIES[cats[j]][2],
                **sources_used[j],
            }
        )
    save_audio(clip_dir / "ambience.wav", amb[None], SR, clip="none")
    meta["distractor_zone"] = list(zone)
    (clip_dir / "meta.json").write_text(json.dumps(meta, indent=1))
    return meta


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="scratch/av_clips")
    ap.add_argument("--cache", default="scratch/av_sources")
    ap.add_argument("--clips", type=int, default=12)
    ap.add_argument("--seed", type=int, default=6)
    args = ap.parse_args(argv)
    root = fetch_sources(Path(args.cache))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    clips = [build_clip(i, root, out, rng) for i in range(args.clips)]
    manifest = {
        "packages": {p: {"version": v, "licence": lic} for p, (v, lic) in PACKAGES.items()},
        "clips": clips,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    print(f"wrote {len(clips)} clips to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
