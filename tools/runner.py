"""The recipe runner: applies a recipe to an input through a workspace.

Each step reads the current version, computes a new array with the pure mixing ops or
the separation API, and commits it as a new version (so every step can be undone).
Separations are scored by the reference-free judge when it is available; peaks are
limited (and the message says so) rather than clipped silently.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from samaudio_core import mixing
from samaudio_core.audio import VIDEO_EXTENSIONS, Audio
from samaudio_core.engines.base import SeparationResult
from samaudio_core.errors import SamaudioError
from samaudio_core.judge import Judge
from samaudio_core.prompts import MaskPrompt
from samaudio_core.separate import separate
from samaudio_core.workspace import Workspace

from .recipe import (
    ExportStep,
    FadeStep,
    GainStep,
    NormalizeStep,
    Recipe,
    RecipeError,
    ResetStep,
    SeparateStep,
    TrimStep,
    UndoStep,
)

log = logging.getLogger(__name__)


@dataclass
class StepReport:
    """What one step did."""

    index: int
    op: str
    description: str
    ok: bool = True
    message: str = ""
    version: int | None = None
    output: str | None = None
    scores: dict[str, float] | None = None
    info: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class RunReport:
    """What a whole recipe did to one input."""

    input: str
    session: str
    steps: list[StepReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.steps)

    @property
    def exports(self) -> list[str]:
        return [s.output for s in self.steps if s.output]

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "session": self.session,
            "ok": self.ok,
            "steps": [asdict(s) for s in self.steps],
        }


def _mask_prompt(step: SeparateStep, ws: Workspace) -> MaskPrompt | None:
    if step.mask is None:
        return None
    video = step.mask.video
    if video is None:
        source = Path(ws.original.path)
        if source.suffix.lower() not in VIDEO_EXTENSIONS:
            raise SamaudioError(
                f"step mask needs a video: the input {source.name} is not one; give mask.video"
            )
        video = str(ws.path_of(ws.original))
    return MaskPrompt(
        video=video,
        box=tuple(step.mask.box) if step.mask.box else None,
        points=tuple(tuple(p) for p in step.mask.points) if step.mask.points else None,
        image=step.mask.image,
    )


def _judge_scores(mixture: Audio, target, text: str | None) -> dict[str, float] | None:
    """Judge the separated target; None when judging fails (it never fails the step)."""
    try:
        score = Judge().score(mixture.samples, target, text or "", sample_rate=mixture.sample_rate)
    except Exception as exc:  # the judge is advisory: a failure is logged, not fatal
        log.warning("judge failed: %s", exc)
        return None
    return score.to_dict() if hasattr(score, "to_dict") else dict(asdict(score))


def run_separate(
    step: SeparateStep,
    audio: Audio,
    ws: Workspace,
    engine: Any,
    judge: bool,
    progress: bool,
    first: SeparationResult | None = None,
    on_result: Callable[[SeparationResult], None] | None = None,
) -> tuple[Audio, dict[str, float] | None, dict[str, Any]]:
    """Apply one separate step to ``audio``; returns (new audio, judge scores, engine info).

    ``first``: with ``step.candidates`` > 1, the refine ladder's first rung, already computed
    (a separation that failed the judge), so it is not run again. ``on_result`` is called
    with the engine's SeparationResult (the agent keeps it to hand to refinement).
    """
    kwargs: dict[str, Any] = {}
    if step.candidates and step.candidates > 1:
        kwargs["candidates"] = step.candidates
        if first is not None:
            kwargs["first"] = first
    res = separate(
        audio,
        text=step.target,
        spans=step.spans,
        absent=step.absent,
        mask=_mask_prompt(step, ws),
        engine=engine,
        progress=progress,
        **kwargs,
    )
    if on_result is not None:
        on_result(res)
    x, sr = audio.samples, audio.sample_rate
    if step.action == "isolate":
        if step.range:
            # Keep only the target inside the range; the rest of the mix stays untouched outside it.
            out = mixing.apply_stem_gain(x, res.residual, sr, None, step.range)
        else:
            out = res.target
    elif step.action == "remove":
        out = mixing.apply_stem_gain(x, res.target, sr, None, step.range)
    else:
        out = mixing.apply_stem_gain(x, res.target, sr, step.db, step.range)
    scores = res.info.get("judge") if isinstance(res.info.get("judge"), dict) else None
    if judge and scores is None:
        scores = _judge_scores(audio, res.target, step.target)
    return Audio(out, sr), scores, dict(res.info)


def run_step(
    step: Any,
    ws: Workspace,
    *,
    engine: Any = "auto",
    judge: bool = True,
    progress: bool = False,
    first: SeparationResult | None = None,
    on_result: Callable[[SeparationResult], None] | None = None,
) -> StepReport:
    """Run one validated step on the workspace's current version (``first``, ``on_result``:
    see :func:`run_separate`)."""
    report = StepReport(index=0, op=step.op, description=step.describe())
    t0 = time.perf_counter()
    if isinstance(step, UndoStep):
        v = ws.undo()
        report.version, report.message = v.id, f"undid the last edit (now at version {v.id})"
    elif isinstance(step, ResetStep):
        v = ws.reset()
        report.version, report.message = v.id, "back to the original"
    elif isinstance(step, ExportStep):
        path = ws.export(step.format, step.path)
        report.output, report.version, report.message = str(path), ws.current.id, f"exported {path}"
    else:
        audio = ws.current_audio()
        x, sr = audio.samples, audio.sample_rate
        scores = None
        info: dict[str, Any] = {}
        if isinstance(step, SeparateStep):
            new, scores, info = run_separate(step, audio, ws, engine, judge, progress, first, on_result)
            y = new.samples
        elif isinstance(step, GainStep):
            y = mixing.gain(x, sr, step.db, step.range)
        elif isinstance(step, FadeStep):
            y = mixing.fade(x, sr, step.direction, step.seconds)
        elif isinstance(step, TrimStep):
            try:
                y = mixing.trim(x, sr, step.start, step.end)
            except ValueError as exc:  # times were checked against the input; an earlier trim shortened it
                raise RecipeError(f"{exc}: the current version is {audio.duration:.2f} s long") from None
        elif isinstance(step, NormalizeStep):
            y = mixing.normalize_loudness(x, sr, step.lufs)
        else:  # pragma: no cover - the schema admits no other op
            raise TypeError(f"unhandled step {step!r}")
        y, reduced_db = mixing.limit(y, sr)
        notes = []
        if reduced_db > 0:
            notes.append(f"peaks limited by {reduced_db:.1f} dB to avoid clipping")
            info["limited_db"] = round(reduced_db, 2)
        v = ws.commit(Audio(y, sr), step.model_dump(exclude_none=True), scores=scores, info=_jsonable(info))
        report.version, report.scores, report.info = v.id, scores, _jsonable(info)
        report.message = "; ".join([f"version {v.id}"] + notes)
    report.seconds = round(time.perf_counter() - t0, 3)
    return report


def _jsonable(info: dict[str, Any]) -> dict[str, Any]:
    import json

    return json.loads(json.dumps(info, default=lambda o: o.tolist() if hasattr(o, "tolist") else str(o)))


def run_recipe(
    recipe: Recipe,
    ws: Workspace,
    *,
    engine: Any = "auto",
    judge: bool = True,
    progress: bool = False,
    export_default: str | None = None,
    callback: Callable[[StepReport], None] | None = None,
) -> RunReport:
    """Apply every step in order; stops at the first failing step (earlier versions are kept).

    ``export_default``: when the recipe has no export step, export the final version in
    this format at the end (``samaudio apply`` uses "wav" so every input yields a file).
    """
    recipe.check_against(ws.duration)
    report = RunReport(input=str(ws.path_of(ws.original)), session=str(ws.folder))
    for i, step in enumerate(recipe.steps, start=1):
        try:
            r = run_step(step, ws, engine=engine, judge=judge, progress=progress)
        except SamaudioError as exc:
            r = StepReport(index=i, op=step.op, description=step.describe(), ok=False, message=str(exc))
            report.steps.append(r)
            if callback:
                callback(r)
            break
        r.index = i
        report.steps.append(r)
        if callback:
            callback(r)
    if report.ok and export_default and not any(isinstance(s, ExportStep) for s in recipe.steps):
        path = ws.export(export_default)
        report.steps.append(
            StepReport(
                len(report.steps) + 1,
                "export",
                f"export(format={export_default})",
                output=str(path),
                version=ws.current.id,
                message=f"exported {path}",
            )
        )
    return report
