"""Per-kind separation methods: each turns a block's spectrogram into a target mask.

A method sees a :class:`Block` (the samples, their STFT and channel-averaged power) and the
matched :class:`SoundKind`, and returns a soft mask (freq, frames) in [0, 1] for the target.
Every mask multiplies a soft band prior for the kind. Cues, one or two per kind:

- speech: silero-vad activity gates a Wiener filter whose noise is measured where no one speaks;
- harmonic instruments / singing: the time-smooth (harmonic) part of HPSS;
- percussion and impulsive events: the frequency-smooth (percussive) part, above a running floor;
- stationary noise and hiss: a fixed per-bin noise floor (spectral gating);
- dense textures (rain, applause, crowd): a running median-level floor, i.e. what is always there;
- wind and rumble: noisy (non-harmonic) energy below a few hundred hertz;
- tonal alarms and sirens: narrow spectral peaks that persist over time;
- animal calls and the generic fallback: energy that rises above a running background.

Mains hum is removed in the time domain (``hum_target``): 50/60 Hz harmonics are far
narrower than an STFT bin, so notch filters beat any spectral mask there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage, signal

from . import dsp
from .ontology import SoundKind
from .vad import speech_probs

#: Window (s) of the running noise floor that lets "hiss" follow noise that comes and goes
#: (0 disables it).
STATIONARY_RUNNING = 1.0


@dataclass
class Block:
    """One chunk of audio as the methods see it."""

    x: np.ndarray  # (channels, samples) float32
    cfg: dsp.StftConfig
    spec: object  # complex torch tensor (channels, freq, frames)
    p: np.ndarray  # (freq, frames) channel-averaged power
    cache: dict = field(default_factory=dict)

    @property
    def freqs(self) -> np.ndarray:
        return self.cfg.freqs

    def frames_for(self, seconds: float) -> int:
        return max(1, int(round(seconds * self.cfg.frames_per_second())))


def _band(block: Block, kind: SoundKind, octaves: float = 0.5) -> np.ndarray:
    return dsp.band_prior(block.freqs, kind.band[0], kind.band[1], octaves)[:, None]


def speech_activity(block: Block) -> np.ndarray:
    """Speech probability per STFT frame (frames,), from silero-vad, cached on the block."""
    if "vad" not in block.cache:
        times, probs = speech_probs(block.x.mean(axis=0), block.cfg.sample_rate)
        ft = block.cfg.frame_times(block.p.shape[1])
        act = np.interp(ft, times, probs) if len(times) else np.zeros_like(ft)
        block.cache["vad"] = act.astype(np.float32)
    return block.cache["vad"]


def speech_mask(block: Block, kind: SoundKind) -> np.ndarray:
    p = block.p
    act = speech_activity(block)
    # Hold the gate open 150 ms around detections so word onsets and tails survive.
    gate = ndimage.maximum_filter1d(act, block.frames_for(0.3), mode="nearest")
    gate = ndimage.uniform_filter1d(gate, block.frames_for(0.1), mode="nearest")
    quiet = act < 0.2
    if quiet.sum() >= block.frames_for(0.5):
        noise = p[:, quiet].mean(axis=1, keepdims=True)
    else:
        noise = np.quantile(p, 0.2, axis=1, keepdims=True)
    noise = np.maximum(noise, dsp.noise_floor(p, window_frames=block.frames_for(1.5)))
    clean = np.maximum(dsp.smooth_time(p, 3) - noise, 0.0)
    g = dsp.wiener(clean, noise)
    return g * gate[None, :] * _band(block, kind)


def harmonic_mask(block: Block, kind: SoundKind) -> np.ndarray:
    mh, _ = dsp.hpss_masks(block.p, block.frames_for(0.2), 17)
    return mh * _band(block, kind)


def percussive_mask(block: Block, kind: SoundKind) -> np.ndarray:
    _, mp = dsp.hpss_masks(block.p, block.frames_for(0.2), 17)
    floor = dsp.noise_floor(block.p, window_frames=block.frames_for(2.0))
    fg = dsp.wiener(np.maximum(block.p - floor, 0.0), floor)
    return mp * np.sqrt(fg) * _band(block, kind)


def impulsive_mask(block: Block, kind: SoundKind) -> np.ndarray:
    _, mp = dsp.hpss_masks(block.p, block.frames_for(0.1), 9)
    floor = dsp.noise_floor(block.p, window_frames=block.frames_for(1.0))
    fg = dsp.wiener(np.maximum(block.p - floor, 0.0), floor)
    return np.sqrt(mp * fg) * _band(block, kind)


def stationary_mask(block: Block, kind: SoundKind) -> np.ndarray:
    # Spectral gating: the noise is what each bin's quiet fifth of the time holds, or, where
    # noise comes and goes, what the last couple of seconds never dropped below.
    noise = dsp.noise_floor(block.p, quantile=0.2)
    if STATIONARY_RUNNING:
        noise = np.maximum(
            noise, dsp.noise_floor(block.p, window_frames=block.frames_for(STATIONARY_RUNNING))
        )
    ps = dsp.smooth_time(block.p, 3)
    return dsp.wiener(noise, np.maximum(ps - noise, 0.0)) * _band(block, kind, 1.0)


def texture_mask(block: Block, kind: SoundKind) -> np.ndarray:
    # A texture is what stays at about its median level; sparse events rise above it.
    level = dsp.noise_floor(block.p, quantile=0.5)
    running = dsp.smooth_time(dsp.smooth_freq(block.p, 5), block.frames_for(1.0))
    tex = np.minimum(level * 1.5, running)
    ps = dsp.smooth_time(block.p, 3)
    return dsp.wiener(tex, np.maximum(ps - tex, 0.0)) * _band(block, kind, 1.0)


def lowfreq_mask(block: Block, kind: SoundKind) -> np.ndarray:
    mh, mp = dsp.hpss_masks(block.p, block.frames_for(0.2), 9)
    # Wind is noisy, not tonal: keep the bass notes and voices' harmonics out of it.
    noisy = 1.0 - 0.8 * mh
    return noisy * _band(block, kind, 0.7)


def tonal_mask(block: Block, kind: SoundKind) -> np.ndarray:
    p = block.p
    ps = dsp.smooth_time(p, 3)
    # A peak stands above its spectral neighbourhood (geometric mean over ~9 bins) ...
    neigh = np.exp(dsp.smooth_freq(np.log(ps + dsp.EPS), 9))
    peak = dsp.wiener(np.maximum(ps - 2.0 * neigh, 0.0), 2.0 * neigh)
    # ... and persists (harmonic along time) for ~100 ms.
    mh, _ = dsp.hpss_masks(p, block.frames_for(0.1), 17)
    m = np.sqrt(peak * mh)
    # Spread one bin each side: a window's main lobe is 4 bins wide.
    m = np.maximum(m, np.maximum(np.roll(m, 1, axis=0), np.roll(m, -1, axis=0)))
    return m * _band(block, kind)


def foreground_mask(block: Block, kind: SoundKind) -> np.ndarray:
    floor = dsp.noise_floor(block.p, window_frames=block.frames_for(3.0))
    ps = dsp.smooth_time(block.p, 3)
    fg = dsp.wiener(np.maximum(ps - floor, 0.0), floor)
    return fg * _band(block, kind)


METHODS: dict[str, Callable[[Block, SoundKind], np.ndarray]] = {
    "speech": speech_mask,
    "harmonic": harmonic_mask,
    "percussive": percussive_mask,
    "impulsive": impulsive_mask,
    "stationary": stationary_mask,
    "texture": texture_mask,
    "lowfreq": lowfreq_mask,
    "tonal": tonal_mask,
    "foreground": foreground_mask,
}


# --- mains hum: time-domain comb of notches ------------------------------------------------


def detect_hum(mono: np.ndarray, sr: int, max_harmonics: int = 40) -> tuple[float, list[int]]:
    """Find the mains frequency and which of its harmonics stand out.

    Returns (f0 in Hz, harmonic numbers) ; an empty list when no hum is found. The long-term
    spectrum is taken at ~0.5 Hz resolution (Welch); a harmonic counts when its peak is 6 dB
    above the median of the surrounding ±15 Hz.
    """
    nper = int(2 ** np.ceil(np.log2(sr * 2)))  # ~0.5 Hz bins
    seg = mono[: min(len(mono), sr * 30)]
    if len(seg) < 256:  # far too short to resolve a 50/60 Hz line: no hum found
        return 50.0, []
    if len(seg) < nper // 2:
        nper = int(2 ** np.floor(np.log2(max(len(seg), 256))))
    f, pxx = signal.welch(seg, sr, nperseg=min(nper, len(seg)), noverlap=None)
    df = f[1] - f[0]
    logp = 10 * np.log10(pxx + 1e-20)

    def prominence(freq: float) -> float:
        i = int(round(freq / df))
        w = max(1, int(round(15 / df)))
        if i + w >= len(logp) or i - w < 0:
            return 0.0
        near = max(1, int(round(1.0 / df)))
        return float(logp[i - near : i + near + 1].max() - np.median(logp[i - w : i + w + 1]))

    best_f0, best_score = 50.0, -np.inf
    for base in (50.0, 60.0):
        for f0 in base + np.linspace(-0.5, 0.5, 11):
            score = sum(max(prominence(k * f0), 0.0) for k in range(1, 9))
            if score > best_score:
                best_f0, best_score = f0, score
    nyq = sr / 2
    harmonics = [
        k for k in range(1, max_harmonics + 1) if k * best_f0 < nyq * 0.95 and prominence(k * best_f0) > 6.0
    ]
    return best_f0, harmonics


def hum_target(x: np.ndarray, sr: int, f0: float, harmonics: list[int]) -> np.ndarray:
    """The hum itself: input minus the input run through zero-phase notches at k * f0."""
    if not harmonics:
        return np.zeros_like(x)
    sos = []
    for k in harmonics:
        # ~1.5 Hz wide notches: mains drifts by well under that, and speech loses nothing audible.
        b, a = signal.iirnotch(k * f0, Q=(k * f0) / 1.5, fs=sr)
        sos.append(signal.tf2sos(b, a))
    notched = signal.sosfiltfilt(np.concatenate(sos), x.astype(np.float64), axis=-1)
    return (x - notched).astype(np.float32)
