"""Mixing ops as pure functions on (channels, samples) float arrays.

No file access here. Every op returns a new array; the input is never modified. Ops that
can push samples past full scale leave the limiting to :func:`limit`, which the callers
(the recipe runner) apply before saving, and which reports whether it had to act, so
clipping is never silent.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np
from scipy.ndimage import minimum_filter1d, uniform_filter1d

log = logging.getLogger(__name__)

#: Length (s) of the raised-cosine ramps at the edges of a range-limited edit: long enough
#: to avoid clicks, short enough to keep the edit where it was asked for.
EDGE_RAMP_S = 0.01
#: Default limiter ceiling, in linear full scale (-1 dBFS), leaving headroom for mp3 encoding.
LIMIT_CEILING = 10 ** (-1.0 / 20)


def db_to_gain(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def range_curve(
    num_samples: int,
    sample_rate: int,
    ranges: Sequence[tuple[float, float]] | None,
    ramp_s: float = EDGE_RAMP_S,
) -> np.ndarray:
    """A 0..1 curve, 1 inside ``ranges`` (seconds), with raised-cosine ramps at the edges.

    ``None`` means the whole signal (all ones). Ramps lie inside each range so nothing
    outside a range is touched.
    """
    if ranges is None:
        return np.ones(num_samples, np.float32)
    curve = np.zeros(num_samples, np.float32)
    ramp = max(1, int(round(ramp_s * sample_rate)))
    for start, end in ranges:
        a = max(0, int(round(start * sample_rate)))
        b = min(num_samples, int(round(end * sample_rate)))
        if b <= a:
            continue
        seg = np.ones(b - a, np.float32)
        r = min(ramp, (b - a) // 2)
        if r > 0:
            up = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, r, dtype=np.float32))
            seg[:r] = up
            seg[-r:] = up[::-1]
        curve[a:b] = np.maximum(curve[a:b], seg)
    return curve


def gain(
    samples: np.ndarray,
    sample_rate: int,
    db: float,
    ranges: Sequence[tuple[float, float]] | None = None,
) -> np.ndarray:
    """Change the level by ``db`` dB, optionally only inside ``ranges`` (s), with click-free edges."""
    curve = range_curve(samples.shape[-1], sample_rate, ranges)
    factor = 1.0 + (db_to_gain(db) - 1.0) * curve
    return (samples * factor[None, :]).astype(np.float32)


def apply_stem_gain(
    mixture: np.ndarray,
    stem: np.ndarray,
    sample_rate: int,
    db: float | None,
    ranges: Sequence[tuple[float, float]] | None = None,
) -> np.ndarray:
    """Change one stem inside a mixture: ``mixture + (g - 1) * stem``.

    ``db=None`` removes the stem entirely (gain 0). Range-limited like :func:`gain`.
    """
    g = 0.0 if db is None else db_to_gain(db)
    curve = range_curve(mixture.shape[-1], sample_rate, ranges)
    return (mixture + ((g - 1.0) * curve)[None, :] * stem).astype(np.float32)


def fade(samples: np.ndarray, sample_rate: int, direction: str, seconds: float) -> np.ndarray:
    """Fade in or out over ``seconds`` (clamped to the signal length) with an equal-power curve."""
    if direction not in ("in", "out"):
        raise ValueError(f"fade direction must be 'in' or 'out', not {direction!r}")
    n = min(samples.shape[-1], max(1, int(round(seconds * sample_rate))))
    ramp = np.sin(np.linspace(0, np.pi / 2, n, dtype=np.float32)) ** 2
    out = samples.astype(np.float32, copy=True)
    if direction == "in":
        out[:, :n] *= ramp
    else:
        out[:, -n:] *= ramp[::-1]
    return out


def trim(samples: np.ndarray, sample_rate: int, start: float = 0.0, end: float | None = None) -> np.ndarray:
    """Keep ``start``..``end`` seconds (``end=None``: to the end)."""
    a = max(0, int(round(start * sample_rate)))
    b = samples.shape[-1] if end is None else min(samples.shape[-1], int(round(end * sample_rate)))
    if b <= a:
        raise ValueError(f"trim {start:g}-{end} s leaves nothing")
    return samples[:, a:b].astype(np.float32, copy=True)


def loudness(samples: np.ndarray, sample_rate: int) -> float:
    """Integrated loudness (LUFS, ITU-R BS.1770-4 via pyloudnorm); -inf for silence."""
    import pyloudnorm

    meter = pyloudnorm.Meter(sample_rate)
    x = samples.T.astype(np.float64)
    # The meter needs at least one 400 ms gating block.
    min_len = int(0.4 * sample_rate) + 1
    if x.shape[0] < min_len:
        x = np.pad(x, ((0, min_len - x.shape[0]), (0, 0)))
    if x.shape[1] > 5:
        # BS.1770's channel weights (and pyloudnorm) stop at 5 channels. Beyond, channels are
        # summed by power with unit weight, each gated on its own: exact when the channels
        # share their loud and quiet moments, close otherwise; enough to set a gain.
        with np.errstate(divide="ignore"):
            per = np.array([meter.integrated_loudness(x[:, c]) for c in range(x.shape[1])])
        total = float(np.sum(10.0 ** (per / 10.0)))
        return float(10.0 * np.log10(total)) if total > 0 else float("-inf")
    return float(meter.integrated_loudness(x if x.shape[1] > 1 else x[:, 0]))


def normalize_loudness(samples: np.ndarray, sample_rate: int, lufs: float = -14.0) -> np.ndarray:
    """Scale so the integrated loudness is ``lufs``. Silent input is returned unchanged."""
    current = loudness(samples, sample_rate)
    if not np.isfinite(current):
        log.warning("normalize: the audio is silent, left unchanged")
        return samples.astype(np.float32, copy=True)
    return (samples * db_to_gain(lufs - current)).astype(np.float32)


def limit(
    samples: np.ndarray,
    sample_rate: int,
    ceiling: float = LIMIT_CEILING,
    window_s: float = 0.005,
) -> tuple[np.ndarray, float]:
    """Peak limiter: keep |samples| <= ``ceiling`` with smooth gain changes.

    Returns (limited samples, largest gain reduction in dB; 0.0 when nothing was done).
    The gain envelope is the running minimum of the needed gain over a window, smoothed
    by a moving average of half that width: the average of a min-filtered curve never
    exceeds the needed gain, so no sample overshoots, and it never jumps (no clicks).
    """
    peak = np.max(np.abs(samples), axis=0)
    if peak.size == 0 or float(peak.max()) <= ceiling:
        return samples.astype(np.float32, copy=True), 0.0
    needed = np.minimum(1.0, ceiling / np.maximum(peak, 1e-12))
    w = max(1, int(window_s * sample_rate))
    env = minimum_filter1d(needed, size=2 * w + 1, mode="nearest")
    env = uniform_filter1d(env, size=w + 1, mode="nearest")
    env = np.minimum(env, needed)  # guard against float rounding at the edges
    out = (samples * env[None, :]).astype(np.float32)
    return out, float(-20 * np.log10(max(float(env.min()), 1e-12)))


def remix(
    stems: Mapping[str, np.ndarray],
    gains_db: Mapping[str, float] | None = None,
) -> np.ndarray:
    """Sum stems with per-stem gains (dB; a missing name means 0 dB). Stems must share a shape."""
    gains_db = dict(gains_db or {})
    unknown = set(gains_db) - set(stems)
    if unknown:
        raise KeyError(f"no stem named {', '.join(sorted(unknown))} (stems: {', '.join(stems)})")
    shapes = {np.shape(s) for s in stems.values()}
    if len(shapes) != 1:
        raise ValueError(f"stems differ in shape: {sorted(shapes)}")
    out = np.zeros(next(iter(shapes)), np.float32)
    for name, stem in stems.items():
        out += stem * db_to_gain(gains_db.get(name, 0.0))
    return out
