"""JSON views of a session, shared by the routes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .state import Session


def session_view(s: Session) -> dict[str, Any]:
    ws = s.ws
    on_stack = set(ws.stack)
    info = ws.current_audio_info()
    versions = []
    for v in ws.versions:
        versions.append({
            "id": v.id, "step": v.step, "parent": v.parent, "scores": v.scores, "created": v.created,
            "on_stack": v.id in on_stack, "has_stems": bool(v.step and v.step.get("op") == "separate"),
            "duration": float(ws.audio_info(v)["duration"]),
            "notes": {k: v.info[k] for k in ("limited_db", "remix_of", "approximate_stems") if k in v.info},
        })  # fmt: skip
    base = f"/api/sessions/{ws.name}"
    exports = [
        {"name": Path(e["path"]).name, "version": e["version"], "url": f"{base}/exports/{Path(e['path']).name}"}
        for e in ws.exports
        if Path(e["path"]).parent.resolve() == ws.out_dir.resolve()
    ]
    return {
        "name": ws.name,
        "input": Path(ws.original.path).name,
        "is_video": s.is_video,
        "duration": float(info["duration"]),
        "original_duration": float(ws.audio_info(ws.original)["duration"]),
        "sample_rate": int(info["sample_rate"]),
        "channels": int(info["channels"]),
        "current": ws.current.id,
        "stack": ws.stack,
        "versions": versions,
        "exports": exports,
        "busy": s.lock.locked(),
    }
