"""The planner interface: words in, a validated recipe (schema v1) out.

Every planner — the embedded ``rules`` planner, the ``openai`` planner for any
OpenAI-compatible endpoint, the optional in-process ``llama-cpp`` planner — has a ``name``
and one method, ``plan(instruction, duration=..., context=...) -> Recipe``. A planner never
returns raw dicts: the recipe is validated by ``tools.recipe``. An instruction that asks for
nothing the tools can do, or that is unsafe or out of range, yields a recipe with no steps
and an ``error`` saying why (a refusal is an answer, not an exception).

:func:`get_planner` picks one by name; with no name, ``openai`` when an endpoint is
configured (``SAMAUDIO_LLM_BASE_URL`` or ``OPENAI_API_KEY``), else ``rules``. The LLM
planners live in their own modules and are imported only when asked for, so planning with
``rules`` stays instant (no LangChain, no torch).
"""

from __future__ import annotations

import importlib
import inspect
import logging
import os
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from samaudio_core.errors import SamaudioError
from tools.recipe import Recipe

log = logging.getLogger(__name__)

#: planner name -> module (under agent.planners) that defines it
PLANNER_MODULES = {
    "rules": "agent.planners.rules",
    "openai": "agent.planners.openai_planner",
    "llama-cpp": "agent.planners.llama_cpp_planner",
}


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


def default_planner_name() -> str:
    """``SAMAUDIO_PLANNER`` if set; else ``openai`` when an endpoint is configured; else ``rules``."""
    explicit = os.environ.get("SAMAUDIO_PLANNER", "").strip()
    if explicit:
        return explicit
    if os.environ.get("SAMAUDIO_LLM_BASE_URL") or os.environ.get("OPENAI_API_KEY"):
        return "openai"
    return "rules"


def available_planners() -> list[str]:
    return list(PLANNER_MODULES)


def _planner_class(module: Any, name: str) -> Any:
    """The class in ``module`` whose ``name`` attribute is ``name`` (or a ``create`` factory)."""
    factory = getattr(module, "create", None)
    if callable(factory):
        return factory
    for _, obj in inspect.getmembers(module, inspect.isclass):
        if obj.__module__ == module.__name__ and getattr(obj, "name", None) == name and hasattr(obj, "plan"):
            return obj
    raise PlannerError(f"module {module.__name__} defines no planner named '{name}'")


def get_planner(name: str | None = None, **options: Any) -> Planner:
    """Create a planner by name ('rules', 'openai', 'llama-cpp'); None picks the default.

    When no name is given and the configured LLM planner cannot be created (package
    missing, bad configuration), this warns and falls back to ``rules``; a planner asked for
    by name raises PlannerError instead.
    """
    chosen = name or default_planner_name()
    if chosen not in PLANNER_MODULES:
        raise PlannerError(f"unknown planner '{chosen}' (available: {', '.join(available_planners())})")
    try:
        module = importlib.import_module(PLANNER_MODULES[chosen])
        planner = _planner_class(module, chosen)(**options)
    except (ImportError, PlannerError, SamaudioError) as exc:
        if name is None and chosen != "rules":
            log.warning("planner '%s' is unavailable (%s); using the rules planner", chosen, exc)
            from .rules import RulesPlanner

            return RulesPlanner()
        if isinstance(exc, SamaudioError):
            raise
        raise PlannerError(f"planner '{chosen}' is unavailable here: {exc}") from exc
    return planner


def resolve_planner(planner: Any) -> Any:
    """``planner`` itself, or the planner a name (or None, the default) stands for."""
    if planner is None or isinstance(planner, str):
        return get_planner(planner)
    return planner
