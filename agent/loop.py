"""The agent loop: instruction -> plan -> tools -> judged result -> reply, with memory.

Two ways to drive the tools, one loop:

* **recipe mode** (the ``rules`` planner, or an LLM planner that answers with a JSON
  recipe): the planner returns a validated recipe; each step runs through the tools'
  checks; a separation the judge scores below the pass mark is refined once with several
  candidates (the judge-gated ladder in ``samaudio_core.refine``), and the better of the two
  attempts is kept.
* **tool mode** (a chat model that calls tools, e.g. ``ChatOpenAI`` or a scripted fake): the
  model sees the tools, calls them, and reads each result as an observation, judge scores
  included; a failed judgment is an observation it must act on. The loop stops at the
  model's final answer or after ``max_steps`` tool calls, keeping the best attempt.

Either way the reply is composed from what actually ran (never from the model's claims):
what was done, the judge's scores, where the output is, and, when the judge still fails,
why and what to try (mark a span where the target is clearly audible). Every instruction,
plan, result, score and stated preference goes into :class:`agent.memory.SessionMemory`.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from samaudio_core.audio import VIDEO_EXTENSIONS, load_audio
from samaudio_core.errors import SamaudioError
from samaudio_core.workspace import Workspace
from tools.lc_tools import (
    DEFAULT_THRESHOLD,
    ToolContext,
    format_scores,
    judge_failed,
    run_checked,
    validated_step,
    weakest_reason,
)
from tools.recipe import Recipe, RecipeError, SeparateStep
from tools.runner import StepReport

from .errors import PlannerUnavailableError
from .memory import SessionMemory, detect_preference, samaudio_home

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


@dataclass
class AgentResult:
    """What one instruction did.

    reply : the answer for the user; ok : every step ran and every separation passed the judge
    recipe : the plan (recipe mode) or the steps the model called (tool mode), as a dict
    steps : the step reports; outputs : exported files; attempts : separations run, refinements included
    """

    instruction: str
    reply: str
    ok: bool
    session: str
    planner: str
    recipe: dict[str, Any] | None = None
    steps: list[StepReport] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    attempts: int = 0
    judge_passed: bool | None = None
    refused: bool = False

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["steps"] = [asdict(s) for s in self.steps]
        return d


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
        self.planner = _resolve_planner(planner)
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
        prefs = self.memory.preferences() if self.memory else None
        preference = detect_preference(instruction)
        if self.memory and preference:
            self.memory.add(preference, kind="preference", session=ws.name)
            from .memory import Preferences

            prefs = Preferences.from_statements([*(prefs.statements if prefs else []), preference])
        tctx = ToolContext(
            ws=ws,
            engine=self.engine,
            judge=self.judge,
            allowed_files=[Path(input_path)] if input_path is not None else [],
            threshold=self.threshold,
            export_format=prefs.export_format if prefs else None,
            progress=self.progress,
        )
        model = _tool_model(self.planner)
        result, note, fallback = None, "", None
        if model is not None:
            try:
                result = self._run_tools(model, ws, instruction, tctx, prefs)
            except _NoToolCalling as exc:
                log.info("tool calling unavailable (%s): asking for a JSON recipe instead", exc)
            except PlannerUnavailableError as exc:
                if tctx.reports:  # edits were made before the endpoint went away: keep them, say so
                    result = AgentResult(instruction, f"({exc}; stopped early.)", False, ws.name, "openai")
                    result.steps = list(tctx.reports)
                else:
                    note, fallback = f"({exc}; used the rules planner instead.) ", _resolve_planner("rules")
        if result is None:
            result = self._run_recipe(ws, instruction, tctx, prefs, fallback)
            result.reply = note + result.reply
        if preference:
            noted = f"Noted: I will remember that ({preference})."
            if not result.steps:  # a pure statement of preference: nothing to do is the right answer
                result.reply, result.refused = noted, False
            else:
                result.reply = f"{noted} {result.reply}".strip()
        self._finish(result, ws, tctx, output)
        self._remember(result, ws)
        return result

    # ----- recipe mode ---------------------------------------------------------------------
    def _run_recipe(
        self, ws: Workspace, instruction: str, tctx: ToolContext, prefs: Any, planner: Any = None
    ) -> AgentResult:
        if planner is None:  # a bare chat model cannot write recipes: rules plans instead
            planner = self.planner if hasattr(self.planner, "plan") else _resolve_planner("rules")
        note = ""
        try:
            recipe = planner.plan(
                instruction, duration=ws.duration, context=self._context(ws, instruction, prefs)
            )
        except PlannerUnavailableError as exc:
            note = f"({exc}; used the rules planner instead.) "
            planner = _resolve_planner("rules")
            recipe = planner.plan(
                instruction, duration=ws.duration, context=self._context(ws, instruction, prefs)
            )
        result = AgentResult(
            instruction, "", False, ws.name, getattr(planner, "name", "?"), recipe=_recipe_dict(recipe)
        )
        if not recipe.steps:
            target = question_target(instruction)
            if target:  # "when does the dog bark?": not an edit, but the tools can answer it
                from tools.lc_tools import tool_functions

                result.reply = note + tool_functions(tctx)["find_spans"](target=target)
                return result
            result.reply = note + (
                recipe.error or recipe.reply or "I found nothing to do in that instruction."
            )
            result.refused = bool(recipe.error)
            return result
        try:
            recipe.check_against(ws.duration)
        except RecipeError as exc:
            result.reply, result.refused = f"{note}Nothing was changed: {exc}", True
            return result
        self.last_recipe = recipe
        for step in recipe.steps:
            report = run_checked(step, tctx)
            if isinstance(step, SeparateStep) and report.ok:
                result.attempts += 1
                if judge_failed(report, self.threshold) and not step.candidates:
                    report = self._refine(step, report, tctx, result)
            if not report.ok:
                break
        result.steps = list(tctx.reports)
        result.reply = note
        return result

    def _refine(
        self, step: SeparateStep, first: StepReport, tctx: ToolContext, result: AgentResult
    ) -> StepReport:
        """Retry a separation that failed the judge with several candidates; keep the better."""
        ws = tctx.ws
        first_version = ws.current
        ws.undo()
        second = run_checked(step.model_copy(update={"candidates": self.refine_candidates}), tctx)
        if second.ok:
            result.attempts += 1
        better = second.ok and (second.scores or {}).get("overall", 0) >= (first.scores or {}).get(
            "overall", 0
        )
        if better:
            tctx.reports.remove(first)
            second.info["refined_from"] = first.scores
            return second
        if second.ok:
            ws.undo()
        # Keep the first attempt: commit its audio again (versions are never edited in place).
        v = ws.commit(
            load_audio(ws.path_of(first_version)),
            first_version.step or {},
            first_version.scores,
            first_version.info,
        )
        first.version = v.id
        tctx.reports.remove(second)
        if second.ok:
            first.info["refine_tried"] = second.scores
        else:
            first.info["refine_failed"] = second.message
        return first

    def _context(self, ws: Workspace, instruction: str, prefs: Any) -> Any:
        from .planners.base import PlanContext

        memories: list[str] = []
        # Only LLM planners read recalled memories; the rules planner would ignore them, and
        # recall costs an embedding-model load.
        if self.memory and getattr(self.planner, "name", "rules") != "rules":
            memories = [it.snippet() for it in self.memory.recall(instruction, k=5)]
        last = self.last_recipe or self._last_recipe_from_memory(ws)
        return PlanContext(
            preferences=_preference_dict(prefs),
            memories=memories,
            input_is_video=Path(ws.original.path).suffix.lower() in VIDEO_EXTENSIONS,
            last_recipe=last,
        )

    def _last_recipe_from_memory(self, ws: Workspace) -> Recipe | None:
        if not self.memory:
            return None
        plans = self.memory.entries(kind="plan", session=ws.name)
        for item in reversed(plans):
            try:
                recipe = Recipe.model_validate_json(item.text)
            except ValueError:
                continue
            if recipe.steps:
                return recipe
        return None

    # ----- tool mode -----------------------------------------------------------------------
    def _run_tools(
        self, model: Any, ws: Workspace, instruction: str, tctx: ToolContext, prefs: Any
    ) -> AgentResult:
        from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage

        from tools.lc_tools import build_tools, call_tool

        from .prompting import render, tool_guidance

        tools = {t.name: t for t in build_tools(tctx)}
        try:
            bound = model.bind_tools(list(tools.values()))
        except NotImplementedError:  # e.g. scripted fake models: they emit tool calls anyway
            bound = model
        memories = []
        if self.memory:
            memories = [it.snippet() for it in self.memory.recall(instruction, k=5)]
        system = render(
            "system", "agent", input_name=Path(ws.original.path).name, duration=ws.duration,
            input_is_video=Path(ws.original.path).suffix.lower() in VIDEO_EXTENSIONS,
            preferences=prefs.statements if prefs else [], memory=memories, threshold=self.threshold,
            max_steps=self.max_steps, tool_guidance=tool_guidance(),
        )  # fmt: skip
        messages: list[Any] = [SystemMessage(system), HumanMessage(instruction)]
        result = AgentResult(
            instruction, "", False, ws.name, getattr(self.planner, "name", None) or type(model).__name__
        )
        calls_made: list[dict[str, Any]] = []
        final = None
        steps = 0
        while steps < self.max_steps:
            ai = _invoke(bound, messages)
            messages.append(ai)
            calls = list(getattr(ai, "tool_calls", []) or [])
            bad = list(getattr(ai, "invalid_tool_calls", []) or [])
            if not calls and not bad:
                final = _text(ai.content)
                break
            for call in bad:  # arguments that were not even JSON
                steps += 1
                obs = (
                    f"error: the call to {call.get('name') or '?'} could not be read ({call.get('error') or 'bad JSON'}): "
                    f"arguments must be a JSON object. Valid tools: {', '.join(tools)}."
                )
                messages.append(ToolMessage(obs, tool_call_id=call.get("id") or f"bad-{steps}"))
            for call in calls:
                steps += 1
                n_before = len(tctx.reports)
                obs = call_tool(tools, call["name"], call.get("args"))
                if len(tctx.reports) > n_before:
                    calls_made.append({"op": call["name"], **(call.get("args") or {})})
                    if call["name"] == "separate" and tctx.reports[-1].ok:
                        result.attempts += 1
                messages.append(ToolMessage(obs, tool_call_id=call.get("id") or f"call-{steps}"))
                if steps >= self.max_steps:
                    break
        result.steps = list(tctx.reports)
        result.recipe = {"version": 1, "steps": calls_made}
        if final is None:
            result.reply = f"I stopped after {self.max_steps} tool calls without a final answer."
        else:
            result.reply = final
            if not tctx.reports:
                result.refused = True
        return result

    # ----- finishing -----------------------------------------------------------------------
    def _finish(self, result: AgentResult, ws: Workspace, tctx: ToolContext, output: Any) -> None:
        """Export the result when it changed and nobody exported it; compose the reply."""
        reports = result.steps
        edited = any(r.ok and r.op != "export" for r in reports)
        exported = [r.output for r in reports if r.ok and r.output]
        all_ok = all(r.ok for r in reports)
        if reports and all_ok and (output is not None or (edited and not exported)):
            fmt = (
                Path(output).suffix.lstrip(".").lower()
                if output is not None
                else (tctx.export_format or "wav")
            )
            data = {"op": "export", "format": fmt}
            same_dir = output is not None and Path(output).resolve().parent == ws.out_dir.resolve()
            if same_dir:
                data["path"] = Path(output).name
            try:
                report = run_checked(validated_step(data, tctx), tctx)
                if output is not None and not same_dir and report.ok:
                    # A resumed session exports into its own folder; the user's -o gets a copy.
                    report.output = str(_copy_to(Path(report.output), Path(output)))
            except SamaudioError as exc:
                report = StepReport(len(reports) + 1, "export", f"export({fmt})", ok=False, message=str(exc))
                tctx.reports.append(report)
            result.steps = reports = list(tctx.reports)
        result.outputs = [r.output for r in reports if r.ok and r.output]
        separations = [r for r in reports if r.op == "separate" and r.ok and r.scores]
        if separations:
            result.judge_passed = all(not judge_failed(r, self.threshold) for r in separations)
        result.ok = bool(reports) and all(r.ok for r in reports) and result.judge_passed is not False
        if reports:
            summary = _summarise(reports, result, ws, self.threshold, self.refine_candidates)
            result.reply = (result.reply.strip() + "\n" + summary).strip() if result.reply else summary

    def _remember(self, result: AgentResult, ws: Workspace) -> None:
        if not self.memory:
            return
        try:
            m, s = self.memory, ws.name
            m.add(result.instruction, kind="instruction", session=s, planner=result.planner)
            if result.recipe is not None:
                m.add(json.dumps(result.recipe), kind="plan", session=s)
            for r in result.steps:
                if r.op == "separate" and r.scores:
                    m.add(f"{r.description}: {format_scores(r.scores)}", kind="score", session=s, **r.scores)
            if result.reply:
                m.add(result.reply, kind="result", session=s, ok=result.ok)
        except Exception as exc:  # memory is a convenience: never lose an edit over it
            log.warning("could not write session memory: %s", exc)


# ----- helpers ---------------------------------------------------------------------------------
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


class _NoToolCalling(Exception):
    """The chat endpoint does not do tool calling; the loop asks for a JSON recipe instead."""


def _invoke(model: Any, messages: list[Any]) -> Any:
    try:
        return model.invoke(messages)
    except StopIteration:  # a scripted model ran out of turns
        from langchain_core.messages import AIMessage

        return AIMessage("(the model gave no further answer)")
    except Exception as exc:
        from .planners.openai_planner import classify_llm_error

        kind, message = classify_llm_error(exc)
        if kind == "no_tools":
            raise _NoToolCalling(message) from None
        if kind == "unreachable":
            raise PlannerUnavailableError(message) from None
        raise


def _copy_to(src: Path, dest: Path) -> Path:
    """Copy an export to the path the user named (never over an existing file)."""
    import shutil

    from samaudio_core.workspace import unique_path

    dest = unique_path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dest)
    return dest


def _text(content: Any) -> str:
    if isinstance(content, list):
        return " ".join(c.get("text", "") if isinstance(c, dict) else str(c) for c in content).strip()
    return str(content or "").strip()


def _resolve_planner(planner: Any) -> Any:
    if planner is None or isinstance(planner, str):
        from .planners.base import get_planner

        return get_planner(planner)
    return planner


def _tool_model(planner: Any) -> Any:
    """The tool-calling chat model behind ``planner``, or None for recipe-only planners."""
    if hasattr(planner, "bind_tools") and hasattr(planner, "invoke"):
        return planner
    getter = getattr(planner, "tool_model", None)
    return getter() if callable(getter) else None


def _recipe_dict(recipe: Recipe) -> dict[str, Any]:
    return json.loads(recipe.to_json())


def _preference_dict(prefs: Any) -> dict[str, Any]:
    if prefs is None:
        return {}
    d: dict[str, Any] = {}
    if prefs.export_format:
        d["export_format"] = prefs.export_format
    if prefs.gentle_removal:
        d["removal"] = "gentle"
    if getattr(prefs, "lufs", None) is not None:
        d["lufs"] = prefs.lufs
    return d


def _phrase(r: StepReport, ws: Workspace) -> str:
    """A readable line for one step."""
    step = _step_of(r, ws)
    if r.op == "separate" and step:
        target = step.get("target") or "the marked sound"
        action = step.get("action", "isolate")
        what = {"remove": f"Removed the {target}", "isolate": f"Isolated the {target}"}.get(
            action, f"Changed the {target} by {step.get('db', 0):+g} dB"
        )
        if step.get("range"):
            what += " in " + ", ".join(f"{a:g}-{b:g} s" for a, b in step["range"])
        return what
    if r.op == "export":
        return f"Exported {r.output}"
    if r.op in ("undo", "reset"):
        return r.message[:1].upper() + r.message[1:]
    step = step or {}
    if r.op == "gain":
        where = " in " + ", ".join(f"{a:g}-{b:g} s" for a, b in step["range"]) if step.get("range") else ""
        return f"Changed the level by {step.get('db', 0):+g} dB{where}"
    if r.op == "fade":
        return f"Faded {step.get('direction', '')} over {step.get('seconds', 0):g} s"
    if r.op == "trim":
        end = f"{step['end']:g} s" if step.get("end") is not None else "the end"
        return f"Trimmed to {step.get('start', 0):g} s - {end}"
    if r.op == "normalize":
        return f"Normalized to {step.get('lufs', -14):g} LUFS"
    return f"Applied {r.description}"


def _step_of(r: StepReport, ws: Workspace) -> dict[str, Any] | None:
    if r.version is None:
        return None
    try:
        return ws.versions[r.version].step
    except IndexError:
        return None


def _clock(t: float) -> str:
    return f"{int(t // 60)}:{t % 60:04.1f}".replace(".0", "")


def _span_hint(ws: Workspace, step: dict[str, Any], target: str) -> str:
    """Suggest marking a span where the target is clear; name one when the detector finds it."""
    action = step.get("action", "isolate")
    if step.get("spans"):
        return f"Try marking a different span where the {target} is alone and clearly audible."
    found = []
    try:
        from samaudio_core.spans import find_spans

        found = find_spans(ws.path_of(ws.original), target)
    except Exception as exc:  # only a hint: the detector may be missing or fail
        log.info("span hint unavailable: %s", exc)
    if found:
        a, b = max(found, key=lambda s: s[1] - s[0])
        example = f"the {target} at {_clock(a)}-{_clock(b)}"
        where = f"The {target} seems clearest around {_clock(a)}-{_clock(b)}. "
    else:
        a = min(1.0, ws.duration / 4)
        example, where = f"the {target} at {_clock(a)}-{_clock(min(ws.duration, a + 2))}", ""
    verb = {"remove": "remove it", "isolate": "keep only it", "gain": "change it"}.get(action, "separate it")
    return (
        f"{where}Mark a span where the {target} is clearly audible and alone "
        f'(e.g. "{example}, {verb} everywhere") and I will use it as a fingerprint.'
    )


def _summarise(
    reports: list[StepReport], result: AgentResult, ws: Workspace, threshold: float, k: int
) -> str:
    lines = []
    outputs = [r.output for r in reports if r.ok and r.output]
    for r in reports:
        if not r.ok:
            lines.append(f"Step {r.index} ({r.description}) failed: {r.message}. Later steps were not run.")
            continue
        if r.op == "export" and outputs and r.output == outputs[-1]:
            continue  # said once, as "Output:", below
        line = _phrase(r, ws)
        if r.op == "separate":
            line += f": {format_scores(r.scores)}"
            if r.scores:
                tried = (
                    " after trying several candidates"
                    if r.info.get("refined_from") or r.info.get("refine_tried")
                    else ""
                )
                if judge_failed(r, threshold):
                    step = _step_of(r, ws) or {}
                    target = step.get("target") or "target"
                    line += (
                        f", below the pass mark {threshold:.1f}{tried}. {weakest_reason(r.scores, target)}"
                    )
                    line += " The result is kept, but it may not be what you want. " + _span_hint(
                        ws, step, target
                    )
                else:
                    line += f", passes{tried}"
        lines.append(line + ("" if line.endswith(".") else "."))
    if outputs:
        lines.append(f"Output: {outputs[-1]}")
    elif not any(r.ok for r in reports):
        lines.append("Nothing was changed.")
    return "\n".join(lines)


__all__ = ["Agent", "AgentResult"]
