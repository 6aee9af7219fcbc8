"""Prompts pointed at on the page (spans dragged on the waveform, a box drawn on the video).

They travel beside the typed instruction, as data, and reach the recipe through
:class:`PointedPlanner`, which wraps the session's planner: after it plans the words, every
separate step gets the pointed ``spans`` (the span prompt), ``absent`` spans (negative
anchors), ``range`` (where the edit applies) and ``mask`` (a box or points on the input
video). A chat model that calls tools reads them from a sentence added to the instruction.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tools.recipe import Interval, MaskSpec, Recipe, parse_recipe


class Pointed(BaseModel):
    """What the page marked: all times in seconds, box and points as fractions of the frame."""

    model_config = ConfigDict(extra="forbid")
    spans: list[Interval] = Field(default_factory=list)
    absent: list[Interval] = Field(default_factory=list)
    range: list[Interval] = Field(default_factory=list)
    box: tuple[float, float, float, float] | None = None
    points: list[tuple[float, float]] | None = None

    @property
    def empty(self) -> bool:
        return not (self.spans or self.absent or self.range or self.box or self.points)

    def mask(self) -> dict[str, Any] | None:
        if self.box is not None:
            return MaskSpec(box=self.box).model_dump(exclude_none=True)
        if self.points:
            return MaskSpec(points=self.points).model_dump(exclude_none=True)
        return None

    def sentence(self) -> str:
        """The same prompts in words, for a model that reads only text."""

        def times(ivs):
            return ", ".join(f"{a:g}-{b:g} s" for a, b in ivs)

        parts = []
        if self.spans:
            parts.append(f"the target is clearly audible at {times(self.spans)} (span prompt)")
        if self.absent:
            parts.append(f"the target is absent at {times(self.absent)}")
        if self.range:
            parts.append(f"apply the edit only in {times(self.range)}")
        if self.box is not None:
            parts.append(f"the target is in the video box {list(self.box)} (fractions of the frame)")
        if self.points:
            parts.append(f"the target is at video point(s) {[list(p) for p in self.points]}")
        return "(" + "; ".join(parts) + ".)" if parts else ""


def attach(recipe: Recipe, pointed: Pointed | None) -> Recipe:
    """``recipe`` with the pointed prompts on each separate step (validated again)."""
    if pointed is None or pointed.empty or not recipe.steps:
        return recipe
    data = recipe.model_dump(exclude_none=True)
    for step in data["steps"]:
        if step.get("op") != "separate":
            continue
        if pointed.spans:
            step["spans"] = [list(s) for s in pointed.spans]
        if pointed.absent:
            step["absent"] = [list(s) for s in pointed.absent]
        if pointed.range:
            step["range"] = [list(s) for s in pointed.range]
        mask = pointed.mask()
        if mask:
            step["mask"] = mask
    return parse_recipe(data)


class PointedPlanner:
    """A planner that plans like ``base`` and adds what was pointed at this turn (:attr:`pointed`)."""

    def __init__(self, base: Any):
        self.base = base
        self.name = getattr(base, "name", type(base).__name__)
        self.pointed: Pointed | None = None
        #: Called with the planned recipe (the job's progress counts its steps).
        self.on_plan = None

    def plan(self, instruction: str, *, duration: float | None = None, context: Any = None) -> Recipe:
        recipe = attach(self.base.plan(instruction, duration=duration, context=context), self.pointed)
        if self.on_plan is not None:
            self.on_plan(recipe)
        return recipe

    def tool_model(self) -> Any:
        from agent.chat import tool_model

        return tool_model(self.base)
