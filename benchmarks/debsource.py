"""Reading recorded sounds out of Debian packages, shared by the corpus and dev-set builders.

``fetch_package`` downloads a package's .deb once with ``apt-get download`` (cached in a
``debs`` folder), unpacks it with ``dpkg-deb -x`` and keeps only the files a builder reads (plus
the package's copyright file) under ``raw/<package>/``; ``fingerprint`` / ``duplicate_key``
find the same recording shipped twice (within a package or across packages), so both builders
deduplicate the same way; ``decode`` reads any of the packages' audio formats. ``held_out_packages`` is the list of packages nothing may read
(../shared/design/EVALUATION.md), kept in held_out.yaml. Used by build_corpus.py and
build_devset.py (run as scripts, so ``import debsource`` finds this file next to them).
"""

from __future__ import annotations

import fnmatch
import hashlib
import io
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import soundfile as sf
import yaml
from scipy.signal import resample_poly

HERE = Path(__file__).resolve().parent
#: Rate the fingerprint is computed at (clips at other rates are resampled first).
FINGERPRINT_SR = 16000


def held_out_packages() -> set[str]:
    """Packages (Debian and PyPI) that no build may download or read (held_out.yaml)."""
    cfg = yaml.safe_load((HERE / "held_out.yaml").read_text())
    return set(cfg["debian"]) | set(cfg.get("pypi", []))


def refuse_held_out(packages: Iterable[str]) -> None:
    """Stop with a message if any of ``packages`` is held out."""
    clash = sorted(set(packages) & held_out_packages())
    if clash:
        raise SystemExit(f"refusing: {clash} are held out (../shared/design/EVALUATION.md)")


def _download(pkg: str, debs: Path) -> Path:
    found = sorted(debs.glob(f"{pkg}_*.deb"))
    if found:
        return found[-1]
    cmd = ["apt-get", "download", "-q", pkg]
    if subprocess.run(cmd, cwd=debs, capture_output=True).returncode != 0:
        # The package lists may be missing or stale on a fresh machine: refresh once and retry.
        print("apt-get update ...", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        subprocess.run(cmd, cwd=debs, check=True, capture_output=True)
    return sorted(debs.glob(f"{pkg}_*.deb"))[-1]


def fetch_package(pkg: str, raw: Path, debs: Path, keep: Iterable[str] = ("*",)) -> str:
    """Make ``raw/<pkg>/`` hold ``pkg``'s files matching ``keep``; return the package version.

    The .deb is downloaded once into ``debs`` (``apt-get download``) and unpacked once
    (``dpkg-deb -x`` into a scratch folder next to ``raw``); files whose path inside the package
    matches one of the ``keep`` patterns (fnmatch: ``*`` also crosses ``/``) are moved into
    ``raw/<pkg>/`` at the same relative path, and the package's ``usr/share/doc/*/copyright`` is
    also copied to ``raw/<pkg>/copyright``. ``raw/<pkg>/.version`` marks a finished unpack;
    delete the folder to unpack again (e.g. after changing ``keep``).
    """
    refuse_held_out([pkg])
    dest = raw / pkg
    stamp = dest / ".version"
    if stamp.exists():
        return stamp.read_text().strip()
    debs.mkdir(parents=True, exist_ok=True)
    raw.mkdir(parents=True, exist_ok=True)
    deb = _download(pkg, debs)
    version = subprocess.run(
        ["dpkg-deb", "-f", str(deb), "Version"], check=True, capture_output=True, text=True
    ).stdout.strip()
    patterns = list(keep)
    with tempfile.TemporaryDirectory(dir=raw.parent, prefix=f".unpack-{pkg}-") as tmp:
        tree = Path(tmp) / "x"
        subprocess.run(["dpkg-deb", "-x", str(deb), str(tree)], check=True)
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        for src in sorted(p for p in tree.rglob("*") if p.is_file()):
            rel = str(src.relative_to(tree))
            if any(fnmatch.fnmatch(rel, pat) for pat in patterns):
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(src), dest / rel)
        for cp in sorted(tree.glob("usr/share/doc/*/copyright")) + sorted(dest.glob("usr/share/doc/*/copyright")):
            shutil.copy2(cp, dest / "copyright")
            break
    stamp.write_text(version + "\n")
    return version


