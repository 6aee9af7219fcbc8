"""Build the training corpus of the activity detector (data/corpus/) from Debian packages.

Every package (corpus_sources.yaml) is listed in ../shared/design/CORPUS.md, none is held out
(held_out.yaml: EVALUATION.md, including the "held-out adjacency" siblings) and none is used by
the separation dev set (benchmarks/devset_sources.yaml; the build refuses to start if one is).
Each package is fetched once with ``apt-get download`` and unpacked with ``dpkg-deb -x``
(debsource.fetch_package; audio, game archives and the copyright file only); clips are labelled
from their path and name by the rules in corpus_sources.yaml, mapped onto the built-in engine's
sound kinds (samaudio_core/builtin/ontology.py), resampled to 16 kHz mono, trimmed, cut into
pieces of at most 20 s, deduplicated by an audio fingerprint (debsource.duplicate_key) and
balanced per label and per kind (rare labels get pitch/time-shifted copies, abundant ones are
capped).
Instruments, drums and a few effects are rendered from the MIT-licensed FluidR3 GM soundfont
(note phrases and drum patterns), and sirens, beeps, ringing, horns, hum, hiss, fan noise and
wind are synthesised (labelled "synthetic"). The split is by source package: the "val" packages
never feed training. data/corpus/manifest.json records every clip's package, version, licence,
source path, label, kind and split; its sha256 is stored with the trained weights.

    nice -n 19 python benchmarks/build_corpus.py        # ~6 GB downloads cached, ~10 min
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

import debsource
import numpy as np
import soundfile as sf
import yaml
from scipy.signal import butter, resample_poly, sosfilt

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "corpus"
#: Packages, labels, path rules, balance caps and synthetic counts (a data file, not code).
SOURCES = Path(__file__).with_name("corpus_sources.yaml")
CFG = yaml.safe_load(SOURCES.read_text())
SR = int(CFG["sample_rate"])
SEED = int(CFG["seed"])
MAX_PIECE_S = float(CFG["max_piece_s"])
MAX_PIECES_PER_FILE = int(CFG["max_pieces_per_file"])
CAP_LABEL_S = float(CFG["cap_label_s"])
CAP_KIND_S = float(CFG["cap_kind_s"])
CAP_PACKAGE_LABEL_S = float(CFG["cap_package_label_s"])
FLOOR_S = float(CFG["floor_s"])
#: package -> {licence, split}.
PACKAGES: dict[str, dict] = CFG["packages"]
#: label -> (engine kind, category, prompts).
LABELS: dict[str, tuple[str, str, list[str]]] = {
    k: (v["kind"], v["category"], list(v["prompts"])) for k, v in CFG["labels"].items()
}
#: (package, file glob or "archive!member glob", [(regex on the lower-cased path, label), ...]).
RULES: list[tuple[str, str, list[tuple[str, str]]]] = [
    (r["package"], r["files"], [(rx, lab) for rx, lab in r["labels"]]) for r in CFG["rules"]
]
SYNTH_COUNTS: dict[str, int] = CFG["synth_counts"]

AUDIO_EXT = (".wav", ".ogg", ".oga", ".flac", ".opus", ".g722")
ARCHIVE_EXT = (".zip", ".pk3", ".wz")


@dataclass
class Clip:
    audio: np.ndarray  # (samples,) float32 at SR
    package: str
    path: str
    label: str
    orig_sr: int
    note: str = ""


# ----------------------------------------------------------------------------- fetching


def _devset_packages() -> set[str]:
    cfg = yaml.safe_load((ROOT / "benchmarks" / "devset_sources.yaml").read_text())
    return set(cfg.get("packages", {}))


def fetch(pkg: str, debs: Path, raw: Path) -> str:
    """Download ``pkg``'s .deb (cached) and unpack its audio, archives and copyright. Returns the version."""
    keep = [f"*{e}" for e in AUDIO_EXT + ARCHIVE_EXT + (".sf2",)] + ["*/copyright"]
    return debsource.fetch_package(pkg, raw, debs, keep)


