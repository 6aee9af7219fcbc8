"""The stems of a separation version, and the remix the page's gain sliders ask for.

A separation version ``V`` was made from its parent ``P`` by one of three formulas
(:func:`tools.runner.run_separate`): isolate ``V = T``; remove ``V = P - T``; gain
``V = P + (g - 1) T``. So the two stems are recovered exactly from the two stored files
(32-bit float wavs, lossless), with the residual defined as "everything else",
``R = P - T``, so that both sliders at 0 dB give back the parent. When the runner had to
limit peaks (``info.limited_db``) the recovery is approximate, and the answer says so.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from samaudio_core import mixing
from samaudio_core.audio import Audio, load_audio, save_audio
from samaudio_core.errors import SamaudioError
from samaudio_core.workspace import Version, Workspace

STEMS = ("target", "residual")


class StemError(SamaudioError):
    """A version that has no stems, or a remix that cannot be made."""


def separation_version(ws: Workspace, version_id: int) -> Version:
    try:
        v = ws.versions[version_id]
    except IndexError:
        raise StemError(f"no version {version_id}") from None
    if not v.step or v.step.get("op") != "separate" or v.parent is None:
        raise StemError(f"version {version_id} is not a separation: it has no stems")
    return v


def stems(ws: Workspace, version_id: int) -> dict[str, np.ndarray]:
    """``{"target": T, "residual": R}`` of a separation version, with ``T + R = parent``."""
    v = separation_version(ws, version_id)
    parent = load_audio(ws.path_of(ws.versions[v.parent])).samples
    out = load_audio(ws.path_of(v)).samples
    if parent.shape != out.shape:
        raise StemError(f"version {version_id} and its parent differ in shape: no stems")
    action = v.step.get("action", "isolate")
    if action == "isolate":
        target = out
    elif action == "remove":
        target = parent - out
    else:
        g = mixing.db_to_gain(float(v.step.get("db", 0.0)))
        if abs(g - 1.0) < 1e-6:
            raise StemError(f"version {version_id} changed its target by 0 dB: the stems cannot be told apart")
        target = (out - parent) / (g - 1.0)
    return {"target": target.astype(np.float32), "residual": (parent - target).astype(np.float32)}


def write_stem(ws: Workspace, version_id: int, name: str, dest) -> None:
    if name not in STEMS:
        raise StemError(f"no stem {name!r} (stems: {', '.join(STEMS)})")
    sr = int(ws.audio_info(ws.versions[version_id])["sample_rate"])
    save_audio(dest, Audio(stems(ws, version_id)[name], sr), clip="none")


def remix(ws: Workspace, version_id: int, gains_db: dict[str, float]) -> tuple[Version, dict[str, Any]]:
    """Commit ``target * g_t + residual * g_r`` as a new version whose step is a ``remix`` step."""
    if ws.current.id != version_id:
        raise StemError(
            f"the sliders are for version {version_id}, but the current version is {ws.current.id}: "
            "open its stems again"
        )
    unknown = set(gains_db) - set(STEMS)
    if unknown:
        raise StemError(f"no stem named {', '.join(sorted(unknown))} (stems: {', '.join(STEMS)})")
    for name, db in gains_db.items():
        if not -60.0 <= float(db) <= 24.0:
            raise StemError(f"{name} gain {db:g} dB is outside -60..24 dB")
    v = separation_version(ws, version_id)
    parts = stems(ws, version_id)
    sr = int(ws.audio_info(v)["sample_rate"])
    y, reduced_db = mixing.limit(mixing.remix(parts, gains_db), sr)
    info: dict[str, Any] = {"remix_of": version_id}
    if reduced_db > 0:
        info["limited_db"] = round(reduced_db, 2)
    if v.info.get("limited_db"):
        info["approximate_stems"] = True  # the separation itself was limited
    step = {"op": "remix", "of": version_id, "gains_db": {k: float(gains_db.get(k, 0.0)) for k in STEMS}}
    return ws.commit(Audio(y, sr), step, info=info), info
