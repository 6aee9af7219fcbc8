"""The built-in offline separation engine (registered as ``"builtin"``).

Text prompts map onto an ontology of sound kinds with a method each; span prompts train a
semi-supervised NMF fingerprint; long inputs run block by block in bounded memory, or
stream file to file with :func:`separate_file`.
"""

from __future__ import annotations

from .engine import BuiltinEngine, separate_file
from .ontology import KINDS, match_kind

__all__ = ["KINDS", "BuiltinEngine", "match_kind", "separate_file"]
