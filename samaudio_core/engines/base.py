"""The engine contract: what an engine returns, what it provides, and how results are checked.

An engine turns (audio, prompt) into a target and a residual with the input's shape
(:class:`SeparationResult`); :func:`check_result` holds every result to that. An
:class:`EngineSpec` describes an engine for the named registry
(:mod:`samaudio_core.engines.registry`, ``load_engine("builtin")``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from ..audio import Audio
from ..prompts import Prompt


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


#: Longest length difference (s) between a result and its input that is taken as padding
#: (STFT frames, SAM Audio's 1920-sample hops at 48 kHz, resampling rounding) and fixed;
#: anything longer is an engine bug and is refused.
LENGTH_TOLERANCE_S = 0.25


def check_result(result: SeparationResult, audio: Audio) -> SeparationResult:
    """Make ``result`` keep ``audio``'s shape, or refuse it. Every caller of an engine runs this.

    Target and residual become float32 (channels, samples) arrays with the input's channel
    count and exact length: a 1-D array is one channel, a length off by at most
    LENGTH_TOLERANCE_S is trimmed or zero-padded. Fixed in place; ``result`` is returned.

    Raises
    ------
    RuntimeError
        when a stem has the wrong number of dimensions or channels, a length off by more
        than LENGTH_TOLERANCE_S, or NaN/infinite samples (engine bugs, not user errors).
    """
    n = audio.num_samples
    tolerance = int(round(LENGTH_TOLERANCE_S * audio.sample_rate))
    engine = result.info.get("engine", "the engine") if isinstance(result.info, dict) else "the engine"
    for name in ("target", "residual"):
        arr = np.asarray(getattr(result, name), np.float32)
        if arr.ndim == 1:
            arr = arr[None, :]
        if arr.ndim != 2:
            raise RuntimeError(f"{engine} returned a {arr.ndim}-D {name}; expected (channels, samples)")
        if arr.shape[0] != audio.channels:
            raise RuntimeError(f"{engine} returned {arr.shape[0]} channels for a {audio.channels}-channel input")
        if abs(arr.shape[1] - n) > tolerance:
            raise RuntimeError(
                f"{engine} returned a {name} of {arr.shape[1]} samples for an input of {n} "
                f"(more than {LENGTH_TOLERANCE_S} s off)"
            )
        if arr.shape[1] > n:
            arr = arr[:, :n]
        elif arr.shape[1] < n:
            arr = np.pad(arr, ((0, 0), (0, n - arr.shape[1])))
        if not np.all(np.isfinite(arr)):
            raise RuntimeError(f"{engine} returned NaN or infinite samples in the {name}")
        setattr(result, name, arr)
    return result
