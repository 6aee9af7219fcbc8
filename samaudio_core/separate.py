"""The one-call separation API: ``separate(audio_or_path, text=..., spans=..., ...)``."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from .audio import Audio, load_audio
from .engines.base import SeparationResult, check_result
from .engines.registry import load_engine
from .prompts import MaskPrompt, Prompt, Span
from .refine import refine
from .spans import find_spans


def _as_spans(spans: Sequence[Span] | None) -> tuple[Span, ...]:
    return tuple((float(a), float(b)) for a, b in (spans or ()))


def separate(
    audio_or_path: str | os.PathLike | Audio | np.ndarray,
    text: str | None = None,
    spans: Sequence[Span] | None = None,
    absent: Sequence[Span] | None = None,
    mask: MaskPrompt | None = None,
    auto_span: bool | None = None,
    engine: str | Any = "auto",
    candidates: int = 1,
    progress: bool = False,
    sample_rate: int | None = None,
    **judge_options: Any,
) -> SeparationResult:
    """Separate the prompted sound from the rest.

    Parameters
    ----------
    audio_or_path : a file path, an ``Audio``, or a (channels, samples) array with ``sample_rate``
    text : description of the target ("dog barking")
    spans : [(start_s, end_s), ...] where the target is clearly audible
    absent : [(start_s, end_s), ...] where the target is absent
    mask : a visual prompt over a video (``MaskPrompt``)
    auto_span : detect where the text target is active and use those spans as anchors; None
        (default) leaves it to the engine (its ``auto_span_default(prompt, duration)``): the
        built-in engine does it for text-only prompts on inputs up to 300 s, except speech
        targets, which its speech specialist separates without spans
    engine : engine name ("auto", "builtin", "dummy", "sam-audio") or an engine object
    candidates : >1 runs judge-gated refinement: several strategies, judged, best kept
    progress : show a progress bar on long inputs

    Returns
    -------
    SeparationResult with ``target`` and ``residual`` shaped like the input
    (channels, samples) at the input's ``sample_rate``.
    """
    if isinstance(audio_or_path, np.ndarray):
        if sample_rate is None:
            raise ValueError("separate() needs sample_rate when given an array")
        audio = Audio(audio_or_path, sample_rate)
    elif isinstance(audio_or_path, Audio):
        audio = audio_or_path
    else:
        audio = load_audio(audio_or_path)
    prompt = Prompt(text=text, spans=_as_spans(spans), absent=_as_spans(absent), mask=mask)
    prompt = prompt.validated_for(audio.duration)
    eng = load_engine(engine) if isinstance(engine, str) else engine

    if candidates > 1 and getattr(eng, "reranks_natively", False):
        # Engines with their own reranking (SAM Audio draws k candidates and keeps the
        # best by its rankers or our judge) take the count directly.
        result = eng.separate(audio, prompt, progress=progress, candidates=candidates)
        return check_result(result, audio)
    if candidates > 1:
        return refine(audio, prompt, engine=eng, candidates=candidates, progress=progress, **judge_options)

    if auto_span is None:
        # A visual prompt already says where (and when) the target is: no detected spans.
        wants = getattr(eng, "auto_span_default", None)
        auto_span = prompt.mask is None and wants is not None and wants(prompt, audio.duration)
    detected: list[Span] = []
    if auto_span and prompt.text and not prompt.spans:
        detected = find_spans(audio, prompt.text, detector=getattr(eng, "detector", "auto"))
        if detected:
            prompt = Prompt(prompt.text, tuple(detected), prompt.absent, prompt.mask)
    result = check_result(eng.separate(audio, prompt, progress=progress), audio)
    if detected:
        result.info.setdefault("auto_spans", [list(s) for s in detected])
    return result

