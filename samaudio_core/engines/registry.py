"""Registers the engines that ship with samaudio.

Other engines (built-in DSP engine, SAM Audio adapter) register themselves in their own
modules, imported here; a module that fails to import leaves its engine listed as unusable
with the import error as the reason, rather than breaking the registry.
"""

from __future__ import annotations

import importlib

from .base import EngineSpec, register_engine
from .dummy import DummyEngine

register_engine(
    EngineSpec(
        name="dummy",
        description="deterministic wiring-test engine (target = input inside the spans)",
        factory=DummyEngine,
        priority=1000,
        auto=False,
    )
)

# Modules that call register_engine() on import. Missing modules are simply skipped.
_ENGINE_MODULES = ("samaudio_core.builtin.engine", "samaudio_core.engines.sam_audio")

for _mod in _ENGINE_MODULES:
    try:
        importlib.import_module(_mod)
    except ModuleNotFoundError as exc:
        if exc.name != _mod:
            register_engine(
                EngineSpec(
                    name=_mod.rsplit(".", 2)[-2] if _mod.endswith(".engine") else _mod.rsplit(".", 1)[-1],
                    description=f"failed to import {_mod}",
                    factory=DummyEngine,
                    check=lambda exc=exc: f"import failed: {exc}",
                    auto=False,
                )
            )
