"""samaudio_core — the toolkit without any LLM.

Promptable separation (text, time spans, video masks), a reference-free judge, audio I/O,
mixing ops, metrics and a non-destructive workspace.

>>> from samaudio_core import separate, separate_file, load_audio
>>> res = separate("mix.wav", text="dog barking", spans=[(3.0, 4.5)])
>>> res.target.shape == res.residual.shape
>>> separate_file("long.flac", "speech.flac", text="speech", residual="rest.flac")  # streams
"""

from __future__ import annotations

from .audio import SAMPLE_RATE, Audio, load_audio, save_audio
from .engines import SeparationResult, available_engines, engine_status, load_engine
from .errors import SamaudioError
from .judge import Judge
from .judge_types import JudgeScore
from .metrics import si_sdr, si_sdr_improvement
from .prompts import MaskPrompt, Prompt, SpanPrompt, TextPrompt
from .separate import separate
from .stream import FileSeparation, separate_file

__all__ = [
    "SAMPLE_RATE",
    "Audio",
    "FileSeparation",
    "Judge",
    "JudgeScore",
    "MaskPrompt",
    "Prompt",
    "SamaudioError",
    "SeparationResult",
    "SpanPrompt",
    "TextPrompt",
    "available_engines",
    "engine_status",
    "load_audio",
    "load_engine",
    "save_audio",
    "separate",
    "separate_file",
    "si_sdr",
    "si_sdr_improvement",
]

