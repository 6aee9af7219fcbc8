"""The refinement hand-off: a separation the judge failed goes to the refine ladder.

The failed attempt is not thrown away nor run again: its engine result becomes the first
rung of :func:`samaudio_core.refine.refine` (``first=``), which judges it next to the other
strategies (automatic spans, the mask network, other engines, a softer mask) and keeps the
best. The refined step then stands in the first attempt's place in the tool context.
"""

from __future__ import annotations

import logging

from samaudio_core.audio import load_audio
from tools.lc_tools import ToolContext
from tools.recipe import SeparateStep
from tools.runner import StepReport

log = logging.getLogger(__name__)


def refine_failed(step: SeparateStep, first: StepReport, tctx: ToolContext, candidates: int) -> StepReport:
    """Refine ``first`` (a recorded separation of ``step`` that failed the judge).

    Parameters
    ----------
    step : the separate step that ran; first : its report, the latest one in ``tctx``
    tctx : the tool context (its ``last_separation`` is the first attempt's engine result)
    candidates : the ladder's budget, the first attempt included

    Returns
    -------
    The report now recorded for the step: the ladder's (``info["refined_from"]`` holds the
    first attempt's scores when another rung won, ``info["refine_tried"]`` the best other
    rung's when the first stayed best), or ``first`` with ``info["refine_failed"]``.
    """
    ws = tctx.ws
    first_version = ws.current
    ws.undo()  # the ladder separates the step's input, not the first attempt's output
    refined = tctx.run(
        step.model_copy(update={"candidates": candidates}), first=tctx.last_separation, record=False
    )
    if not refined.ok:
        log.info("refinement failed: %s", refined.message)
        # Keep the first attempt: commit its audio again (versions are never edited in place).
        v = ws.commit(
            load_audio(ws.path_of(first_version)),
            first_version.step or {},
            first_version.scores,
            first_version.info,
        )
        first.version = v.id
        first.info["refine_failed"] = refined.message
        return first
    rungs = [a for a in refined.info.get("attempts", []) if a.get("scores")]
    if refined.info.get("kept_attempt", 0) == 0:  # the first attempt stayed the best
        others = [a["scores"] for a in rungs[1:]]
        if others:
            refined.info["refine_tried"] = max(others, key=lambda s: s.get("overall", 0))
    else:
        refined.info["refined_from"] = first.scores
    return tctx.replace(first, refined)


__all__ = ["refine_failed"]
