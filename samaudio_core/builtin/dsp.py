"""Spectral building blocks shared by the built-in engine's methods.

A short-time Fourier transform sized to the sample rate (about 46 ms windows, 75 %
overlap), its exact inverse, and the vectorised estimates every mask is made of: noise
floors, log-domain harmonic/percussive smoothing (a fast stand-in for median-filter HPSS:
a moving average of log power is a geometric mean, which ignores outliers nearly as well
and is ~200x faster), soft frequency-band priors and Wiener ratios. Spectrograms are
(freq, frames) float32; masks are in [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy import ndimage

EPS = 1e-10


@dataclass(frozen=True)
class StftConfig:
    """STFT sizes for a sample rate: ``n_fft`` samples per window, ``hop`` samples per frame."""

    sample_rate: int
    n_fft: int
    hop: int

    @classmethod
    def for_rate(cls, sample_rate: int) -> StftConfig:
        # ~46 ms windows at any rate (2048 at 44.1 kHz, 1024 at 16-22 kHz, 512 at 8 kHz).
        n_fft = int(2 ** round(np.log2(max(sample_rate * 0.046, 256))))
        return cls(int(sample_rate), n_fft, n_fft // 4)

    @property
    def freqs(self) -> np.ndarray:
        return np.fft.rfftfreq(self.n_fft, 1.0 / self.sample_rate).astype(np.float32)

    def frames_per_second(self) -> float:
        return self.sample_rate / self.hop

    def frame_times(self, n_frames: int) -> np.ndarray:
        return np.arange(n_frames, dtype=np.float32) * (self.hop / self.sample_rate)


def _window(n_fft: int) -> torch.Tensor:
    return torch.hann_window(n_fft, dtype=torch.float32)


def stft(x: np.ndarray, cfg: StftConfig) -> torch.Tensor:
    """(channels, samples) float32 -> complex tensor (channels, freq, frames)."""
    t = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    if t.shape[-1] <= cfg.n_fft // 2:
        # center=True reflects n_fft/2 samples at each end, which needs at least that many:
        # a very short input (a 0.01 s file, one sample) is zero-padded instead; ``istft``
        # trims back to the caller's length, so the padding never reaches an output.
        t = torch.nn.functional.pad(t, (0, cfg.n_fft - t.shape[-1]))
    return torch.stft(t, cfg.n_fft, cfg.hop, window=_window(cfg.n_fft), center=True, return_complex=True)


def istft(spec: torch.Tensor, cfg: StftConfig, length: int) -> np.ndarray:
    """Inverse of :func:`stft`, trimmed to ``length`` samples: (channels, samples) float32."""
    out = torch.istft(spec, cfg.n_fft, cfg.hop, window=_window(cfg.n_fft), center=True, length=length)
    return out.numpy().astype(np.float32, copy=False)


def power(spec: torch.Tensor) -> np.ndarray:
    """Channel-averaged power spectrogram (freq, frames): one mask serves every channel."""
    p = spec.real.square() + spec.imag.square()
    return p.mean(dim=0).numpy().astype(np.float32, copy=False)


def apply_mask(spec: torch.Tensor, mask: np.ndarray, cfg: StftConfig, length: int) -> np.ndarray:
    """Target signal for a (freq, frames) mask applied to every channel of ``spec``."""
    m = torch.from_numpy(np.ascontiguousarray(mask, dtype=np.float32))
    return istft(spec * m[None], cfg, length)


def band_prior(freqs: np.ndarray, low: float, high: float, octaves: float = 0.5) -> np.ndarray:
    """Soft band-pass weight (freq,): 1 inside [low, high], a raised-cosine roll-off over
    ``octaves`` outside, 0 beyond. A prior, so it is deliberately gentle."""
    f = np.maximum(freqs, 1.0)
    lo = np.clip(np.log2(low / f) / octaves, 0.0, 1.0) if low > 0 else np.zeros_like(f)
    hi = np.clip(np.log2(f / high) / octaves, 0.0, 1.0)
    w = 0.5 * (1 + np.cos(np.pi * np.maximum(lo, hi)))
    return w.astype(np.float32)


def smooth_time(p: np.ndarray, frames: int) -> np.ndarray:
    return ndimage.uniform_filter1d(p, max(1, int(frames)), axis=1, mode="nearest")


def smooth_freq(p: np.ndarray, bins: int) -> np.ndarray:
    return ndimage.uniform_filter1d(p, max(1, int(bins)), axis=0, mode="nearest")


def hpss_masks(p: np.ndarray, time_frames: int = 17, freq_bins: int = 17) -> tuple[np.ndarray, np.ndarray]:
    """Harmonic and percussive soft masks (each (freq, frames), summing to 1).

    Harmonic energy is smooth along time, percussive along frequency; each is estimated
    as a geometric mean over a window of ``time_frames`` / ``freq_bins``.
    """
    logp = np.log(p + EPS)
    h = np.exp(smooth_time(logp, time_frames))
    q = np.exp(smooth_freq(logp, freq_bins))
    h2, q2 = h * h, q * q
    mh = h2 / (h2 + q2 + EPS)
    return mh.astype(np.float32), (1.0 - mh).astype(np.float32)


# Quantiles of a 5-frame average of exponentially distributed (noise) power, as a fraction
# of its mean; dividing by them turns a quantile into an estimate of the mean noise power.
_Q_POINTS = (0.1, 0.2, 0.3, 0.5)
_Q_RATIOS = (0.384, 0.515, 0.634, 0.881)
# The running minimum of that average over 1-3 s windows sits ~7.5 dB under the mean.
_MIN_RATIO = 0.18


def noise_floor(p: np.ndarray, quantile: float = 0.2, window_frames: int | None = None) -> np.ndarray:
    """Per-bin mean power of the steady background, (freq, frames).

    With ``window_frames`` None: from one low quantile of each bin over the whole block
    (a fixed floor, for stationary noise). Otherwise a running floor (minimum statistics):
    the minimum of the smoothed power over the window, itself smoothed. Both are
    bias-corrected so that on pure noise they equal its mean power.
    """
    sm = smooth_time(p, 5)
    if window_frames is None:
        ratio = float(np.interp(quantile, _Q_POINTS, _Q_RATIOS))
        floor = (np.quantile(sm, quantile, axis=1, keepdims=True) / ratio).astype(np.float32)
        return np.broadcast_to(floor, p.shape)
    mn = ndimage.minimum_filter1d(sm, max(3, int(window_frames)), axis=1, mode="nearest")
    mn = ndimage.uniform_filter1d(mn, max(3, int(window_frames)), axis=1, mode="nearest")
    return (mn / _MIN_RATIO).astype(np.float32)


def wiener(target_power: np.ndarray, other_power: np.ndarray, exponent: float = 1.0) -> np.ndarray:
    """Soft mask S^e / (S^e + N^e) from two power estimates."""
    s = np.power(np.maximum(target_power, 0.0), exponent)
    n = np.power(np.maximum(other_power, 0.0), exponent)
    return (s / (s + n + EPS)).astype(np.float32)


def frames_to_samples_gain(gain: np.ndarray, cfg: StftConfig, length: int) -> np.ndarray:
    """Interpolate a per-frame gain (frames,) onto samples (length,)."""
    t_frames = np.arange(gain.shape[0]) * cfg.hop
    return np.interp(np.arange(length), t_frames, gain).astype(np.float32)
