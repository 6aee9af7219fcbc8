"""The per-user folder: ``$SAMAUDIO_HOME`` or ``~/.samaudio`` (sessions, memory, recipes, caches).

Kept apart from :mod:`agent.memory` so that light modules (the planner's spelling cache, the
Whisper base assembly) can find it without importing the vector store."""

from __future__ import annotations

import os
from pathlib import Path


def samaudio_home() -> Path:
    """The per-user folder for sessions and memory: ``$SAMAUDIO_HOME`` or ``~/.samaudio``."""
    return Path(os.environ.get("SAMAUDIO_HOME") or Path.home() / ".samaudio").expanduser()
