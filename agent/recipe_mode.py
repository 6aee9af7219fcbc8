"""Recipe mode: the planner writes a whole recipe; each step runs through the tools' checks.

Used with the ``rules`` planner, an LLM planner that answers with a JSON recipe, or as the
fallback when a chat endpoint does not do tool calling. A separation the judge scores below
the pass mark is handed to refinement (:mod:`agent.refinement`), its result as the ladder's
first rung. A plan with no steps is answered: a "when does X happen?" question with the
times the span detector finds, anything else with the planner's error or reply.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from samaudio_core.audio import VIDEO_EXTENSIONS
from samaudio_core.workspace import Workspace
from tools.lc_tools import ToolContext, judge_failed, tool_functions
from tools.recipe import Recipe, RecipeError, SeparateStep

from .errors import PlannerUnavailableError
from .planners.base import PlanContext, resolve_planner
from .preferences import Preferences
from .refinement import refine_failed
from .result import AgentResult


def run_recipe(
    agent: Any,
    ws: Workspace,
    instruction: str,
    tctx: ToolContext,
    prefs: Preferences | None,
    planner: Any = None,
) -> AgentResult:
    """Plan ``instruction`` with ``planner`` (default: the agent's) and run the recipe's steps."""
    if planner is None:  # a bare chat model cannot write recipes: rules plans instead
        planner = agent.planner if hasattr(agent.planner, "plan") else resolve_planner("rules")
    note = ""
    try:
        recipe = planner.plan(
            instruction, duration=ws.duration, context=plan_context(agent, ws, instruction, prefs)
        )
    except PlannerUnavailableError as exc:
        note = f"({exc}; used the rules planner instead.) "
        planner = resolve_planner("rules")
        recipe = planner.plan(
            instruction, duration=ws.duration, context=plan_context(agent, ws, instruction, prefs)
        )
    result = AgentResult(
        instruction, note, False, ws.name, getattr(planner, "name", "?"), recipe=json.loads(recipe.to_json())
    )
    if not recipe.steps:
        target = question_target(instruction)
        if target:  # "when does the dog bark?": not an edit, but the tools can answer it
            result.reply = note + tool_functions(tctx)["find_spans"](target=target)
            return result
        result.reply = note + (recipe.error or recipe.reply or "I found nothing to do in that instruction.")
        result.refused = bool(recipe.error)
        return result
    try:
        recipe.check_against(ws.duration)
    except RecipeError as exc:
        result.reply, result.refused = f"{note}Nothing was changed: {exc}", True
        return result
    agent.last_recipe = recipe
    for step in recipe.steps:
        report = tctx.run(step)
        if isinstance(step, SeparateStep) and judge_failed(report, tctx.threshold) and not step.candidates:
            report = refine_failed(step, report, tctx, agent.refine_candidates)
        if not report.ok:
            break
    return result


def plan_context(agent: Any, ws: Workspace, instruction: str, prefs: Preferences | None) -> PlanContext:
    """What the planner knows besides the instruction: preferences, memories, the last recipe."""
    memories: list[str] = []
    # Only LLM planners read recalled memories; the rules planner would ignore them, and
    # recall costs an embedding-model load.
    if agent.memory and getattr(agent.planner, "name", "rules") != "rules":
        memories = [it.snippet() for it in agent.memory.recall(instruction, k=5)]
    return PlanContext(
        preferences=prefs.to_context() if prefs else {},
        memories=memories,
        input_is_video=Path(ws.original.path).suffix.lower() in VIDEO_EXTENSIONS,
        last_recipe=agent.last_recipe or _last_recipe_from_memory(agent.memory, ws),
    )


def _last_recipe_from_memory(memory: Any, ws: Workspace) -> Recipe | None:
    if not memory:
        return None
    for item in reversed(memory.entries(kind="plan", session=ws.name)):
        try:
            recipe = Recipe.model_validate_json(item.text)
        except ValueError:
            continue
        if recipe.steps:
            return recipe
    return None


_WHEN = re.compile(
    r"^\s*(?:when|at what times?|where(?: in the (?:clip|recording|audio))?)\s+"
    r"(?:(?:does|do|is|are|can (?:i|you|we) hear|will|did)\s+)?(?:the|a|an|that|this)?\s*(?P<what>[^?]+?)\s*\??\s*$",
    re.IGNORECASE,
)
_VAGUE_TAIL = re.compile(
    r"\s+(?:start|starts|happen|happens|occur|occurs|come in|comes in|appear|appears|audible|heard|play|plays|"
    r"begin|begins|there|in (?:the|this) (?:clip|recording|audio))$",
    re.IGNORECASE,
)


def question_target(instruction: str) -> str | None:
    """The sound a "when does X happen?" question is about, or None for anything else."""
    m = _WHEN.match(instruction)
    if not m:
        return None
    what = m.group("what").strip()
    while True:
        shorter = _VAGUE_TAIL.sub("", what)
        if shorter == what:
            break
        what = shorter
    return what or None


__all__ = ["plan_context", "question_target", "run_recipe"]
