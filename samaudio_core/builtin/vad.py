"""Speech activity from silero-vad, which ships its weights in its wheel (no download).

The ONNX model runs on 32 ms windows of 16 kHz mono and keeps a recurrent state, so audio
is fed in order; :func:`speech_probs` returns one probability a window. The model is loaded
once per process. If silero-vad cannot be loaded, an energy-and-band heuristic stands in
(and says so through ``warnings``), so speech separation degrades instead of failing.
"""

from __future__ import annotations

import threading
import warnings
from functools import lru_cache

import numpy as np
from scipy.signal import resample_poly

VAD_RATE = 16_000
WINDOW = 512  # samples at 16 kHz = 32 ms, the window silero-vad v5+ expects

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _model():
    from silero_vad import load_silero_vad

    return load_silero_vad(onnx=True)


def _to_16k(mono: np.ndarray, sr: int) -> np.ndarray:
    if sr == VAD_RATE:
        return mono.astype(np.float32, copy=False)
    g = np.gcd(int(sr), VAD_RATE)
    return resample_poly(mono, VAD_RATE // g, int(sr) // g).astype(np.float32)


def _energy_probs(x16: np.ndarray) -> np.ndarray:
    # Fallback: frame energy relative to the file's quiet level, squashed to 0..1.
    n = len(x16) // WINDOW
    frames = x16[: n * WINDOW].reshape(n, WINDOW)
    db = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    floor = np.percentile(db, 20) if n else 0.0
    return (1 / (1 + np.exp(-(db - floor - 10) / 3))).astype(np.float32)


def speech_probs(mono: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray]:
    """Speech probability per 32 ms window.

    Parameters
    ----------
    mono : float array (samples,) at ``sr`` Hz

    Returns
    -------
    times : (windows,) centre time of each window in seconds
    probs : (windows,) float32 in [0, 1]
    """
    x16 = _to_16k(np.asarray(mono, np.float32), sr)
    n = len(x16) // WINDOW
    if n == 0:
        return np.zeros(0, np.float32), np.zeros(0, np.float32)
    try:
        import torch

        model = _model()
        with _lock:  # the model carries a recurrent state: one stream at a time
            model.reset_states()
            frames = torch.from_numpy(np.ascontiguousarray(x16[: n * WINDOW].reshape(n, WINDOW)))
            probs = np.fromiter((float(model(f, VAD_RATE)) for f in frames), np.float32, count=n)
    except Exception as exc:  # degrade, never crash: the energy heuristic is a usable guess
        warnings.warn(f"silero-vad unavailable ({exc}); using an energy-based speech detector", stacklevel=2)
        probs = _energy_probs(x16)
    times = (np.arange(n, dtype=np.float32) + 0.5) * (WINDOW / VAD_RATE)
    return times, probs
