"""Build the real-recording separation dev set (data/devset/) from Debian packages.

Reads benchmarks/devset_sources.yaml, fetches each listed package once with ``apt-get
download`` + ``dpkg-deb -x`` (debsource.fetch_package: the .deb is cached under data/debs/, and
only the audio files the dev set uses plus the package's copyright file are kept under
data/raw/<package>/), picks clean single-source clips by kind, drops recordings shipped twice
(debsource.duplicate_key), and writes mixtures of 2-4 sources, 5-20 s, target-to-rest SNR in
[-5, +10] dB, 44.1 kHz mono or stereo, often with an intermittent target. Each mixture folder
holds mixture.wav, target.wav and rest.wav (16-bit PCM on one grid, so target + rest ==
mixture exactly); data/devset/manifest.json records the prompt, the action, the true activity
spans of the target, the span a user would mark, the split (tune / select / report, by source
package) and every source file with its package, version and licence. Deterministic for a
given seed.

    nice python benchmarks/build_devset.py            # ~0.6 GB of audio, see benchmarks/README.md
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import debsource
import devset_lib as lib
import numpy as np
import soundfile as sf
import yaml
from scipy.signal import resample_poly

ROOT = Path(__file__).resolve().parents[1]
CATEGORIES = ("speech", "instruments", "environment", "animals", "alarms", "noise")
SPLITS = ("tune", "select", "report")
AUDIO_EXT = (".wav", ".ogg", ".oga", ".flac", ".opus", ".g722")
#: Clips loaded per kind (a random, seeded subset of its files keeps the build fast).
MAX_CLIPS_PER_KIND = 40


@dataclass
class Clip:
    """One decoded source file at the dev set's sample rate, (channels, samples) float32."""

    audio: np.ndarray
    package: str
    path: str  # path inside the package ("archive.pk3!member" for archive members)
    orig_sr: int
    key: str = ""  # sub-kind (for prompt_by_file), empty when the kind has one prompt set


@dataclass
class Kind:
    name: str
    category: str
    mode: str
    split: str
    spec: dict
    clips: list[Clip] = field(default_factory=list)
    raw: Path = ROOT / "data/raw"  # where its package files were unpacked


# ----------------------------------------------------------------------------- fetching


def _package_globs(cfg: dict) -> dict[str, list[dict]]:
    """Every file spec per package (targets and backgrounds)."""
    out: dict[str, list[dict]] = {}
    for entry in cfg["kinds"] + cfg.get("backgrounds", []):
        for spec in entry.get("files", []):
            out.setdefault(spec["package"], []).append(spec)
            if entry.get("partner"):  # the other stem of a song sits next to each target stem
                partner = dict(spec, glob=str(Path(spec["glob"]).with_name(entry["partner"])))
                out[spec["package"]].append(partner)
    return out


def fetch_packages(cfg: dict, raw: Path, debs: Path) -> dict[str, str]:
    """Download and unpack each package once; return {package: version actually used}."""
    versions: dict[str, str] = {}
    for pkg, specs in _package_globs(cfg).items():
        # Keep only what the dev set reads: matching files (or whole archives).
        keep = [spec.get("archive", spec["glob"]) for spec in specs]
        if not (raw / pkg / ".version").exists():
            print(f"fetching {pkg} ...", flush=True)
        versions[pkg] = debsource.fetch_package(pkg, raw, debs, keep)
        wanted = str(cfg["packages"][pkg]["version"])
        if versions[pkg] != wanted:
            print(f"warning: {pkg} is {versions[pkg]}, devset_sources.yaml names {wanted}", flush=True)
    return versions


# ----------------------------------------------------------------------------- loading


def _list_files(raw: Path, spec: dict) -> list[tuple[str, Callable[[], bytes]]]:
    """(path-inside-package, reader) for one file spec, sorted; globs stay within a folder."""
    pattern = f"{spec['archive']}!{spec['glob']}" if "archive" in spec else spec["glob"]
    return debsource.list_audio(raw / spec["package"], pattern, AUDIO_EXT, cross_dirs=False)


