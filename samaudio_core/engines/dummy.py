"""A tiny deterministic engine for wiring tests: no model, no randomness.

Target = the input inside the prompt's spans (with 10 ms raised-cosine edges), silence
elsewhere; with no spans, the target is a fixed half of the input. Residual = input - target,
so reconstruction is exact.
"""

from __future__ import annotations

import numpy as np

from ..audio import Audio
from ..prompts import Prompt
from .base import SeparationResult


class DummyEngine:
    name = "dummy"

    def __init__(self, device: str | None = None, **_: object) -> None:
        self.device = device

    def separate(self, audio: Audio, prompt: Prompt, *, progress: bool = False) -> SeparationResult:
        x = audio.samples
        sr = audio.sample_rate
        if prompt.spans:
            gain = np.zeros(x.shape[1], np.float32)
            ramp = max(1, int(0.01 * sr))
            for start, end in prompt.spans:
                a, b = int(start * sr), min(int(end * sr), x.shape[1])
                gain[a:b] = 1.0
            # Smooth the 0/1 gate so span edges do not click.
            kernel = np.hanning(2 * ramp + 1).astype(np.float32)
            # "full" then the centre slice: mode="same" returns the kernel's length when the
            # input is shorter than the kernel (a few samples), not the input's.
            full = np.convolve(gain, kernel / kernel.sum(), mode="full")
            start = (kernel.size - 1) // 2
            gain = full[start : start + x.shape[1]].astype(np.float32)
        else:
            gain = np.full(x.shape[1], 0.5, np.float32)
        target = (x * gain[None, :]).astype(np.float32)
        return SeparationResult(target, (x - target).astype(np.float32), sr, {"engine": self.name})
