"""The engine interface and the named registry of engines.

An engine turns (audio, prompt) into a target and a residual with the input's shape.
Engines are looked up by name (``load_engine("builtin")``); each can say whether it is
usable here and, if not, why (``samaudio engines``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from ..audio import Audio
from ..errors import EngineUnavailableError, UnknownEngineError
from ..prompts import Prompt

log = logging.getLogger(__name__)


@dataclass
class SeparationResult:
    """Output of a separation.

    target, residual : float32 arrays (channels, samples), same shape as the input;
        target + residual reconstructs the input (to float precision for mask engines)
    sample_rate : Hz, the input's
    info : what the engine did (engine name, matched sound kind, confidence, spans used,
        warnings, refinement attempts ...), JSON-serialisable
    """

    target: np.ndarray
    residual: np.ndarray
    sample_rate: int
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def stems(self) -> dict[str, np.ndarray]:
        return {"target": self.target, "residual": self.residual}


class Engine(Protocol):
    """What every separation engine provides."""

    name: str

    def separate(self, audio: Audio, prompt: Prompt, *, progress: bool = False) -> SeparationResult: ...


@dataclass(frozen=True)
class EngineSpec:
    """A registry entry: how to build an engine and how to tell whether it can run here."""

    name: str
    description: str
    factory: Callable[..., Engine]
    # Returns None when usable, else the reason it is not (e.g. "package sam_audio not installed").
    check: Callable[[], str | None] = lambda: None
    # Order of preference for engine="auto": lower first.
    priority: int = 100
    auto: bool = True


_REGISTRY: dict[str, EngineSpec] = {}


def register_engine(spec: EngineSpec) -> None:
    _REGISTRY[spec.name] = spec


def _ensure_builtin_registered() -> None:
    # Importing the package registers the engines that ship with it.
    from . import registry  # noqa: F401


def available_engines() -> list[str]:
    """Names of all registered engines (usable here or not)."""
    _ensure_builtin_registered()
    return sorted(_REGISTRY)


def engine_status() -> list[dict[str, Any]]:
    """For each engine: name, description, usable (bool) and reason (when not usable)."""
    _ensure_builtin_registered()
    rows = []
    for spec in sorted(_REGISTRY.values(), key=lambda s: (s.priority, s.name)):
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
    _ensure_builtin_registered()
    if name_or_path == "auto":
        for spec in sorted(_REGISTRY.values(), key=lambda s: (s.priority, s.name)):
            if not spec.auto:
                continue
            reason = spec.check()
            if reason is None:
                return spec.factory(device=device, **options)
            log.info("engine %s skipped by auto: %s", spec.name, reason)
        raise EngineUnavailableError("no usable separation engine")
    spec = _REGISTRY.get(name_or_path)
    if spec is None:
        raise UnknownEngineError(
            f"unknown engine '{name_or_path}' (available: {', '.join(available_engines())})"
        )
    reason = spec.check()
    if reason is not None:
        raise EngineUnavailableError(f"engine '{spec.name}' is not usable here: {reason}")
    return spec.factory(device=device, **options)