def _trim(x: np.ndarray, sr: int, rel_db: float = -50.0) -> np.ndarray:
    """Cut leading/trailing near-silence so event clips start where the sound starts."""
    spans = lib.active_spans(x, sr, rel_db=rel_db, frame_s=0.01, min_gap_s=10.0, min_len_s=0.0)
    if not spans:
        return x
    a, b = int(spans[0][0] * sr), int(spans[-1][1] * sr)
    return x[:, a:b]


def _prompt_key(spec: dict, path: str) -> str:
    for key in spec.get("prompt_by_file", {}):
        if key in Path(path.split("!")[-1]).name:
            return key
    return ""


def load_kind(kind: Kind, raw: Path, sr: int, rng: np.random.Generator) -> None:
    files: list[tuple[str, str, Callable[[], bytes]]] = []
    for spec in kind.spec.get("files", []):
        files += [(spec["package"], p, src) for p, src in _list_files(raw, spec)]
    if len(files) > MAX_CLIPS_PER_KIND:
        pick = sorted(rng.choice(len(files), MAX_CLIPS_PER_KIND, replace=False))
        files = [files[i] for i in pick]
    min_sr = int(kind.spec.get("min_sr", 22050))
    for package, path, reader in files:
        try:
            x, orig_sr = debsource.decode(reader(), path)
        except Exception as exc:
            print(f"  skip {package}/{path}: {exc}", flush=True)
            continue
        if orig_sr < min_sr:
            continue
        if orig_sr != sr:
            g = math.gcd(orig_sr, sr)
            x = resample_poly(x, sr // g, orig_sr // g, axis=-1).astype(np.float32)
        if kind.mode == "events":
            x = _trim(x, sr)
        peak = float(np.max(np.abs(x))) if x.size else 0.0
        if x.shape[-1] < int(0.15 * sr) or peak < 1e-3:
            continue
        kind.clips.append(Clip(x / peak, package, path, orig_sr, _prompt_key(kind.spec, path)))


def dedupe(kinds: list[Kind], sr: int) -> int:
    """Drop clips that duplicate an earlier clip (same recording shipped twice)."""
    seen: dict[bytes, str] = {}
    dropped = 0
    for kind in kinds:
        keep = []
        for clip in kind.clips:
            key = debsource.duplicate_key(clip.audio, sr)
            if key is not None and key in seen:
                print(f"  duplicate: {clip.package}/{clip.path} == {seen[key]}", flush=True)
                dropped += 1
                continue
            if key is not None:
                seen[key] = f"{clip.package}/{clip.path}"
            keep.append(clip)
        kind.clips = keep
    return dropped


# ----------------------------------------------------------------------------- rendering


def _source_record(clip: Clip, role: str, kind: Kind, versions: dict, cfg: dict, **extra) -> dict:
    pkg = cfg["packages"][clip.package]
    return {
        "role": role,
        "kind": kind.name,
        "package": clip.package,
        "version": versions[clip.package],
        "licence": pkg["licence"],
        "path": clip.path,
        "orig_sample_rate": clip.orig_sr,
        **extra,
    }


def render(
    kind: Kind,
    n: int,
    channels: int,
    sr: int,
    rng: np.random.Generator,
    versions: dict,
    cfg: dict,
    role: str,
    intermittent: float,
    key: str | None = None,
) -> tuple[np.ndarray, list[dict], np.ndarray | None, str]:
    """Render one source of ``kind`` as (channels, n). Returns (signal, source records,
    partner stem for "stem" kinds, prompt key)."""
    records: list[dict] = []
    partner = None
    if kind.mode == "synth":
        chans = [lib.synth_noise(kind.spec["synth"], n, sr, rng) for _ in range(channels)]
        params = chans[0][1]
        x = np.concatenate([c[0] for c in chans], axis=0)
        if kind.spec["synth"] == "hum":  # the same hum on both channels
            x = np.repeat(chans[0][0], channels, axis=0)
        if rng.random() < intermittent:
            x = lib.gate(x, sr, rng)
        records.append(
            {
                "role": role,
                "kind": kind.name,
                "package": "synthetic",
                "version": "build_devset.py",
                "licence": "generated by this project",
                "path": f"synth:{kind.spec['synth']}",
                "params": params,
            }
        )
        return x.astype(np.float32), records, None, ""
    clips = kind.clips
    if key is None and kind.spec.get("prompt_by_file"):
        key = clips[int(rng.integers(len(clips)))].key
    if key:
        clips = [c for c in clips if c.key == key] or kind.clips
    if kind.mode == "events":
        order = rng.permutation(len(clips))[:8]
        chosen = [clips[i] for i in order]
        audio = [lib.match_channels(c.audio, channels, rng) for c in chosen]
        x, placed = lib.place_events(audio, n, sr, rng, cover=float(rng.uniform(0.25, 0.6)))
        for idx, onset in placed:
            records.append(_source_record(chosen[idx], role, kind, versions, cfg, onset_s=round(onset, 3)))
        return x, records, None, key or ""
    clip = clips[int(rng.integers(len(clips)))]
    audio = lib.match_channels(clip.audio, channels, rng)
    if audio.shape[-1] > n:
        offset = int(rng.integers(0, audio.shape[-1] - n))
        x = audio[:, offset : offset + n]
    else:
        offset = 0
        x = lib.loop_to_length(audio, n, sr)
    if kind.mode == "stem":
        # The song's other stem at the same offset: the band the guitar was recorded with.
        name = kind.spec["partner"]
        song_path = str(Path(clip.path).with_name(name))
        data, song_sr = sf.read(kind.raw / clip.package / song_path, dtype="float32", always_2d=True)
        song = lib.match_channels(data.T.copy(), channels, rng)
        partner = song[:, offset : offset + n]
        if partner.shape[-1] < n:
            partner = np.pad(partner, ((0, 0), (0, n - partner.shape[-1])))
        records.append(_source_record(clip, role, kind, versions, cfg, offset_s=round(offset / sr, 3)))
        records.append(
            _source_record(
                Clip(partner, clip.package, song_path, song_sr),
                "rest",
                kind,
                versions,
                cfg,
                offset_s=round(offset / sr, 3),
                note="backing stem of the same song",
            )
        )
        return lib.fade_edges(x, int(0.01 * sr)), records, lib.fade_edges(partner, int(0.01 * sr)), ""
    if rng.random() < intermittent:
        x = lib.gate(x, sr, rng)
    x = lib.fade_edges(x, int(0.02 * sr))
    records.append(_source_record(clip, role, kind, versions, cfg, offset_s=round(offset / sr, 3)))
    return x, records, None, key or ""


def _noise_like(kind: Kind) -> bool:
    return bool(kind.spec.get("noise_like")) or kind.category == "noise"


def _rms_active(x: np.ndarray, sr: int) -> float:
    rms = lib.frame_rms(x, sr, 0.05)
    on = rms > rms.max() * 10 ** (-35 / 20)
    return float(np.sqrt(np.mean(rms[on] ** 2))) if on.any() else 1e-9


def build_mixture(
    item_id: str,
    category: str,
    split: str,
    target_kind: Kind,
    pool: list[Kind],
    cfg: dict,
    versions: dict,
    rng: np.random.Generator,
    out: Path,
) -> dict:
    sr = int(cfg["sample_rate"])
    duration = round(5.0 + 15.0 * float(rng.beta(1.5, 2.5)), 1)
    n = int(duration * sr)
    channels = 2 if rng.random() < 0.3 else 1
    spec = target_kind.spec

    target, records, partner, key = render(target_kind, n, channels, sr, rng, versions, cfg, "target", 0.6)
    prompt = spec.get("prompt_by_file", {}).get(key) if key else None
    text = prompt or str(rng.choice(spec["prompts"]))
    action = str(rng.choice(spec["actions"]))

    # Interferers: other categories of the same split; no noise-like rest under a noise-like
    # target (the user's "remove the noise" must have one answer).
    noise_like = bool(spec.get("noise_like", False))
    candidates = [
        k
        for k in pool
        if k.category != category
        and k.mode != "stem"
        and (k.clips or k.mode == "synth")
        and not (noise_like and _noise_like(k))
    ]
    n_rest = int(rng.integers(1, 4)) - (1 if partner is not None else 0)
    # Speech around a non-speech target ("remove the wind from this interview", "isolate the dog"
    # while people talk), and noise around a speech target (speech enhancement), in fixed shares.
    forced: list[Kind] = []
    if category == "speech":
        if rng.random() < float(cfg.get("noise_in_speech_rest", 0.0)):
            forced = [k for k in candidates if _noise_like(k)]
    elif rng.random() < float(cfg.get("speech_in_rest", 0.0)):
        forced = [k for k in candidates if k.category == "speech"]
    chosen: list[Kind] = []
    if forced:
        chosen.append(forced[int(rng.integers(len(forced)))])
        n_rest = max(1, n_rest)
    others = [k for k in candidates if k not in chosen]
    extra = min(len(others), max(0, n_rest - len(chosen)))
    chosen += [others[i] for i in rng.choice(len(others), size=extra, replace=False)]
    rest = np.zeros((channels, n), np.float32)
    if partner is not None:
        rest += partner / _rms_active(partner, sr) * 0.1
    for k in chosen:
        x, recs, _, _ = render(k, n, channels, sr, rng, versions, cfg, "rest", 0.3)
        gain_db = float(rng.uniform(-6, 6))
        rest += x / _rms_active(x, sr) * 0.1 * 10 ** (gain_db / 20)
        for r in recs:
            r["gain_db"] = round(gain_db, 1)
        records += recs
    snr = float(rng.uniform(-5, 10))
    target = lib.scale_to_snr(target, rest, snr)
    t16, r16, m16 = lib.quantize_stems(target, rest, peak=float(rng.uniform(0.5, 0.9)))

    folder = out / item_id
    folder.mkdir(parents=True, exist_ok=True)
    for name, arr in (("mixture", m16), ("target", t16), ("rest", r16)):
        sf.write(folder / f"{name}.wav", arr.T, sr, subtype="PCM_16")
    t = t16.astype(np.float32) / lib.PCM16_SCALE
    r = r16.astype(np.float32) / lib.PCM16_SCALE
    active = lib.active_spans(t, sr)
    given = lib.pick_given_spans(t, r, sr, active, count=1 if rng.random() < 0.7 else 2)
    mask = np.zeros(n, bool)
    for a, b in active:
        mask[int(a * sr) : int(b * sr)] = True
    snr_active = lib.snr_db(t[:, mask], r[:, mask]) if mask.any() else float("nan")
    return {
        "id": item_id,
        "split": split,
        "category": category,
        "kind": target_kind.name,
        "text": text,
        "action": action,
        "duration": round(n / sr, 3),
        "sample_rate": sr,
        "channels": channels,
        "snr_db": round(lib.snr_db(t, r), 2),
        "snr_active_db": round(snr_active, 2),
        "active_fraction": round(float(mask.mean()), 3),
        "active_spans": [list(s) for s in active],
        "given_spans": [list(s) for s in given],
        "hpss": spec.get("hpss"),
        "noise_like": noise_like,
        "synthetic_target": target_kind.mode == "synth",
        "rest_categories": sorted({k.category for k in chosen} | ({"instruments"} if partner is not None else set())),
        "speech_in_rest": any(k.category == "speech" for k in chosen),
        "files": {name: f"{item_id}/{name}.wav" for name in ("mixture", "target", "rest")},
        "sources": records,
    }


# ----------------------------------------------------------------------------- main


def _kind_split(entry: dict, cfg: dict) -> str:
    if entry.get("split"):
        return entry["split"]
    splits = {cfg["packages"][f["package"]]["split"] for f in entry["files"]}
    if len(splits) != 1:
        raise ValueError(f"kind {entry['name']} mixes packages of different splits: {splits}")
    return splits.pop()


def check_sources(cfg: dict) -> None:
    """Refuse held-out packages, packages the training corpus reads, and unknown splits."""
    packages = set(cfg["packages"])
    debsource.refuse_held_out(packages)
    corpus = yaml.safe_load(Path(__file__).with_name("corpus_sources.yaml").read_text())
    clash = sorted(packages & set(corpus["packages"]))
    if clash:
        raise SystemExit(f"refusing: {clash} feed the training corpus (corpus_sources.yaml)")
    bad = {p: v["split"] for p, v in cfg["packages"].items() if v["split"] not in SPLITS}
    if bad:
        raise SystemExit(f"unknown splits {bad}; use one of {SPLITS}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sources", default=str(Path(__file__).with_name("devset_sources.yaml")))
    ap.add_argument("--raw", default=str(ROOT / "data/raw"))
    ap.add_argument("--debs", default=str(ROOT / "data/debs"), help="cache of downloaded .deb files")
    ap.add_argument("--out", default=str(ROOT / "data/devset"))
    ap.add_argument(
        "--per-split",
        type=int,
        default=None,
        help="mixtures per category and split (default: mixtures_per_split in the yaml)",
    )
    args = ap.parse_args(argv)

    t0 = time.time()
    cfg = yaml.safe_load(Path(args.sources).read_text())
    check_sources(cfg)
    sr = int(cfg["sample_rate"])
    seed = int(cfg["seed"])
    raw, out = Path(args.raw), Path(args.out)
    versions = fetch_packages(cfg, raw, Path(args.debs))

    def make(e: dict) -> Kind:
        return Kind(e["name"], e["category"], e["mode"], _kind_split(e, cfg), e, raw=raw)

    kinds = [make(e) for e in cfg["kinds"]]
    backgrounds = [make(e) for e in cfg.get("backgrounds", [])]
    # Load report kinds first, then select, then tune: a recording shipped in packages of two
    # splits stays in the later-used split only (report before select before tune).
    ordered = sorted(kinds + backgrounds, key=lambda k: -SPLITS.index(k.split))
    for i, kind in enumerate(ordered):
        if kind.mode != "synth":
            load_kind(kind, raw, sr, np.random.default_rng([seed, 1000 + i]))
            print(f"  {kind.split:6} {kind.category:12} {kind.name:18} {len(kind.clips):3} clips", flush=True)
    print(f"dropped {dedupe(ordered, sr)} duplicate clips", flush=True)

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    per_split = {s: int(v) for s, v in cfg["mixtures_per_split"].items()}
    if args.per_split:
        per_split = {s: args.per_split for s in per_split}
    items = []
    for ci, category in enumerate(CATEGORIES):
        i = 0
        for split in SPLITS:
            in_split = [k for k in kinds if k.split == split]
            targets = [k for k in in_split if k.category == category and (k.clips or k.mode == "synth")]
            if not targets:
                raise SystemExit(f"split {split} has no {category} target with clips")
            pool = in_split + [b for b in backgrounds if b.split == split]
            for j in range(per_split[split]):
                rng = np.random.default_rng([seed, ci, i])
                # Round-robin over the split's kinds so each kind of the category gets its share.
                target_kind = targets[j % len(targets)]
                item_id = f"{category[:3]}{i:02d}-{target_kind.name}"
                it = build_mixture(item_id, category, split, target_kind, pool, cfg, versions, rng, out)
                items.append(it)
                i += 1
                print(
                    f"{item_id:28} {it['split']:6} {it['action']:7} {it['text']!r:28} {it['duration']:5.1f}s "
                    f"{it['channels']}ch snr {it['snr_db']:+5.1f} dB active {it['active_fraction']:.2f} "
                    f"rest {','.join(it['rest_categories'])}",
                    flush=True,
                )
    manifest = {
        "version": 2,
        "seed": seed,
        "sample_rate": sr,
        "built_with": "benchmarks/build_devset.py",
        "sources_file": "benchmarks/devset_sources.yaml",
        "categories": list(CATEGORIES),
        "splits": list(SPLITS),
        "packages": {
            p: {"split": v["split"], "version": versions.get(p, str(v["version"])), "licence": v["licence"]}
            for p, v in cfg["packages"].items()
        },
        "items": items,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    size = sum(p.stat().st_size for p in out.rglob("*.wav")) / 1e6
    print(f"wrote {len(items)} mixtures ({size:.0f} MB) to {out} in {time.time() - t0:.0f} s")
    counts = {s: {c: 0 for c in CATEGORIES} for s in SPLITS}
    for it in items:
        counts[it["split"]][it["category"]] += 1
    print(f"{'split':8}" + "".join(f"{c[:11]:>12}" for c in CATEGORIES) + "   all  speech-in-rest")
    for s in SPLITS:
        n_speech_rest = sum(1 for it in items if it["split"] == s and it["speech_in_rest"])
        print(
            f"{s:8}" + "".join(f"{counts[s][c]:12d}" for c in CATEGORIES)
            + f"{sum(counts[s].values()):6d}  {n_speech_rest:6d}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
