"""Checks that a session folder is whole, used after killing or racing the processes that edit it.

``session_state`` asserts what the README promises and returns each listed version's hash,
so a later check can assert that no version a user had was ever rewritten or lost.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import soundfile as sf

from samaudio_core.atomic import orphan_owner, pid_alive
from samaudio_core.audio import wav_shortfall


def _whole_audio(path: Path) -> np.ndarray:
    """The samples of ``path``, asserting the file decodes to the end its header promises."""
    assert wav_shortfall(path) is None, f"{path} is cut short"
    info = sf.info(str(path))
    data, _ = sf.read(str(path), dtype="float32", always_2d=True)
    assert data.shape[0] == info.frames > 0, f"{path}: read {data.shape[0]} of {info.frames} frames"
    assert np.all(np.isfinite(data)), f"{path} holds NaN/Inf"
    return data


def dead_orphans(folder: Path) -> list[Path]:
    """Temporary files under ``folder`` whose writer is dead (left by a kill, not yet swept)."""
    out = []
    for root, dirs, files in os.walk(folder):
        for name in files + dirs:
            pid = orphan_owner(name)
            if pid is not None and not pid_alive(pid):
                out.append(Path(root) / name)
    return out


def session_state(folder: Path, input_bytes: bytes) -> dict[int, str]:
    """Assert ``folder`` is a whole session; return {version id: sha256 of its file}."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))  # loads: never torn
    versions = manifest["versions"]
    assert [v["id"] for v in versions] == list(range(len(versions)))
    assert manifest["stack"][0] == 0 and all(0 <= i < len(versions) for i in manifest["stack"])
    original = folder / versions[0]["path"]
    assert original.read_bytes() == input_bytes, "the session's copy of the original changed"
    hashes = {}
    for v in versions:
        path = folder / v["path"]
        assert path.is_file(), f"version {v['id']} is listed but {path} is missing"
        data = _whole_audio(path)
        meta = v["info"].get("audio") or {"duration": manifest["duration"], "sample_rate": manifest["sample_rate"]}
        assert data.shape[0] == round(meta["duration"] * meta["sample_rate"]), f"version {v['id']} has the wrong length"
        assert data.shape[1] == manifest["channels"]
        hashes[v["id"]] = hashlib.sha256(path.read_bytes()).hexdigest()
    # No partial file under a final name: every visible file the session made decodes whole.
    for sub in ("versions", "out"):
        for path in sorted((folder / sub).glob("*")):
            if not path.name.startswith("."):
                _whole_audio(path)
    return hashes
