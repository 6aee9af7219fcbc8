"""The planner contract: what a planner is, what it may know, and its error.

Every planner has a ``name`` and one method, ``plan(instruction, duration=..., context=...)
-> Recipe``. The planners (:mod:`.rules`, :mod:`.openai_planner`, :mod:`.llama_cpp_planner`)
import this module; :mod:`.base` picks one by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from samaudio_core.errors import SamaudioError
from tools.recipe import Recipe


class PlannerError(SamaudioError):
    """A planner cannot be created or used (unknown name, missing package or endpoint)."""


@dataclass
class PlanContext:
    """What a planner may know besides the instruction.

    preferences : stated preferences, from session memory. Keys the rules planner reads:
        ``export_format`` ("mp3" ...; used by a bare "export"), ``removal`` ("gentle" turns
        "remove X" into lowering X by ``gentle_db``, default -12 dB; "full" or absent means
        remove), ``lufs`` (target of a bare "normalize", default -14).
    memories : recalled snippets of earlier turns (free text), most relevant first.
    input_is_video : the input is a video, so visual (mask) prompts are possible.
    last_recipe : the previous turn's recipe ("do that again").
    """

    preferences: dict[str, Any] = field(default_factory=dict)
    memories: list[str] = field(default_factory=list)
    input_is_video: bool = False
    last_recipe: Recipe | None = None


@runtime_checkable
class Planner(Protocol):
    """Turns an instruction into a recipe. ``duration`` (s) resolves "the last 5 seconds"."""

    name: str

    def plan(
        self, instruction: str, *, duration: float | None = None, context: PlanContext | None = None
    ) -> Recipe:
        """Return a validated Recipe; a refusal is a Recipe with no steps and an ``error``."""
        ...
