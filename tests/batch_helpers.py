"""Files and recipes shared by the batch tests (test_batch.py, test_batch_ray.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from samaudio_core.audio import save_audio

SR = 16_000

#: Two steps: the dummy engine removes what sounds in 0.2-0.6 s, then the mix is lowered 3 dB.
RECIPE = {
    "version": 1,
    "steps": [
        {"op": "separate", "target": "tone", "action": "remove", "spans": [[0.2, 0.6]]},
        {"op": "gain", "db": -3},
    ],
}


def tone(i: int, seconds: float = 1.0, channels: int = 1) -> np.ndarray:
    """A different tone (and seeded noise) for each ``i``: outputs differ from file to file."""
    rng = np.random.default_rng(i)
    t = np.arange(int(SR * seconds)) / SR
    x = 0.3 * np.sin(2 * np.pi * (220 + 35 * i) * t) + 0.02 * rng.standard_normal(t.size)
    return np.stack([x] * channels).astype(np.float32)


def make_tree(root: Path, n: int = 6, corrupt: bool = False, seconds: float = 1.0) -> Path:
    """``root/in`` with ``n`` wav/flac files, every third in a subfolder, plus a corrupt one
    and two files a scan must skip (a text file, a hidden file)."""
    folder = root / "in"
    (folder / "sub").mkdir(parents=True)
    for i in range(n):
        sub = "sub/" if i % 3 == 2 else ""
        ext = "flac" if i % 2 else "wav"
        save_audio(folder / f"{sub}f{i:02d}.{ext}", tone(i, seconds), sample_rate=SR)
    if corrupt:
        (folder / "broken.wav").write_bytes(b"RIFF\x00\x00garbage" * 40)
    (folder / "notes.txt").write_text("not audio")
    save_audio(folder / ".hidden.wav", tone(99, seconds), sample_rate=SR)
    return folder


def write_recipe(path: Path, recipe: dict | None = None) -> Path:
    path.write_text(json.dumps(recipe or RECIPE))
    return path


def records(out: Path, cut: int = 0) -> list[dict]:
    """The records of ``out/results.jsonl``; exactly ``cut`` lines may be cut short (by a kill)."""
    good, bad = [], 0
    for line in (out / "results.jsonl").read_text().splitlines():
        if line.strip():
            try:
                good.append(json.loads(line))
            except json.JSONDecodeError:
                bad += 1
    assert bad == cut, f"{bad} unreadable line(s) in results.jsonl, expected {cut}"
    return good


def outputs(out: Path) -> dict[str, bytes]:
    """Every output file under ``out`` (relative path -> bytes), results and hidden files aside."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "results.jsonl" and not p.name.startswith(".")
    }
