"""Learned mask refinement for the built-in engine (issue 8, part 3).

``MaskRefiner.load_default()`` loads the shipped :class:`~samaudio_core.masknet.model.MaskNet`;
the engine calls :meth:`MaskRefiner.refine` on each block's mask for the sound kinds and
prompt modes where the benchmark showed it winning. Trained by ``benchmarks/train_masknet.py``.
"""

from __future__ import annotations

from .model import MaskNet, MaskNetConfig
from .refiner import MaskRefiner

__all__ = ["MaskNet", "MaskNetConfig", "MaskRefiner"]
