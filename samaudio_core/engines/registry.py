"""The named registry of separation engines: ``load_engine(name)``, ``available_engines()``.

Each engine is described by an :class:`~samaudio_core.engines.base.EngineSpec`: how to build
it and how to tell whether it can run here, so ``samaudio engines`` can say why one is not
usable and ``engine="auto"`` picks the most preferred usable one. The engines that ship with
samaudio (dummy, builtin, sam-audio) are registered on the first lookup; other engines call
:func:`register_engine` with their own spec.
"""

from __future__ import annotations

import logging
from typing import Any

from ..errors import EngineUnavailableError, UnknownEngineError
from .base import Engine, EngineSpec
from .dummy import DummyEngine
from .sam_audio import SPEC as SAM_AUDIO_SPEC

log = logging.getLogger(__name__)

_REGISTRY: dict[str, EngineSpec] = {}
_shipped_registered = False

DUMMY_SPEC = EngineSpec(
    name="dummy",
    description="deterministic wiring-test engine (target = input inside the spans)",
    factory=DummyEngine,
    priority=1000,
    auto=False,
)


def register_engine(spec: EngineSpec) -> None:
    """Add (or replace) an engine under ``spec.name``."""
    _ensure_shipped_registered()
    _REGISTRY[spec.name] = spec


def _ensure_shipped_registered() -> None:
    global _shipped_registered
    if _shipped_registered:
        return
    _shipped_registered = True
    # Deferred to the first lookup: the built-in engine loads torch and scipy (~3 s), which
    # ``import samaudio_core`` (and so ``samaudio plan``) does not need.
    from ..builtin.engine import SPEC as BUILTIN_SPEC

    for spec in (DUMMY_SPEC, BUILTIN_SPEC, SAM_AUDIO_SPEC):
        _REGISTRY.setdefault(spec.name, spec)


def get_spec(name: str) -> EngineSpec | None:
    """The registry entry for ``name``, or None."""
    _ensure_shipped_registered()
    return _REGISTRY.get(name)


def available_engines() -> list[str]:
    """Names of all registered engines (usable here or not)."""
    _ensure_shipped_registered()
    return sorted(_REGISTRY)


def _by_preference() -> list[EngineSpec]:
    _ensure_shipped_registered()
    return sorted(_REGISTRY.values(), key=lambda s: (s.priority, s.name))


def engine_status() -> list[dict[str, Any]]:
    """For each engine: name, description, usable (bool) and reason (when not usable)."""
    rows = []
    for spec in _by_preference():
        try:
            reason = spec.check()
        except Exception as exc:  # a broken check must not break the listing
            reason = f"status check failed: {exc}"
        rows.append(
            {"name": spec.name, "description": spec.description, "usable": reason is None, "reason": reason}
        )
    return rows


def load_engine(name_or_path: str = "auto", device: str | None = None, **options: Any) -> Engine:
    """Build an engine by name. ``"auto"`` picks the most preferred usable engine."""
    if name_or_path == "auto":
        for spec in _by_preference():
            if not spec.auto:
                continue
            reason = spec.check()
            if reason is None:
                return spec.factory(device=device, **options)
            log.info("engine %s skipped by auto: %s", spec.name, reason)
        raise EngineUnavailableError("no usable separation engine")
    spec = get_spec(name_or_path)
    if spec is None:
        raise UnknownEngineError(
            f"unknown engine '{name_or_path}' (available: {', '.join(available_engines())})"
        )
    reason = spec.check()
    if reason is not None:
        raise EngineUnavailableError(f"engine '{spec.name}' is not usable here: {reason}")
    return spec.factory(device=device, **options)