def list_audio(
    root: Path, pattern: str, exts: tuple[str, ...], cross_dirs: bool = True
) -> list[tuple[str, Callable[[], bytes]]]:
    """(path inside the package, reader) for every audio file under ``root`` matching ``pattern``.

    ``pattern`` is a file glob relative to ``root``, or ``"archive glob!member glob"`` for the
    members of zip archives (.pk3, .orgue, .zip, .wz); listed paths are then
    ``"archive!member"``. Members match by fnmatch (``*`` crosses ``/``); plain files too when
    ``cross_dirs``, otherwise by ``Path.glob`` (``*`` stays within one folder). ``exts``: the
    lower-case name endings that count as audio. ``reader()`` returns the file's bytes.
    """
    out: list[tuple[str, Callable[[], bytes]]] = []
    if "!" in pattern:
        arch_glob, member_glob = pattern.split("!", 1)
        for arch in sorted(root.glob(arch_glob)):
            zf = zipfile.ZipFile(arch)
            rel = arch.relative_to(root)
            for name in sorted(zf.namelist()):
                if name.lower().endswith(exts) and fnmatch.fnmatch(name, member_glob):
                    out.append((f"{rel}!{name}", lambda zf=zf, name=name: zf.read(name)))
        return out
    paths = sorted(root.rglob("*")) if cross_dirs else sorted(root.glob(pattern))
    for p in paths:
        rel = str(p.relative_to(root))
        if p.is_file() and rel.lower().endswith(exts) and (not cross_dirs or fnmatch.fnmatch(rel, pattern)):
            out.append((rel, p.read_bytes))
    return out


# ----------------------------------------------------------------------------- decoding


def decode(data: bytes, name: str) -> tuple[np.ndarray, int]:
    """(channels, samples) float32 and the sample rate of an encoded file.

    soundfile first; PyAV (FFmpeg) for what libsndfile cannot read (Opus, WavPack in GrandOrgue
    .orgue files, headerless G.722 ``.g722`` prompts, which are read at 16 kHz).
    """
    if not name.lower().endswith((".opus", ".g722")):
        try:
            x, sr = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
            return x.T.copy(), int(sr)
        except Exception:  # some game files use codecs libsndfile lacks: fall through to FFmpeg
            pass
    import av

    fmt = "g722" if name.lower().endswith(".g722") else None
    with av.open(io.BytesIO(data), format=fmt) as c:
        sr = c.streams.audio[0].rate
        frames = []
        for fr in c.decode(audio=0):
            a = fr.to_ndarray()
            if a.dtype.kind == "i":
                a = a.astype(np.float32) / np.iinfo(a.dtype).max
            channels = len(fr.layout.channels)
            frames.append(a if fr.format.is_planar else a.reshape(-1, channels).T)
    return np.concatenate(frames, axis=1).astype(np.float32), int(sr)


# ----------------------------------------------------------------------------- duplicates


def fingerprint(x: np.ndarray, sr: int = FINGERPRINT_SR) -> np.ndarray:
    """Sign bits of band-energy differences over 0.1 s frames (first 6 s): equal for re-encodings.

    ``x`` is (samples,) or (channels, samples) at ``sr``; it is mixed to mono and, at other rates,
    resampled to 16 kHz first. Returns an empty array for clips under 0.3 s.
    """
    x = np.asarray(x, np.float32)
    if x.ndim == 2:
        x = x.mean(axis=0)
    if sr != FINGERPRINT_SR:
        g = int(np.gcd(int(sr), FINGERPRINT_SR))
        x = resample_poly(x[: 7 * int(sr)], FINGERPRINT_SR // g, int(sr) // g).astype(np.float32)
    hop = FINGERPRINT_SR // 10
    n = min(len(x) // hop, 60)
    if n < 3:
        return np.zeros(0, bool)
    frames = x[: n * hop].reshape(n, hop)
    spec = np.abs(np.fft.rfft(frames * np.hanning(hop), axis=1)) ** 2
    edges = np.geomspace(4, spec.shape[1] - 1, 17).astype(int)
    bands = np.log(np.stack([spec[:, a:b].sum(axis=1) for a, b in zip(edges[:-1], edges[1:])], axis=1) + 1e-9)
    return (np.diff(bands, axis=1)[1:] > np.diff(bands, axis=1)[:-1]).ravel()


def duplicate_key(x: np.ndarray, sr: int = FINGERPRINT_SR) -> bytes | None:
    """Hash of the fingerprint and the duration (0.1 s): equal keys are the same recording.

    None for clips too short to fingerprint (they are never called duplicates).
    """
    fp = fingerprint(x, sr)
    if not fp.size:
        return None
    duration = np.asarray(x).shape[-1] / sr
    return hashlib.sha1(np.packbits(fp).tobytes() + str(round(duration, 1)).encode()).digest()
