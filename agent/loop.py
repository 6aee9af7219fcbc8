"""The agent loop: instruction -> plan -> tools -> judged result -> reply, with memory.

:meth:`Agent.run` drives the tools one of two ways:

* **tool mode** (a chat model that calls tools, e.g. ``ChatOpenAI`` or a scripted fake),
  :meth:`Agent.tool_loop`: while ``step < max_steps``, call the model, run its tool calls,
  record them, and hand each result back as an observation, judge scores included; a
  failed judgment is an observation the model must act on. The loop ends at the model's
  final answer; at the limit the best attempt so far is kept, flagged failed.
* **recipe mode** (the ``rules`` planner, an LLM planner that answers with a JSON recipe,
  or a chat endpoint without tool calling): :func:`agent.recipe_mode.run_recipe`, with a
  separation the judge fails handed to :mod:`agent.refinement`.

Either way :func:`agent.reply.finish` composes the reply from what actually ran, and every
instruction, plan, result, score and stated preference (:mod:`agent.preferences`) goes
into :class:`agent.memory.SessionMemory`.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from samaudio_core.errors import SamaudioError
from samaudio_core.workspace import Workspace
from tools.lc_tools import DEFAULT_THRESHOLD, ToolContext
from tools.recipe import Recipe

from .chat import NoToolCalling, bind_tools, invoke, opening, run_call, text_of, tool_model, unreadable
from .errors import PlannerUnavailableError
from .home import samaudio_home
from .memory import SessionMemory
from .planners.base import resolve_planner
from .preferences import detect_preference
from .recipe_mode import run_recipe
from .recipes import RecipeStoreError, save_request, save_session
from .reply import finish
from .result import AgentResult

log = logging.getLogger(__name__)

#: Candidates tried when a separation fails the judge (the refine ladder's budget).
REFINE_CANDIDATES = 4
#: Tool calls one instruction may make in tool mode before the loop stops it.
MAX_STEPS = 8


def pass_threshold() -> float:
    """The judge's pass mark: ``$SAMAUDIO_JUDGE_THRESHOLD`` or :data:`DEFAULT_THRESHOLD`."""
    try:
        return float(os.environ.get("SAMAUDIO_JUDGE_THRESHOLD", DEFAULT_THRESHOLD))
    except ValueError:
        return DEFAULT_THRESHOLD


