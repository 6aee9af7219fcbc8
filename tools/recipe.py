"""Recipe schema v1: one format for plans, tool calls and batch workflows.

A recipe is a list of steps (ARCHITECTURE.md). Validation happens in two stages:
``load_recipe``/``Recipe.model_validate`` check types and ranges that need no audio
(unknown op, wrong type, dB outside ±60, reversed times); ``Recipe.check_against(duration)``
checks times against the input's length. Every error names the step it is about, e.g.
``step 3 (trim): end 50 s is past the end of the audio (30.00 s)``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from samaudio_core.errors import SamaudioError

#: Largest gain change (dB) a step may ask for; removal is expressed by action="remove".
MAX_DB = 60.0
EXPORT_FORMATS = ("wav", "flac", "mp3", "ogg")

Interval = tuple[float, float]


class RecipeError(SamaudioError):
    """A recipe is malformed or does not fit the input."""


def _check_intervals(value: list[Interval] | None, what: str) -> list[Interval] | None:
    if value is None:
        return None
    out = []
    for a, b in value:
        if a < 0:
            raise ValueError(f"{what} {a:g}-{b:g} starts before 0")
        if b <= a:
            raise ValueError(f"{what} {a:g}-{b:g} is reversed or empty (end must be after start)")
        out.append((float(a), float(b)))
    if not out:
        raise ValueError(f"{what} is empty")
    return out


class _Step(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def describe(self) -> str:
        """A short human description, used in replies and logs."""
        fields = self.model_dump(exclude_none=True, exclude={"op"})
        args = ", ".join(f"{k}={v}" for k, v in fields.items())
        return f"{self.op}({args})" if args else self.op  # type: ignore[attr-defined]

    def intervals(self) -> list[tuple[str, Interval]]:
        return []


class MaskSpec(BaseModel):
    """Visual prompt: a video plus a box (fractions or pixels), click points, or a mask image."""

    model_config = ConfigDict(extra="forbid")
    video: str | None = Field(None, description="the video file; empty: the input video")
    box: tuple[float, float, float, float] | None = Field(
        None, description="visual prompt on the video: x0,y0,x1,y1 as fractions of the frame"
    )
    points: list[tuple[float, float]] | None = Field(
        None, description="visual prompt: click points (x, y) as fractions of the frame"
    )
    image: str | None = Field(None, description="visual prompt: a mask image (PNG)")

    @model_validator(mode="after")
    def _one_region(self) -> MaskSpec:
        given = [x for x in (self.box, self.points, self.image) if x]
        if len(given) != 1:
            raise ValueError("mask needs exactly one of box, points or image")
        if self.box is not None:
            x0, y0, x1, y1 = self.box
            if x1 <= x0 or y1 <= y0:
                raise ValueError(f"mask box {list(self.box)} is empty or reversed")
        return self


class SeparateStep(_Step):
    op: Literal["separate"]
    target: str | None = Field(None, description="the sound, as free text: 'wind', 'dog barking', 'vocals'")
    action: Literal["remove", "isolate", "gain"] = Field(
        "isolate", description="remove: drop the target; isolate: keep only it; gain: change it by db"
    )
    db: float | None = Field(None, description="for action=gain: dB change of the target (-60..60)")
    range: list[Interval] | None = Field(
        None, description="restrict the edit to these [start, end] intervals (s)"
    )
    spans: list[Interval] | None = Field(
        None, description="[start, end] intervals (s) where the target is clearly audible"
    )
    absent: list[Interval] | None = Field(
        None, description="[start, end] intervals (s) where the target is absent"
    )
    mask: MaskSpec | None = Field(None, description="visual prompt: a video region")
    candidates: int | None = Field(
        None, ge=1, le=8, description="try several strategies, keep the judge's best (2-8)"
    )

    @field_validator("range", "spans", "absent")
    @classmethod
    def _intervals(cls, v, info):
        return _check_intervals(v, info.field_name)

    @model_validator(mode="after")
    def _consistent(self) -> SeparateStep:
        if not self.target and not self.spans and not self.mask:
            raise ValueError("separate needs a target, spans or a mask")
        if self.action == "gain":
            if self.db is None:
                raise ValueError("action 'gain' needs db")
            if abs(self.db) > MAX_DB:
                raise ValueError(f"db {self.db:g} is outside ±{MAX_DB:g} (use action 'remove' to remove)")
        elif self.db is not None:
            raise ValueError(f"db is only used with action 'gain', not '{self.action}'")
        return self

    def intervals(self):
        return [(n, iv) for n in ("range", "spans", "absent") for iv in (getattr(self, n) or [])]


class GainStep(_Step):
    op: Literal["gain"]
    db: float = Field(..., ge=-MAX_DB, le=MAX_DB, description="gain in dB (-60..60)")
    range: list[Interval] | None = Field(None, description="only these [start, end] intervals (s)")

    @field_validator("range")
    @classmethod
    def _intervals(cls, v):
        return _check_intervals(v, "range")

    def intervals(self):
        return [("range", iv) for iv in (self.range or [])]


class FadeStep(_Step):
    op: Literal["fade"]
    direction: Literal["in", "out"] = Field(..., description="fade in at the start or out at the end")
    seconds: float = Field(..., gt=0, le=3600, description="fade length in seconds")


class TrimStep(_Step):
    op: Literal["trim"]
    start: float = Field(0.0, ge=0, description="keep from this time (s)")
    end: float | None = Field(None, description="keep up to this time (s); empty: to the end")

    @model_validator(mode="after")
    def _order(self) -> TrimStep:
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"trim end {self.end:g} is not after start {self.start:g}")
        return self

    def intervals(self):
        return (
            [("trim", (self.start, self.end))]
            if self.end is not None
            else [("trim start", (self.start, self.start))]
        )


class NormalizeStep(_Step):
    op: Literal["normalize"]
    lufs: float = Field(-14.0, ge=-70, le=0, description="target integrated loudness (LUFS, -70..0)")


class ExportStep(_Step):
    op: Literal["export"]
    format: Literal["wav", "flac", "mp3", "ogg"] = Field("wav", description="file format")
    path: str | None = Field(None, description="file name inside the output folder")


class UndoStep(_Step):
    op: Literal["undo"]


class ResetStep(_Step):
    op: Literal["reset"]


Step = Annotated[
    SeparateStep | GainStep | FadeStep | TrimStep | NormalizeStep | ExportStep | UndoStep | ResetStep,
    Field(discriminator="op"),
]
OPS = ("separate", "gain", "fade", "trim", "normalize", "export", "undo", "reset")
_STEP_MODELS: dict[str, type[BaseModel]] = dict(
    zip(OPS, (SeparateStep, GainStep, FadeStep, TrimStep, NormalizeStep, ExportStep, UndoStep, ResetStep))
)
_step_adapter: TypeAdapter = TypeAdapter(Step)


class Recipe(BaseModel):
    """A plan: ordered steps, or no steps and an ``error``/``reply`` saying why."""

    model_config = ConfigDict(extra="forbid")
    version: Literal[1] = 1
    steps: list[Step] = Field(default_factory=list)
    error: str | None = None
    reply: str | None = None

    def check_against(self, duration: float) -> None:
        """Raise RecipeError naming the step when a time lies past the end of the audio."""
        eps = 1e-6
        for i, step in enumerate(self.steps, start=1):
            for name, (a, b) in step.intervals():
                if a >= duration - eps or (b is not None and b > duration + 0.05):
                    end = b if b is not None else a
                    raise RecipeError(
                        f"step {i} ({step.op}): {name} {a:g}-{end:g} s is past the end of the audio ({duration:.2f} s)"
                    )

    def to_json(self) -> str:
        return self.model_dump_json(exclude_none=True)


def _format_validation_error(exc: ValidationError, data: Any) -> str:
    messages = []
    for err in exc.errors():
        loc = err.get("loc", ())
        prefix = ""
        if len(loc) >= 2 and loc[0] == "steps" and isinstance(loc[1], int):
            idx = loc[1]
            op = "?"
            try:
                op = data["steps"][idx].get("op", "?")
            except Exception:
                pass
            prefix = f"step {idx + 1} ({op})"
            rest = [str(x) for x in loc[3:]] if len(loc) > 2 else []
            if err["type"] == "union_tag_invalid":
                messages.append(f"{prefix}: unknown op '{op}' (valid ops: {', '.join(OPS)})")
                continue
            if err["type"] == "union_tag_not_found":
                messages.append(f"step {idx + 1}: missing 'op' (valid ops: {', '.join(OPS)})")
                continue
            if err["type"] == "extra_forbidden" and len(rest) == 1 and op in _STEP_MODELS:
                known = ", ".join(f for f in _STEP_MODELS[op].model_fields if f != "op")
                messages.append(f"{prefix} field '{rest[0]}': unknown field ({op} takes: {known or 'no fields'})")
                continue
            if rest:
                prefix += f" field '{'.'.join(rest)}'"
        elif loc:
            prefix = f"field '{'.'.join(str(x) for x in loc)}'"
        msg = err["msg"].removeprefix("Value error, ")
        messages.append(f"{prefix}: {msg}" if prefix else msg)
    # Names come from the user's file and may hold newlines: escape control characters so
    # the error stays one line.
    return re.sub(r"[\x00-\x1f\x7f]", lambda m: repr(m.group())[1:-1], "; ".join(dict.fromkeys(messages)))


def parse_recipe(data: Any) -> Recipe:
    """Validate a dict (or a bare list of steps) as a recipe; RecipeError names the bad step."""
    if isinstance(data, list):
        data = {"version": 1, "steps": data}
    if not isinstance(data, dict):
        raise RecipeError("a recipe must be an object with 'steps' (or a list of steps)")
    try:
        return Recipe.model_validate(data)
    except ValidationError as exc:
        raise RecipeError(_format_validation_error(exc, data)) from None


def parse_step(data: dict) -> Any:
    """Validate a single step dict."""
    return parse_recipe({"version": 1, "steps": [data]}).steps[0]


def load_recipe(path: str | Path) -> Recipe:
    """Load a recipe from a .json, .yaml or .yml file."""
    p = Path(path)
    if not p.is_file():
        raise RecipeError(f"{p}: no such recipe file")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise RecipeError(f"{p}: not UTF-8 text (byte {exc.start}): a recipe is JSON or YAML") from None
    except OSError as exc:
        raise RecipeError(f"{p}: cannot read the recipe ({exc.strerror})") from None
    try:
        data = json.loads(text) if p.suffix.lower() == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise RecipeError(f"{p}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except yaml.YAMLError as exc:
        # PyYAML's message spans several lines (context, a caret): keep the problem and where.
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RecipeError(f"{p}: not valid YAML{where}: {what}") from None
    try:
        return parse_recipe(data)
    except RecipeError as exc:
        raise RecipeError(f"{p}: {exc}") from None
