"""The reply: composed from what actually ran, never from the model's claims.

:func:`finish` exports an edited result nobody exported (in the preferred format, or to the
file the user named), then writes the reply: one line a step (what was done, the judge's
scores), where the output is, and, when the judge still fails, why (the weakest sub-score)
and what to try (mark a span where the target is clearly audible, with an example the span
detector suggests).
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

from samaudio_core.errors import SamaudioError
from samaudio_core.spans import find_spans
from samaudio_core.workspace import Workspace, unique_path
from tools.lc_tools import (
    DEFAULT_EXPORT_FORMAT,
    ToolContext,
    format_scores,
    judge_failed,
    validated_step,
    weakest_reason,
)
from tools.runner import StepReport

from .result import AgentResult

log = logging.getLogger(__name__)


def finish(result: AgentResult, ws: Workspace, tctx: ToolContext, output: Any, threshold: float) -> None:
    """Export the result when it changed and nobody exported it; set ``ok``; compose the reply.

    ``output``: a file the user named (its suffix picks the format), or None.
    """
    reports = tctx.reports
    edited = any(r.ok and r.op != "export" for r in reports)
    if reports and all(r.ok for r in reports) and (output is not None or (edited and not tctx.outputs)):
        _export(ws, tctx, output)
    result.steps = reports = tctx.reports
    result.outputs = tctx.outputs
    result.attempts = tctx.attempts
    separations = [r for r in reports if r.op == "separate" and r.ok and r.scores]
    if separations:
        result.judge_passed = all(not judge_failed(r, threshold) for r in separations)
    result.ok = (
        bool(reports)
        and all(r.ok for r in reports)
        and result.judge_passed is not False
        and not result.limit_reached
    )
    if reports:
        summary = summarise(reports, ws, threshold, result.outputs)
        result.reply = (result.reply.strip() + "\n" + summary).strip() if result.reply else summary


def _export(ws: Workspace, tctx: ToolContext, output: Any) -> None:
    fmt = (
        Path(output).suffix.lstrip(".").lower()
        if output is not None
        else (tctx.export_format or DEFAULT_EXPORT_FORMAT)
    )
    data = {"op": "export", "format": fmt}
    same_dir = output is not None and Path(output).resolve().parent == ws.out_dir.resolve()
    if same_dir:
        data["path"] = Path(output).name
    try:
        report = tctx.run(validated_step(data, tctx))
    except SamaudioError as exc:
        tctx.record(StepReport(0, "export", f"export({fmt})", ok=False, message=str(exc)))
        return
    if output is not None and not same_dir and report.ok:
        # A resumed session exports into its own folder; the user's -o gets a copy.
        session_file = report.output
        report.output = str(_copy_to(Path(report.output), Path(output)))
        tctx.add_output(report.output, replacing=session_file)


def _copy_to(src: Path, dest: Path) -> Path:
    """Copy an export to the path the user named (never over an existing file)."""
    dest = unique_path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dest)
    return dest


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


def summarise(reports: list[StepReport], ws: Workspace, threshold: float, outputs: list[str]) -> str:
    """One line a step, then where the output is (``outputs[-1]``)."""
    lines = []
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


__all__ = ["finish", "summarise"]