class Agent:
    """Edits recordings from instructions.

    Parameters
    ----------
    workspace : a ``Workspace`` to keep editing (chat), or a folder for the outputs (sessions
        go under ``<folder>/.sessions``), or None (sessions under ``$SAMAUDIO_HOME/sessions``,
        outputs in each session's ``out/``)
    planner : a planner name ("rules", "openai", "llama-cpp"), a planner object, or a LangChain
        chat model that calls tools; None picks the default (``agent.planners.base``)
    engine : separation engine name or object; judge : score separations
    memory : a ``SessionMemory``, None for the default one, or False for none
    session : session name for new workspaces (letters, digits, ``._-``)
    """

    def __init__(
        self,
        workspace: Workspace | str | os.PathLike | None = None,
        *,
        planner: Any = None,
        engine: Any = "auto",
        judge: bool = True,
        memory: SessionMemory | bool | None = None,
        session: str | None = None,
        threshold: float | None = None,
        max_steps: int = MAX_STEPS,
        refine_candidates: int = REFINE_CANDIDATES,
        progress: bool = False,
    ) -> None:
        self.ws = workspace if isinstance(workspace, Workspace) else None
        self.out_dir = Path(workspace) if workspace is not None and self.ws is None else None
        self.planner = resolve_planner(planner)
        self.engine = engine
        self.judge = judge
        self.memory = SessionMemory() if memory is None or memory is True else (memory or None)
        self.session = session
        self.threshold = pass_threshold() if threshold is None else threshold
        self.max_steps = max_steps
        self.refine_candidates = refine_candidates
        self.progress = progress
        self.last_recipe: Recipe | None = None

    # ----- sessions ------------------------------------------------------------------------
    def open(self, input_path: str | os.PathLike, output: str | os.PathLike | None = None) -> Workspace:
        """A new workspace on ``input_path`` (exports go next to ``output`` when given)."""
        out_dir = Path(output).parent if output is not None else self.out_dir
        root = (self.out_dir / ".sessions") if self.out_dir is not None else samaudio_home() / "sessions"
        return Workspace.create(root, input_path, name=self.session, out_dir=out_dir)

    # ----- one instruction -----------------------------------------------------------------
    def run(
        self,
        input_path: str | os.PathLike | None,
        instruction: str,
        *,
        output: str | os.PathLike | None = None,
    ) -> AgentResult:
        """Carry out ``instruction`` on ``input_path`` (or on the bound workspace when None).

        ``output``: a file to write the final version to (its suffix picks the format);
        without it an edited result is exported into the output folder in the preferred format.
        """
        if input_path is not None:
            ws = self.open(input_path, output)
        elif self.ws is not None:
            ws = self.ws
        else:
            raise SamaudioError("Agent.run needs an input file (or an Agent bound to a workspace)")
        instruction = " ".join(str(instruction).split())
        recipe_name = save_request(instruction)
        if recipe_name is not None:  # "save this as a recipe NAME": about the session, not an edit
            return self.save_recipe(ws, instruction, recipe_name)
        prefs = self.memory.preferences() if self.memory else None
        preference = detect_preference(instruction)
        if self.memory and preference:
            self.memory.add(preference, kind="preference", session=ws.name)
            prefs = prefs.with_statement(preference)
        tctx = ToolContext(
            ws=ws,
            engine=self.engine,
            judge=self.judge,
            allowed_files=[Path(input_path)] if input_path is not None else [],
            threshold=self.threshold,
            export_format=prefs.export_format if prefs else None,
            progress=self.progress,
        )
        model = tool_model(self.planner)
        result, note, fallback = None, "", None
        if model is not None:
            try:
                result = self.tool_loop(model, ws, instruction, tctx, prefs)
            except NoToolCalling as exc:
                log.info("tool calling unavailable (%s): asking for a JSON recipe instead", exc)
            except PlannerUnavailableError as exc:
                if tctx.reports:  # edits were made before the endpoint went away: keep them, say so
                    result = AgentResult(instruction, f"({exc}; stopped early.)", False, ws.name, "openai")
                else:
                    note, fallback = f"({exc}; used the rules planner instead.) ", resolve_planner("rules")
        if result is None:
            result = run_recipe(self, ws, instruction, tctx, prefs, fallback)
            result.reply = note + result.reply
        if preference:
            noted = f"Noted: I will remember that ({preference})."
            if not tctx.reports:  # a pure statement of preference: nothing to do is the right answer
                result.reply, result.refused = noted, False
            else:
                result.reply = f"{noted} {result.reply}".strip()
        finish(result, ws, tctx, output, self.threshold)
        if self.memory:
            self.memory.add_result(result, ws.name)
        return result

    def save_recipe(self, ws: Workspace, instruction: str, name: str) -> AgentResult:
        """Save the session's effective steps as the recipe ``name`` (:mod:`agent.recipes`)."""
        result = AgentResult(instruction, "", True, ws.name, "recipes")
        try:
            result.reply = save_session(ws, name)
            result.ok = result.reply.startswith(("Saved", "Replaced"))
        except RecipeStoreError as exc:
            result.reply, result.ok, result.refused = f"Nothing was saved: {exc}", False, True
        if self.memory:
            self.memory.add_result(result, ws.name)
        return result

    # ----- the loop (tool mode) -------------------------------------------------------------
    def tool_loop(
        self, model: Any, ws: Workspace, instruction: str, tctx: ToolContext, prefs: Any
    ) -> AgentResult:
        """Call the model, run its tool calls, hand the observations back, until it answers."""
        bound, tools = bind_tools(model, tctx)
        memories = [it.snippet() for it in self.memory.recall(instruction, k=5)] if self.memory else []
        messages = opening(ws, instruction, prefs, memories, self.threshold, self.max_steps)
        name = getattr(self.planner, "name", None) or type(model).__name__
        result = AgentResult(instruction, "", False, ws.name, name, recipe={"version": 1, "steps": []})
        final, step = None, 0
        while step < self.max_steps:
            ai = invoke(bound, messages)
            messages.append(ai)
            calls = list(getattr(ai, "tool_calls", []) or [])
            bad = list(getattr(ai, "invalid_tool_calls", []) or [])
            if not calls and not bad:
                final = text_of(ai.content)
                break
            for call in bad:  # arguments that were not even JSON
                step += 1
                messages.append(unreadable(call, tools, step))
            for call in calls:
                step += 1
                ran = len(tctx.reports)
                # The observation carries the judge's verdict: a failure is the model's to act on.
                messages.append(run_call(tools, call, step))
                if len(tctx.reports) > ran:  # the call ran a step: record it in the recipe
                    result.recipe["steps"].append({"op": call["name"], **(call.get("args") or {})})
                if step >= self.max_steps:
                    break
        if final is None:  # at the limit: keep the best attempt so far, flagged failed
            result.limit_reached = True
            result.reply = f"I stopped after {self.max_steps} tool calls without a final answer."
        else:
            result.reply, result.refused = final, not tctx.reports
        return result


__all__ = ["MAX_STEPS", "REFINE_CANDIDATES", "Agent", "AgentResult", "pass_threshold"]
