"""Every recipe op as a typed LangChain tool over one workspace, plus ``find_spans`` and ``describe``.

An LLM never touches audio data: every tool acts on the workspace's current version and
answers in words (what changed, the new version, the judge's scores, where an export
went). Arguments go through the same validation as a recipe step (``tools.recipe.parse_step``
and ``Recipe.check_against``), then through :func:`check_file_access`, so a planner cannot
read files other than the inputs and the session, nor write outside the output folder.
A mistake by the model (a bad value, a time past the end, an unknown choice) comes back as
observation text that names the valid choices; it is never raised out of the agent loop.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field, ValidationError, create_model

from prompts import render
from samaudio_core import mixing
from samaudio_core.audio import Audio
from samaudio_core.engines.base import SeparationResult
from samaudio_core.errors import SamaudioError
from samaudio_core.spans import find_spans, frame_activity

from .recipe import (
    EXPORT_FORMATS,
    OPS,
    ExportStep,
    FadeStep,
    GainStep,
    MaskSpec,
    NormalizeStep,
    Recipe,
    RecipeError,
    ResetStep,
    SeparateStep,
    TrimStep,
    UndoStep,
    parse_step,
)
from .runner import StepReport, run_step

log = logging.getLogger(__name__)

#: Judge overall score (1..5) a separation needs to pass; SAMAUDIO_JUDGE_THRESHOLD overrides.
DEFAULT_THRESHOLD = 3.0

Interval = tuple[float, float]


@dataclass
class ToolContext:
    """What the tools act on, and what they did.

    ws : the session's Workspace (current version in, new versions out)
    engine : separation engine name or object; judge : score separations
    allowed_files : files besides the session that tools may read (the user's inputs)
    threshold : judge overall score that passes
    export_format : default format of an export that names none (a stated preference)

    Tools and the agent loop record what ran through the methods (:meth:`run`,
    :meth:`record`, :meth:`replace`, :meth:`add_output`); :attr:`reports`, :attr:`outputs`
    and :attr:`attempts` read it back.
    """

    ws: Any
    engine: Any = "auto"
    judge: bool = True
    allowed_files: list[Path] = field(default_factory=list)
    threshold: float = DEFAULT_THRESHOLD
    export_format: str | None = None
    progress: bool = False
    _reports: list[StepReport] = field(default_factory=list, init=False, repr=False)
    _outputs: list[str] = field(default_factory=list, init=False, repr=False)
    #: The engine's result of the latest separation (what refinement starts from).
    last_separation: SeparationResult | None = field(default=None, init=False, repr=False)

    @property
    def reports(self) -> list[StepReport]:
        """Every step that ran, in order (a copy)."""
        return list(self._reports)

    @property
    def outputs(self) -> list[str]:
        """Files written for the user, in order."""
        return list(self._outputs)

    @property
    def attempts(self) -> int:
        """Separations computed for the kept steps, refinement rungs included."""
        n = 0
        for r in self._reports:
            if r.op == "separate" and r.ok:
                rungs = r.info.get("attempts")
                n += len(rungs) if isinstance(rungs, list) and rungs else 1
        return n

    def run(self, step: Any, *, first: SeparationResult | None = None, record: bool = True) -> StepReport:
        """Run one validated step; a refused or failing step becomes a report with ok=False.

        ``first``: for a separate step with candidates, the ladder's first rung, already
        computed. ``record=False`` leaves recording to the caller (see :meth:`replace`).
        """
        try:
            check_file_access(step, self)
            report = run_step(
                step, self.ws, engine=self.engine, judge=self.judge, progress=self.progress,
                first=first, on_result=self._keep_separation,
            )  # fmt: skip
        except SamaudioError as exc:
            report = StepReport(0, step.op, step.describe(), ok=False, message=str(exc))
        return self.record(report) if record else report

    def record(self, report: StepReport) -> StepReport:
        """Append ``report`` (numbered in order); an export's file becomes an output."""
        report.index = len(self._reports) + 1
        self._reports.append(report)
        if report.ok and report.output:
            self.add_output(report.output)
        return report

    def replace(self, old: StepReport, new: StepReport) -> StepReport:
        """``new`` takes the place (and number) of the recorded ``old``."""
        i = self._reports.index(old)
        new.index = old.index
        self._reports[i] = new
        return new

    def add_output(self, path: str | Path, *, replacing: str | None = None) -> None:
        """Record a file written for the user; ``replacing``: an output it stands in for."""
        if replacing in self._outputs:
            self._outputs.remove(replacing)
        self._outputs.append(str(path))

    def _keep_separation(self, result: SeparationResult) -> None:
        self.last_separation = result


class ToolInputError(SamaudioError):
    """Tool arguments that are refused (e.g. a file outside the session)."""


# ----- validation and safety ---------------------------------------------------------------
def check_file_access(step: Any, ctx: ToolContext) -> None:
    """Refuse a step that would read a file other than the inputs or the session's own files."""
    mask = getattr(step, "mask", None)
    if mask is None:
        return
    allowed = {p.resolve() for p in ctx.allowed_files}
    allowed.add(ctx.ws.path_of(ctx.ws.original).resolve())
    session = Path(ctx.ws.folder).resolve()
    for what in ("video", "image"):
        value = getattr(mask, what)
        if not value:
            continue
        p = Path(value)
        p = (p if p.is_absolute() else session / p).resolve()
        if p not in allowed and session not in p.parents:
            raise ToolInputError(
                f"refusing to read mask {what} '{value}': only the input files and the session are readable"
            )


def validated_step(data: dict[str, Any], ctx: ToolContext) -> Any:
    """A step dict validated like a recipe step, checked against the audio and for file access."""
    step = parse_step(data)
    Recipe(steps=[step]).check_against(ctx.ws.duration)
    check_file_access(step, ctx)
    return step


# ----- observations ------------------------------------------------------------------------
def format_scores(scores: dict[str, float] | None) -> str:
    if not scores:
        return "not judged"
    parts = [f"{k} {scores[k]:.2f}" for k in ("recall", "precision", "faithfulness") if k in scores]
    return f"judge overall {scores.get('overall', float('nan')):.2f}/5 ({', '.join(parts)})"


def judge_failed(report: StepReport, threshold: float) -> bool:
    return bool(
        report.ok
        and report.op == "separate"
        and report.scores
        and report.scores.get("overall", 5) < threshold
    )


def weakest_reason(scores: dict[str, float], target: str | None) -> str:
    """One sentence on why a separation failed, from its lowest sub-score."""
    what = f"the {target}" if target else "the target"
    sub = {k: scores[k] for k in ("recall", "precision", "faithfulness") if k in scores}
    if not sub:
        return "The judge gave no details."
    worst = min(sub, key=sub.get)
    return {
        "recall": f"Much of {what} did not make it into the separated sound (low recall).",
        "precision": f"Other sounds still leak into the separated {target or 'target'} (low precision).",
        "faithfulness": f"The separated {target or 'target'} sounds distorted (low faithfulness).",
    }[worst]


def observation(report: StepReport, ctx: ToolContext, step: Any | None = None) -> str:
    """The text an LLM sees after a step."""
    if not report.ok:
        return f"error: {report.description} failed: {report.message}. Nothing was changed."
    text = f"{report.description}: {report.message}"
    if report.output:
        text = f"{report.description}: exported to {report.output}"
    if report.op == "separate":
        text += f"; {format_scores(report.scores)}"
        if judge_failed(report, ctx.threshold):
            target = getattr(step, "target", None) or "target"
            text += "\n" + render(
                "system", "judge_feedback", threshold=ctx.threshold, scores=report.scores,
                reason=weakest_reason(report.scores, target), target=target,
            )  # fmt: skip
        elif report.scores:
            text += f"; passes (>= {ctx.threshold:.1f})"
    return text


def validation_message(name: str, exc: ValidationError | Exception) -> str:
    """Turn a pydantic error on tool arguments into one line that names the valid choices."""
    if isinstance(exc, ValidationError):
        parts = []
        for err in exc.errors():
            loc = ".".join(str(x) for x in err.get("loc", ())) or "arguments"
            parts.append(f"{loc}: {err['msg']}")
        detail = "; ".join(parts)
    else:
        detail = str(exc)
    return f"error: invalid arguments for {name}: {detail}. Nothing was changed; call {name} again with valid arguments."


# ----- argument schemas ----------------------------------------------------------------------
def args_schema(
    step: type[BaseModel], *, drop: tuple[str, ...] = (), extra: dict[str, Any] | None = None
) -> type[BaseModel]:
    """A tool's argument schema derived from a recipe step model.

    The step's fields (less ``op`` and ``drop``) keep their types, defaults, bounds and
    descriptions, so a change in :mod:`tools.recipe` changes the tool. The step's validators
    are not copied: the tool validates its arguments as a step (:func:`validated_step`), whose
    messages name the step. ``extra``: tool-only fields, as ``name=(annotation, FieldInfo)``.
    """
    fields: dict[str, Any] = {
        name: (info.annotation, copy.copy(info))
        for name, info in step.model_fields.items()
        if name != "op" and name not in drop
    }
    fields.update(extra or {})
    name = step.__name__.removesuffix("Step") + "Args"
    return create_model(name, __doc__=f"Arguments of the {name[:-4].lower()} tool.", **fields)


def _mask_field(name: str) -> tuple[Any, Any]:
    info = MaskSpec.model_fields[name]
    return info.annotation, copy.copy(info)


#: The tool acts on the input video: the model gives the region only (no video or image path).
SeparateArgs = args_schema(
    SeparateStep, drop=("mask",), extra={"box": _mask_field("box"), "points": _mask_field("points")}
)
GainArgs = args_schema(GainStep)
FadeArgs = args_schema(FadeStep)
TrimArgs = args_schema(TrimStep)
NormalizeArgs = args_schema(NormalizeStep)
#: The export format the step defaults to; the tool uses the user's preference first.
DEFAULT_EXPORT_FORMAT: str = ExportStep.model_fields["format"].default
ExportArgs = args_schema(
    ExportStep,
    extra={
        "format": (
            ExportStep.model_fields["format"].annotation | None,
            Field(
                None, description=f"file format; default: the user's preference, else {DEFAULT_EXPORT_FORMAT}"
            ),
        )
    },
)
UndoArgs = args_schema(UndoStep)
ResetArgs = args_schema(ResetStep)


class FindSpansArgs(BaseModel):
    target: str = Field(..., description="the sound to locate, as free text")


class NoArgs(BaseModel):
    pass


# ----- the tools ---------------------------------------------------------------------------
def _separate(ctx: ToolContext, **kw: Any) -> str:
    data: dict[str, Any] = {"op": "separate"}
    box, points = kw.pop("box", None), kw.pop("points", None)
    data.update({k: v for k, v in kw.items() if v is not None})
    if box is not None or points is not None:
        data["mask"] = {"box": box} if box is not None else {"points": points}
    return _run(ctx, data)


def _run(ctx: ToolContext, data: dict[str, Any]) -> str:
    try:
        step = validated_step(data, ctx)
    except SamaudioError as exc:
        return f"error: {exc}. Nothing was changed."
    return observation(ctx.run(step), ctx, step)


def _export(ctx: ToolContext, format: str | None = None, path: str | None = None) -> str:
    fmt = format or ctx.export_format or DEFAULT_EXPORT_FORMAT
    if fmt not in EXPORT_FORMATS:
        return f"error: unknown format '{fmt}' (valid: {', '.join(EXPORT_FORMATS)})."
    return _run(ctx, {"op": "export", "format": fmt, **({"path": path} if path else {})})


def _find_spans(ctx: ToolContext, target: str) -> str:
    try:
        spans = find_spans(ctx.ws.current_audio(), target)
    except SamaudioError as exc:
        return f"error: {exc}"
    if not spans:
        return f"'{target}' was not detected anywhere in the {ctx.ws.duration:.1f} s recording."
    listed = ", ".join(f"{a:.2f}-{b:.2f} s" for a, b in spans[:20])
    more = f" (and {len(spans) - 20} more)" if len(spans) > 20 else ""
    return f"'{target}' is audible at {listed}{more}: {len(spans)} interval(s)."


def describe_audio(ws: Any, max_seconds: float = 30.0) -> dict[str, Any]:
    """Duration, channels, loudness, and the sound kinds the built-in engine detects.

    Detection runs the built-in span detector for each kind of its ontology on the first
    ``max_seconds`` (it is a survey, not an analysis).
    """
    audio = ws.current_audio()
    info: dict[str, Any] = {
        "duration_s": round(audio.duration, 3),
        "sample_rate": audio.sample_rate,
        "channels": audio.channels,
        "version": ws.current.id,
    }
    lufs = mixing.loudness(audio.samples, audio.sample_rate)
    info["loudness_lufs"] = round(lufs, 1) if np.isfinite(lufs) else None
    info["peak_dbfs"] = round(float(20 * np.log10(max(np.abs(audio.samples).max(), 1e-9))), 1)
    # Deferred: the samaudio_core.builtin package loads torch (~2 s); only the survey needs it.
    from samaudio_core.builtin.ontology import KINDS

    clip = Audio(audio.samples[:, : int(max_seconds * audio.sample_rate)], audio.sample_rate)
    found = []
    for kind in KINDS:
        try:
            _, probs = frame_activity(clip, kind.keywords[0] if kind.keywords else kind.name)
        except Exception as exc:  # one kind failing must not hide the others
            log.info("describe: %s failed: %s", kind.name, exc)
            continue
        share = float(np.mean(probs > 0.5)) if len(probs) else 0.0
        if share >= 0.1:  # active in at least a tenth of the frames
            found.append({"kind": kind.name, "category": kind.category, "active_share": round(share, 2)})
    info["detected"] = sorted(found, key=lambda d: -d["active_share"])
    return info


def _describe(ctx: ToolContext) -> str:
    try:
        d = describe_audio(ctx.ws)
    except SamaudioError as exc:
        return f"error: {exc}"
    loud = f"{d['loudness_lufs']} LUFS" if d["loudness_lufs"] is not None else "silent"
    text = f"{d['duration_s']:.2f} s, {d['channels']} channel(s), {d['sample_rate']} Hz, {loud}, peak {d['peak_dbfs']} dBFS"
    if d.get("detected"):
        kinds = ", ".join(f"{k['kind']} ({k['active_share']:.0%} of the time)" for k in d["detected"])
        text += f"; detected: {kinds}"
    elif d.get("detected") == []:
        text += "; no known kind of sound clearly detected"
    else:
        text += f"; {d.get('note', 'no detection')}"
    return text


_SPECS: list[tuple[str, type[BaseModel], str]] = [
    ("separate", SeparateArgs, "Separate a sound and remove it, keep only it, or change its level. Judged."),
    ("gain", GainArgs, "Change the level of the whole mix (optionally only in some intervals)."),
    ("fade", FadeArgs, "Fade the whole mix in at the start or out at the end."),
    ("trim", TrimArgs, "Keep only the part between start and end."),
    ("normalize", NormalizeArgs, "Set the integrated loudness of the whole mix."),
    ("export", ExportArgs, "Write the current version as a file in the output folder."),
    ("undo", UndoArgs, "Undo the last edit."),
    ("reset", ResetArgs, "Go back to the original recording."),
    ("find_spans", FindSpansArgs, "When is a sound audible? Returns time intervals."),
    ("describe", NoArgs, "Duration, loudness and the kinds of sound detected in the current version."),
]


def tool_functions(ctx: ToolContext) -> dict[str, Callable[..., str]]:
    """Plain callables (name -> function returning observation text) over ``ctx``."""
    funcs: dict[str, Callable[..., str]] = {
        "separate": lambda **kw: _separate(ctx, **kw),
        "gain": lambda **kw: _run(ctx, {"op": "gain", **{k: v for k, v in kw.items() if v is not None}}),
        "fade": lambda **kw: _run(ctx, {"op": "fade", **kw}),
        "trim": lambda **kw: _run(ctx, {"op": "trim", **{k: v for k, v in kw.items() if v is not None}}),
        "normalize": lambda **kw: _run(ctx, {"op": "normalize", **kw}),
        "export": lambda **kw: _export(ctx, **kw),
        "undo": lambda: _run(ctx, {"op": "undo"}),
        "reset": lambda: _run(ctx, {"op": "reset"}),
        "find_spans": lambda target: _find_spans(ctx, target),
        "describe": lambda: _describe(ctx),
    }
    assert set(OPS) <= set(funcs), "every recipe op needs a tool"
    return funcs


def build_tools(ctx: ToolContext) -> list:
    """The LangChain tools (``StructuredTool``) over ``ctx``, argument schemas included."""
    from langchain_core.tools import StructuredTool

    funcs = tool_functions(ctx)
    tools = []
    for name, schema, description in _SPECS:
        tools.append(
            StructuredTool.from_function(
                func=funcs[name],
                name=name,
                description=description,
                args_schema=schema,
                # Bad arguments become text the model can read and correct, not an exception.
                handle_validation_error=lambda exc, _n=name: validation_message(_n, exc),
                handle_tool_error=lambda exc, _n=name: f"error: {_n} failed: {exc}",
            )
        )
    return tools


def call_tool(tools: dict[str, Any], name: str, args: Any) -> str:
    """Run one tool call from a model; every mistake is returned as observation text."""
    tool = tools.get(name)
    if tool is None:
        return f"error: there is no tool '{name}'. Valid tools: {', '.join(tools)}."
    if not isinstance(args, dict):
        return f"error: the arguments of {name} must be a JSON object, got {type(args).__name__}."
    try:
        result = tool.invoke(args)
    except ValidationError as exc:
        return validation_message(name, exc)
    except (SamaudioError, RecipeError, ValueError, TypeError) as exc:
        return f"error: {name} failed: {exc}. Nothing was changed."
    return str(result)