def list_files(pkg: str, raw: Path, pattern: str) -> list[tuple[str, callable]]:
    """(path, reader) for every audio file matching ``pattern``; ``reader()`` returns its bytes."""
    return debsource.list_audio(raw / pkg, pattern, AUDIO_EXT)


# ----------------------------------------------------------------------------- decoding


def decode(data: bytes, name: str) -> tuple[np.ndarray, int]:
    """Mono float32 samples and rate of an encoded file (debsource.decode, channels averaged)."""
    x, sr = debsource.decode(data, name)
    return x.mean(axis=0), sr


def to_sr(x: np.ndarray, sr: int) -> np.ndarray:
    if sr == SR:
        return x.astype(np.float32)
    g = np.gcd(sr, SR)
    return resample_poly(x, SR // g, sr // g).astype(np.float32)


def trim(x: np.ndarray, rel_db: float = -50.0) -> np.ndarray:
    """Drop leading/trailing frames more than ``rel_db`` below the loudest 20 ms frame."""
    hop = SR // 50
    n = len(x) // hop
    if n < 2:
        return x
    rms = np.sqrt((x[: n * hop].reshape(n, hop) ** 2).mean(axis=1) + 1e-12)
    on = np.flatnonzero(20 * np.log10(rms / rms.max()) > rel_db)
    return x[on[0] * hop : (on[-1] + 1) * hop] if len(on) else x[:0]


# ----------------------------------------------------------------------------- rendering


def read_sf2(path: Path) -> tuple[np.ndarray, list[dict]]:
    """16-bit sample pool and sample headers of a SoundFont 2 file (no generators: raw samples)."""
    data = path.read_bytes()
    chunks: dict[bytes, tuple[int, int]] = {}

    def walk(start: int, end: int) -> None:
        p = start
        while p < end - 8:
            cid = data[p : p + 4]
            size = struct.unpack("<I", data[p + 4 : p + 8])[0]
            if cid == b"LIST":
                walk(p + 12, p + 8 + size)
            else:
                chunks[cid] = (p + 8, size)
            p += 8 + size + (size & 1)

    walk(12, len(data))
    off, size = chunks[b"smpl"]
    pcm = np.frombuffer(data, dtype="<i2", count=size // 2, offset=off)
    off, size = chunks[b"shdr"]
    headers = []
    for i in range(size // 46 - 1):
        r = data[off + 46 * i : off + 46 * (i + 1)]
        start, end, ls, le, rate = struct.unpack("<5I", r[20:40])
        headers.append(
            {
                "name": r[:20].split(b"\0")[0].decode("latin1"),
                "start": start,
                "end": end,
                "loop": (ls, le),
                "rate": rate,
                "type": struct.unpack("<H", r[44:46])[0],
            }
        )
    return pcm, headers


SF2_FAMILIES = [  # (regex on the sample name, label); first hit wins
    (r"choir|ohh voices|solo_vox|synthvz", "choir"),
    (
        r"kick|snr|snare|tom|hat|crsh|crash|ride|splash|conga|bongo|clap|tambourine|shaker|cabasa|maracas|"
        r"timbale|tumba|taiko|agogo|clave|woodblock|cow bell|cowbell|castanet|triangle|guiro|sticks|rim tap|"
        r"brush|quica|808|timpani|orch snare|orch bass drum|rmpwr|studio|slap$",
        "drums",
    ),
    (r"^bird", "bird"),
    (r"telephone", "ring"),
    (r"^heli", "engine"),
    (r"sea shore", "water"),
    (r"applause", "crowd"),
    (r"^gun", "gunshot"),
    (r"whistle", "horn"),
    (r"^wind", "wind"),
    (r"piano|rhodes|^ep |electric piano|harpsichord|clavinet", "piano"),
    (r"bass", "bass"),
    (
        r"nylon|steel$|steel [a-g]|jazz guitar|clean|distortion|palmmuted|muted|harmonics|banjo|sitar|shamisen|koto",
        "guitar",
    ),
    (r"violin|viola|cello|strings|pizz|harp", "strings"),
    (r"trombone|tuba|french horns|brass|^tp_", "brass"),
    (
        r"flute|piccolo|clarinet|oboe|english horn|bassoon|recorder|ocar|shenai|bagpipe|^alto|^tenor|^baritone|"
        r"^soprano",
        "woodwind",
    ),
    (r"organ|accordian|harmon", "organ"),
    (r"vibraphone|marimba|xylophone|glocken|celesta|music box|kalimba|steel drum|tubular|dulci", "mallets"),
    (r"saw|square|sine|pad|sweeper|calliope|synth strings", "synth"),
]


def _note(pcm: np.ndarray, h: dict, dur: float, semis: float, rng: np.random.Generator) -> np.ndarray:
    """One note of a soundfont sample: looped to ``dur`` s when it loops, shifted by ``semis``."""
    x = pcm[h["start"] : h["end"]].astype(np.float32) / 32768.0
    ls, le = h["loop"][0] - h["start"], h["loop"][1] - h["start"]
    want = int(dur * h["rate"] * 2 ** (semis / 12))
    if 0 < ls < le <= len(x) and le - ls > 32 and len(x) < want:
        loop = x[ls:le]
        reps = int(np.ceil((want - ls) / len(loop)))
        x = np.concatenate([x[:ls], np.tile(loop, reps)])
    x = x[:want]
    # Pitch shift by resampling (changes duration too, which is fine for a note). Linear
    # interpolation: polyphase filters for ratios like 44100:16000 x 2^(k/12) are slow to design.
    step = h["rate"] * 2 ** (semis / 12) / SR
    if step > 1.05:  # anti-alias before decimating
        x = sosfilt(butter(8, 0.95 / step, output="sos"), x).astype(np.float32)
    pos = np.arange(0, len(x) - 1, step)
    y = np.interp(pos, np.arange(len(x)), x).astype(np.float32) if len(x) > 16 else x
    rel = min(len(y), int(SR * float(rng.uniform(0.03, 0.2))))
    if rel:
        y[-rel:] *= np.linspace(1, 0, rel)
    return y


def render_soundfont(
    path: Path, rng: np.random.Generator, per_label: int = 40
) -> list[tuple[str, str, np.ndarray]]:
    """(label, description, audio) phrases rendered from the soundfont's samples."""
    pcm, headers = read_sf2(path)
    by_label: dict[str, list[dict]] = {}
    for h in headers:
        if h["end"] - h["start"] < 200 or h["rate"] < 8000:
            continue
        name = h["name"].lower()
        for rx, lab in SF2_FAMILIES:
            if re.search(rx, name):
                by_label.setdefault(lab, []).append(h)
                break
    out = []
    for lab, hs in sorted(by_label.items()):
        n = (
            per_label
            if lab not in ("bird", "ring", "engine", "water", "crowd", "gunshot", "horn", "wind")
            else 12
        )
        for _ in range(n):
            if lab == "drums":
                out.append((lab, "drum pattern", _drum_pattern(pcm, hs, rng)))
                continue
            h = hs[int(rng.integers(len(hs)))]
            if lab in ("engine", "water", "crowd", "wind"):
                y = _note(pcm, h, float(rng.uniform(3, 8)), float(rng.uniform(-2, 2)), rng)
                out.append((lab, h["name"], y))
                continue
            notes = []
            for _ in range(int(rng.integers(3, 12))):
                dur = float(rng.uniform(0.12, 1.2))
                y = _note(pcm, h, dur, float(rng.integers(-5, 6)), rng)
                if rng.random() < 0.25:  # a chord: same sample a third or fifth up
                    y2 = _note(pcm, h, dur, float(rng.choice([3, 4, 7])), rng)
                    m = min(len(y), len(y2))
                    y = y[:m] + 0.7 * y2[:m]
                notes.append(y)
                notes.append(np.zeros(int(SR * float(rng.uniform(0, 0.35))), np.float32))
            out.append((lab, h["name"], np.concatenate(notes)))
    return out


def _drum_pattern(pcm: np.ndarray, hs: list[dict], rng: np.random.Generator) -> np.ndarray:
    bpm = float(rng.uniform(70, 170))
    step = 60.0 / bpm / 4
    bars = int(rng.integers(1, 4))
    picks = [hs[int(i)] for i in rng.choice(len(hs), size=min(4, len(hs)), replace=False)]
    grid = [rng.random(16) < p for p in (0.3, 0.25, 0.5, 0.15)]
    n = int((bars * 16 * step + 1.0) * SR)
    y = np.zeros(n, np.float32)
    for b in range(bars):
        for s in range(16):
            for h, g in zip(picks, grid):
                if g[s]:
                    hit = _note(pcm, h, 0.6, 0.0, rng) * float(rng.uniform(0.5, 1.0))
                    a = int((b * 16 + s) * step * SR)
                    m = min(len(hit), n - a)
                    y[a : a + m] += hit[:m]
    return y


def synthesise(label: str, rng: np.random.Generator) -> np.ndarray:
    """A synthetic alarm or noise clip (sirens, beeps, ringing, horns, hum, hiss, fan, wind)."""
    dur = float(rng.uniform(2.0, 8.0))
    n = int(dur * SR)
    t = np.arange(n) / SR
    if label == "siren":
        style = rng.integers(3)
        lo, hi = float(rng.uniform(500, 800)), float(rng.uniform(1100, 1800))
        rate = float(rng.uniform(0.15, 0.5)) if style == 0 else float(rng.uniform(2, 6))
        if style == 2:  # hi-lo two-tone
            f = np.where((t * rate / 2) % 1 < 0.5, lo, hi)
        else:  # wail (slow) or yelp (fast) sweep
            f = lo + (hi - lo) * (0.5 - 0.5 * np.cos(2 * np.pi * rate * t))
        ph = 2 * np.pi * np.cumsum(f) / SR
        x = sum(np.sin(k * ph) / k ** float(rng.uniform(1, 2)) for k in range(1, 6))
    elif label == "beep":
        f0 = float(rng.uniform(800, 4000))
        on, off = float(rng.uniform(0.05, 0.4)), float(rng.uniform(0.05, 0.5))
        gate = (t % (on + off)) < on
        x = np.sin(2 * np.pi * f0 * t) * gate + 0.2 * np.sin(2 * np.pi * 3 * f0 * t) * gate
    elif label == "ring":
        f1, f2 = float(rng.uniform(400, 1200)), float(rng.uniform(1200, 2600))
        trem = 0.5 + 0.5 * np.sign(np.sin(2 * np.pi * float(rng.uniform(15, 25)) * t))
        gate = (t % 3.0) < float(rng.uniform(0.8, 2.0))
        x = (np.sin(2 * np.pi * f1 * t) + np.sin(2 * np.pi * f2 * t)) * trem * gate
    elif label == "horn":
        f0 = float(rng.uniform(300, 500))
        ph = 2 * np.pi * f0 * t
        x = sum(np.sin(k * ph) / k for k in range(1, 12)) + sum(
            np.sin(k * ph * 1.26) / k for k in range(1, 8)
        )
        gate = np.zeros(n, bool)
        a = 0.0
        while a < dur:
            ln = float(rng.uniform(0.2, 1.2))
            gate[int(a * SR) : int((a + ln) * SR)] = True
            a += ln + float(rng.uniform(0.2, 1.0))
        x = x * gate
    elif label == "hum":
        f0 = float(rng.choice([50.0, 60.0])) * float(rng.uniform(0.99, 1.01))
        x = sum(
            rng.uniform(0.2, 1.0) / h * np.sin(2 * np.pi * f0 * h * t + rng.uniform(0, 6.3))
            for h in range(1, 12)
        )
    elif label == "hiss":
        x = rng.standard_normal(n)
        if rng.random() < 0.5:
            spec = np.fft.rfft(x) / np.sqrt(np.maximum(np.fft.rfftfreq(n, 1 / SR), 20.0))
            x = np.fft.irfft(spec, n)
        sos = butter(
            2, [float(rng.uniform(20, 300)), float(rng.uniform(3000, 7900))], "band", fs=SR, output="sos"
        )
        x = sosfilt(sos, x)
    elif label == "machine":  # fan: filtered noise plus blade-rate harmonics
        sos = butter(2, float(rng.uniform(300, 2500)), "low", fs=SR, output="sos")
        bpf = float(rng.uniform(20, 120))
        x = sosfilt(sos, rng.standard_normal(n)) + 0.3 * sum(
            np.sin(2 * np.pi * bpf * k * t) / k for k in range(1, 6)
        )
    elif label == "wind":
        sos = butter(2, float(rng.uniform(120, 700)), "low", fs=SR, output="sos")
        knots = rng.uniform(0.15, 1.0, size=max(2, int(dur / 1.2) + 2))
        env = np.interp(np.linspace(0, len(knots) - 1, n), np.arange(len(knots)), knots)
        x = sosfilt(sos, rng.standard_normal(n)) * env
    else:
        raise ValueError(label)
    x = np.asarray(x, np.float64)
    return (x / (np.abs(x).max() + 1e-9) * 0.5).astype(np.float32)



# ----------------------------------------------------------------------------- main


def pitch_time_copy(x: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """A resampled copy (pitch and tempo shifted together by a factor in [0.84, 1.19])."""
    factor = float(2 ** (rng.uniform(-3, 3) / 12))
    up = 100
    return resample_poly(x, up, int(round(up * factor))).astype(np.float32), factor


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--only", nargs="*", help="restrict to these packages (debugging)")
    args = ap.parse_args(argv)

    debsource.refuse_held_out(PACKAGES)
    clash = set(PACKAGES) & _devset_packages()
    if clash:
        raise SystemExit(f"refusing: {sorted(clash)} are used by the dev set")
    rng = np.random.default_rng(SEED)
    out: Path = args.out
    raw, debs = out / "raw", out / "debs"
    versions: dict[str, str] = {}
    clips: list[Clip] = []
    for pkg in PACKAGES:
        if args.only and pkg not in args.only:
            continue
        versions[pkg] = fetch(pkg, debs, raw)
        print(f"{pkg} {versions[pkg]}", flush=True)
        if pkg == "fluid-soundfont-gm":
            sf2 = next((raw / pkg).rglob("*.sf2"))
            for lab, desc, y in render_soundfont(sf2, rng):
                clips.append(Clip(y, pkg, f"{sf2.relative_to(raw / pkg)}#{desc}", lab, SR, "rendered"))
            continue
        for rule_pkg, pattern, rules in RULES:
            if rule_pkg != pkg:
                continue
            files = []
            for path, reader in list_files(pkg, raw, pattern):
                label = next((lab for rx, lab in rules if re.search(rx, path.lower())), "")
                if label:
                    files.append((path, reader, label))
            # Decode in a seeded random order and stop a label once this package has given it
            # enough audio: the caps below would drop the rest anyway, and decoding is the cost.
            got: dict[str, float] = {}
            for j in rng.permutation(len(files)):
                path, reader, label = files[j]
                if got.get(label, 0.0) > CAP_PACKAGE_LABEL_S:
                    continue
                try:
                    x, sr = decode(reader(), path)
                except Exception as exc:  # one broken file must not stop the build
                    print(f"  skip {path}: {exc}", file=sys.stderr)
                    continue
                x = trim(to_sr(x, sr))
                if len(x) < 0.08 * SR or np.abs(x).max() < 1e-3:
                    continue
                piece = int(MAX_PIECE_S * SR)
                for k in range(min(MAX_PIECES_PER_FILE, int(np.ceil(len(x) / piece)))):
                    seg = x[k * piece : (k + 1) * piece]
                    if len(seg) >= 0.08 * SR:
                        clips.append(
                            Clip(seg, pkg, path + (f"@{k * MAX_PIECE_S:.0f}s" if k else ""), label, sr)
                        )
                        got[label] = got.get(label, 0.0) + len(seg) / SR
    for label, count in SYNTH_COUNTS.items():
        for _ in range(count):
            clips.append(Clip(synthesise(label, rng), "synthetic", f"synth:{label}", label, SR, "synthetic"))
    print(f"{len(clips)} clips before dedup", flush=True)

    # Dedup: identical fingerprints (re-encodings, files shared between projects) keep one copy.
    seen: dict[bytes, int] = {}
    kept: list[Clip] = []
    dupes = 0
    for c in clips:
        key = debsource.duplicate_key(c.audio, SR)
        if c.note != "synthetic" and key is not None and key in seen:
            dupes += 1
            continue
        seen[key] = len(kept)
        kept.append(c)
    print(f"{dupes} duplicates dropped", flush=True)

    # Balance: shuffle, then admit clips while their label, kind and package-label totals are
    # under the caps; music beds (interferers) are capped like a label.
    order = rng.permutation(len(kept))
    tot_label: dict[tuple[str, str], float] = {}
    tot_kind: dict[tuple[str, str], float] = {}
    tot_pkg: dict[tuple[str, str, str], float] = {}
    chosen: list[Clip] = []
    for i in order:
        c = kept[i]
        split = PACKAGES.get(c.package, {}).get("split", "train")
        dur = len(c.audio) / SR
        kind = LABELS[c.label][0]
        kl, kk, kp = (split, c.label), (split, kind), (split, c.label, c.package)
        if tot_label.get(kl, 0) > CAP_LABEL_S * (2 if c.label == "music_bed" else 1):
            continue
        if c.label != "music_bed" and tot_kind.get(kk, 0) > CAP_KIND_S:
            continue
        if tot_pkg.get(kp, 0) > CAP_PACKAGE_LABEL_S:
            continue
        chosen.append(c)
        tot_label[kl] = tot_label.get(kl, 0) + dur
        tot_kind[kk] = tot_kind.get(kk, 0) + dur
        tot_pkg[kp] = tot_pkg.get(kp, 0) + dur
    # Rare labels: pitch/time-shifted copies up to FLOOR_S (training split only).
    for label in LABELS:
        base = [
            c
            for c in chosen
            if c.label == label and PACKAGES.get(c.package, {}).get("split", "train") == "train"
        ]
        have = sum(len(c.audio) for c in base) / SR
        rounds = 0
        while base and have < FLOOR_S and rounds < 3:
            for c in base:
                y, f = pitch_time_copy(c.audio, rng)
                chosen.append(Clip(y, c.package, c.path, label, c.orig_sr, f"pitch/time x{f:.3f}"))
                have += len(y) / SR
            rounds += 1

    clip_dir = out / "clips"
    shutil.rmtree(clip_dir, ignore_errors=True)
    records = []
    for i, c in enumerate(chosen):
        split = PACKAGES.get(c.package, {}).get("split", "train")
        cid = f"{i:05d}"
        rel = f"clips/{c.label}/{cid}.flac"
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        y = c.audio / max(1.0, float(np.abs(c.audio).max()))
        sf.write(out / rel, y, SR, subtype="PCM_16")
        kind, category, prompts = LABELS[c.label]
        records.append(
            {
                "id": cid,
                "file": rel,
                "label": c.label,
                "kind": kind,
                "category": category,
                "role": "bed" if c.label == "music_bed" else "target",
                "prompts": prompts,
                "split": split,
                "package": c.package,
                "version": versions.get(c.package, "build_corpus.py"),
                "licence": PACKAGES.get(c.package, {}).get("licence", "generated by this project"),
                "path": c.path,
                "orig_sample_rate": c.orig_sr,
                "duration": round(len(y) / SR, 3),
                "note": c.note,
            }
        )
    manifest = {
        "sample_rate": SR,
        "seed": SEED,
        "packages": {p: {**PACKAGES[p], "version": v} for p, v in versions.items()},
        "clips": records,
    }
    text = json.dumps(manifest, indent=1, ensure_ascii=False)
    (out / "manifest.json").write_text(text)
    summary: dict[str, dict[str, float]] = {}
    for r in records:
        summary.setdefault(r["label"], {}).setdefault(r["split"], 0.0)
        summary[r["label"]][r["split"]] += r["duration"]
    for lab, d in sorted(summary.items()):
        print(f"{lab:12s} " + "  ".join(f"{s} {v / 60:5.1f} min" for s, v in sorted(d.items())))
    print(f"{len(records)} clips, manifest sha256 {hashlib.sha256(text.encode()).hexdigest()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
