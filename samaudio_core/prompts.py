"""Prompts as data: what the user points at.

A separation prompt combines any of: a text description, spans where the target is
clearly audible ("+" anchors), spans where it is absent ("-" anchors), and a visual
mask over a video. Times are seconds from the start of the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from .errors import PromptError

Span = tuple[float, float]


def parse_time(text: str | float | int) -> float:
    """Parse a time given as seconds (``90``, ``4.5``), ``m:ss``, ``h:mm:ss(.f)`` or ``1m30s``."""
    if isinstance(text, (int, float)):
        return float(text)
    s = str(text).strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?s?", s):
        return float(s.rstrip("s"))
    if re.fullmatch(r"\d+(:\d{1,2}){1,2}(\.\d+)?", s):
        value = 0.0
        for part in s.split(":"):
            value = value * 60 + float(part)
        return value
    m = re.fullmatch(r"(?:(\d+)h)?\s*(?:(\d+)m(?:in)?)?\s*(?:(\d+(?:\.\d+)?)s(?:ec)?)?", s)
    if m and any(m.groups()):
        h, mi, sec = (float(g) if g else 0.0 for g in m.groups())
        return h * 3600 + mi * 60 + sec
    raise PromptError(f"cannot read '{text}' as a time (use seconds, m:ss or 1m30s)")


def parse_span(text: str) -> Span:
    """Parse ``'3-4.5'``, ``'0:30-0:45'`` or ``'1m-1m30s'`` into (start, end) seconds."""
    parts = re.split(r"\s*(?:-|–|\.\.|,|\bto\b)\s*", str(text).strip(), maxsplit=1)
    if len(parts) != 2 or not parts[0] or not parts[1]:
        raise PromptError(f"cannot read '{text}' as a span (use START-END, e.g. 3-4.5 or 0:30-0:45)")
    return check_span((parse_time(parts[0]), parse_time(parts[1])))


def check_span(span: Span, duration: float | None = None, what: str = "span") -> Span:
    """Validate one (start, end) interval; ``duration`` (s) bounds it when given."""
    try:
        start, end = float(span[0]), float(span[1])
    except (TypeError, ValueError, IndexError) as exc:
        raise PromptError(f"{what} {span!r} is not a (start, end) pair of seconds") from exc
    if start < 0:
        raise PromptError(f"{what} {start:g}-{end:g}: starts before 0")
    if end <= start:
        raise PromptError(f"{what} {start:g}-{end:g}: the end is not after the start")
    if duration is not None and start >= duration:
        raise PromptError(f"{what} {start:g}-{end:g}: starts after the end of the audio ({duration:.2f} s)")
    return (start, end)


@dataclass(frozen=True)
class MaskPrompt:
    """A visual prompt: the region of a video whose sound is wanted.

    Exactly one of ``box`` (x0, y0, x1, y1), ``points`` ((x, y) clicks) or ``image`` (path
    to a still mask PNG or a mask video, non-zero = inside) should be given. Coordinates are
    fractions of width/height when all lie within ±2 (so 1.5 is outside the frame, not a
    pixel), else pixels of the video's own frame size; every engine reads them through
    :mod:`samaudio_core.mask_pixels`, which documents the details.
    """

    video: str
    box: tuple[float, float, float, float] | None = None
    points: tuple[tuple[float, float], ...] | None = None
    image: str | None = None


@dataclass(frozen=True)
class Prompt:
    """Everything that says which sound is the target.

    text : a description such as "dog barking"
    spans : intervals (s) where the target is clearly audible ("+" anchors)
    absent : intervals (s) where the target is absent ("-" anchors)
    mask : a visual prompt over a video
    """

    text: str | None = None
    spans: tuple[Span, ...] = field(default_factory=tuple)
    absent: tuple[Span, ...] = field(default_factory=tuple)
    mask: MaskPrompt | None = None

    def __post_init__(self) -> None:
        if self.text is not None and not str(self.text).strip():
            object.__setattr__(self, "text", None)
        object.__setattr__(self, "spans", tuple(check_span(s) for s in (self.spans or ())))
        object.__setattr__(
            self, "absent", tuple(check_span(s, what="absent span") for s in (self.absent or ()))
        )
        if self.text is None and not self.spans and self.mask is None:
            raise PromptError("give a text prompt, at least one span, or a visual mask")

    def validated_for(self, duration: float) -> Prompt:
        """Check every span against the audio's duration (s); spans are clipped to it."""
        for s in self.spans:
            check_span(s, duration)
        for s in self.absent:
            check_span(s, duration, what="absent span")
        clip = tuple((a, min(b, duration)) for a, b in self.spans)
        clip_absent = tuple((a, min(b, duration)) for a, b in self.absent)
        return Prompt(self.text, clip, clip_absent, self.mask)


# Single-kind prompts, for callers that think of prompts the SAM Audio way.
def TextPrompt(text: str) -> Prompt:  # noqa: N802 - reads as a type at call sites
    return Prompt(text=text)


def SpanPrompt(spans, absent=(), text: str | None = None) -> Prompt:  # noqa: N802
    return Prompt(text=text, spans=tuple(spans), absent=tuple(absent))


def activity_to_spans(
    times: np.ndarray,
    probs: np.ndarray,
    threshold: float = 0.5,
    min_duration: float = 0.1,
    merge_gap: float = 0.25,
    pad: float = 0.05,
    duration: float | None = None,
) -> list[tuple[float, float]]:
    """Intervals (s) where ``probs`` >= threshold, gaps under ``merge_gap`` merged, each
    padded by ``pad`` and kept when at least ``min_duration`` long."""
    if len(times) == 0:
        return []
    step = float(times[1] - times[0]) if len(times) > 1 else 0.032
    on = np.concatenate([[False], probs >= threshold, [False]])
    starts = np.flatnonzero(~on[:-1] & on[1:])
    ends = np.flatnonzero(on[:-1] & ~on[1:])
    end_time = duration if duration is not None else float(times[-1]) + step / 2
    spans: list[list[float]] = []
    for s, e in zip(starts, ends):
        a = max(0.0, float(times[s]) - step / 2 - pad)
        b = min(end_time, float(times[e - 1]) + step / 2 + pad)
        if spans and a - spans[-1][1] < merge_gap:
            spans[-1][1] = b
        else:
            spans.append([a, b])
    return [(round(a, 3), round(b, 3)) for a, b in spans if b - a >= min_duration]
