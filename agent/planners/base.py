"""Choosing a planner: words in, a validated recipe (schema v1) out.

Every planner — the embedded ``rules`` planner, the ``openai`` planner for any
OpenAI-compatible endpoint, the optional in-process ``llama-cpp`` planner — has a ``name``
and one method, ``plan(instruction, duration=..., context=...) -> Recipe``. A planner never
returns raw dicts: the recipe is validated by ``tools.recipe``. An instruction that asks for
nothing the tools can do, or that is unsafe or out of range, yields a recipe with no steps
and an ``error`` saying why (a refusal is an answer, not an exception).

:func:`get_planner` picks one by name; with no name, ``openai`` when an endpoint is
configured (``SAMAUDIO_LLM_BASE_URL`` or ``OPENAI_API_KEY``), else ``rules``. The LLM
planners live in their own modules and are imported only when asked for, so planning with
``rules`` stays instant (no LangChain, no torch). The interface itself (``Planner``,
``PlanContext``, ``PlannerError``) lives in :mod:`.contract` and is re-exported here.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import os
from typing import Any

from samaudio_core.errors import SamaudioError

from .contract import PlanContext, Planner, PlannerError
from .rules import RulesPlanner

__all__ = [
    "PLANNER_MODULES",
    "PlanContext",
    "Planner",
    "PlannerError",
    "available_planners",
    "default_planner_name",
    "get_planner",
]

log = logging.getLogger(__name__)

#: planner name -> module (under agent.planners) that defines it
PLANNER_MODULES = {
    "rules": "agent.planners.rules",
    "openai": "agent.planners.openai_planner",
    "llama-cpp": "agent.planners.llama_cpp_planner",
}


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
    # Imported by name on demand: the LLM planners load their prompt templates (and LangChain
    # or llama.cpp on first use), which planning with ``rules`` never needs.
    module = importlib.import_module(PLANNER_MODULES[chosen])
    try:
        # ImportError here is an optional third-party package (openai, langchain, llama_cpp).
        planner = _planner_class(module, chosen)(**options)
    except (ImportError, PlannerError, SamaudioError) as exc:
        if name is None and chosen != "rules":
            log.warning("planner '%s' is unavailable (%s); using the rules planner", chosen, exc)
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
