"""Learned, prompt-conditioned activity detection (the role of SAM Audio's PEA-Frame).

``ActivityDetector.load_default().frame_activity(audio, "dog barking")`` gives a per-frame
probability that the prompted sound is active; ``.spans(...)`` turns it into span prompts.
The network is in ``model.py``; it is trained by ``benchmarks/train_activity.py``.
"""

from __future__ import annotations

from .detector import ActivityDetector

__all__ = ["ActivityDetector"]
