"""The built-in offline separation engine (registered as ``"builtin"``).

Text prompts map onto an ontology of sound kinds with a method each; span prompts train a
semi-supervised NMF fingerprint; long inputs run block by block in bounded memory, or
stream file to file with :func:`separate_file`.
"""

from __future__ import annotations

import importlib

__all__ = ["KINDS", "BuiltinEngine", "match_kind", "separate_file"]
_HOME = {"BuiltinEngine": ".engine", "separate_file": ".engine", "KINDS": ".ontology", "match_kind": ".ontology"}


def __getattr__(name: str):
    # Imported on first use: the ontology's sound names are wanted without torch (the planner's
    # spelling check reads them), the engine only when something separates.
    if name in _HOME:
        return getattr(importlib.import_module(_HOME[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
