"""Learned automatic span prompts: when is the prompted sound active?

:class:`ActivityDetector` wraps the trained :class:`~samaudio_core.activity.model.ActivityNet`.
Audio (any rate or channel count) is mixed to mono, resampled to 16 kHz and analysed in
60-second blocks, so memory stays bounded on long inputs; the prompt is embedded with the
packaged MiniLM (:mod:`samaudio_core.embeddings`), so wordings never seen in training still
work when they mean something close. Weights ship in ``weights/`` next to this file with the
training configuration and the sha256 of the corpus manifest they were trained on; nothing is
ever downloaded. Spans come from the same thresholding as the engine's own detector
(:func:`samaudio_core.prompts.activity_to_spans`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from .. import embeddings  # embeddings.embed looked up per call: tests stand in for it
from ..audio import Audio, load_audio, resample
from ..errors import EngineUnavailableError
from ..prompts import activity_to_spans
from ..weights import read_weights
from .model import ActivityConfig, ActivityNet, MelFrontend

WEIGHTS_DIR = Path(__file__).with_name("weights")
_BLOCK_S = 60.0


class ActivityDetector:
    """Per-frame probability that a text-prompted sound is active.

    Parameters
    ----------
    model : a trained ``ActivityNet`` (put in eval mode here)
    meta : the training configuration saved with the weights
    """

    def __init__(self, model: ActivityNet, meta: dict | None = None):
        self.model = model.eval()
        self.cfg: ActivityConfig = model.cfg
        self.meta = meta or {}
        self.frontend = MelFrontend(self.cfg)

    @classmethod
    def load(cls, folder: str | Path) -> ActivityDetector:
        """Load ``activity.pt`` + ``config.json`` from ``folder``."""
        meta, state = read_weights(folder, "activity.pt", "activity detector")
        model = ActivityNet(ActivityConfig.from_dict(meta["config"]))
        model.load_state_dict(state)
        return cls(model, meta)

    @classmethod
    def load_default(cls) -> ActivityDetector:
        """The weights shipped in the package (offline)."""
        return _default()

    @property
    def preferred_kinds(self) -> frozenset[str]:
        """Engine sound kinds (ontology names) where the benchmark shows this detector beats the
        engine's own activity method; elsewhere callers should keep the classic path."""
        return frozenset(self.meta.get("prefer_for_kinds", ()))

    @staticmethod
    def available() -> bool:
        """Whether shipped weights are present."""
        return (WEIGHTS_DIR / "activity.pt").exists() and (WEIGHTS_DIR / "config.json").exists()

    def _prompt(self, text: str) -> torch.Tensor:
        return torch.from_numpy(_embed(text))[None]

    @torch.no_grad()
    def frame_activity(self, audio: Audio | str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Probability that ``text``'s target is active, frame by frame.

        Parameters
        ----------
        audio : an ``Audio`` (any rate and channel count) or a path
        text : the prompt, e.g. "dog barking"

        Returns
        -------
        times : (frames,) frame centres in seconds (every 32 ms)
        probs : (frames,) float32 in [0, 1]
        """
        audio = load_audio(audio)
        sr = self.cfg.sample_rate
        mono = audio.samples.mean(axis=0, keepdims=True)
        mono = resample(mono, audio.sample_rate, sr)[0]
        prompt = self._prompt(text)
        hop = self.cfg.hop
        n_frames = len(mono) // hop + 1
        block = int(_BLOCK_S * sr)
        probs = []
        for a in range(0, max(1, len(mono)), block):
            x = torch.from_numpy(np.ascontiguousarray(mono[a : a + block], dtype=np.float32))
            if len(x) < self.cfg.n_fft:
                x = torch.nn.functional.pad(x, (0, self.cfg.n_fft - len(x)))
            mel = self.frontend(x[None])
            p = torch.sigmoid(self.model(mel, prompt))[0].numpy()
            probs.append(p[: int(np.ceil(min(block, len(mono) - a) / hop))])
        out = np.concatenate(probs)[:n_frames] if probs else np.zeros(0, np.float32)
        times = np.arange(len(out), dtype=np.float32) * hop / sr
        return times, out.astype(np.float32)

    def spans(
        self, audio: Audio | str, text: str, threshold: float | None = None, min_duration: float = 0.1
    ) -> list[tuple[float, float]]:
        """Intervals (start_s, end_s) where ``text``'s target is active, in order.

        ``threshold`` defaults to the one chosen for the shipped weights on the dev set's "dev"
        split (``meta["threshold"]``), else 0.5."""
        if threshold is None:
            threshold = float(self.meta.get("threshold", 0.5))
        audio = load_audio(audio)
        times, probs = self.frame_activity(audio, text)
        return activity_to_spans(
            times, probs, threshold=threshold, min_duration=min_duration, duration=audio.duration
        )


@lru_cache(maxsize=256)
def _embed(text: str) -> np.ndarray:
    return embeddings.embed([text])[0]


@lru_cache(maxsize=1)
def _default() -> ActivityDetector:
    if not ActivityDetector.available():
        raise EngineUnavailableError(
            "no activity detector weights are shipped (see benchmarks/train_activity.py --export)"
        )
    return ActivityDetector.load(WEIGHTS_DIR)
