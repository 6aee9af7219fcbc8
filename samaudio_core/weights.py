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
