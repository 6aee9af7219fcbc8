"""Separation by a visual prompt: keep the sound whose time course follows the region's motion.

The method is audio-visual correlation on a learned-at-runtime decomposition, no weights:

1. The video is reduced to the region's activity envelope (``video.region_activity``).
2. The mixture's magnitude spectrogram (mono mixdown, pooled into ~log-spaced bands) is
   factorised by NMF (KL divergence) into spectral templates and their activations.
3. Each component's activation, smoothed to the video's frame spacing, is correlated with the
   envelope (best of a few frames of lag: picture and sound are rarely frame-exact); components
   that rise and fall with the region get weights near 1, the others near 0.
4. The weighted components form a soft (Wiener-like) mask, gated in time by where the region is
   active (with a floor, so a sound that outlasts its motion is attenuated, not cut); the mask
   is applied to every channel's STFT and the residual is the exact remainder.

Spans where the region is active are reported in ``info["visual_spans"]``. User spans count as
"active" and absent spans as "still" in the envelope; a text prompt, when given together with
an engine, is separated by that engine and its mask combined with the visual one (a weighted
geometric mean, the picture weighing 3:1: on the benchmark clips the built-in text separation is
far less reliable than the picture, and an equal say cost 2 dB).
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

import numpy as np
from scipy.ndimage import maximum_filter1d

from .audio import Audio
from .engines.base import SeparationResult
from .errors import PromptError
from .prompts import Prompt, Span
from .video import VideoMotion, analyse_video, region_activity, region_weights

log = logging.getLogger(__name__)

#: Audio and video may differ by this much (s, or this fraction of the video) before it is an error;
#: containers routinely pad or trim an audio track by a frame or two.
LENGTH_TOLERANCE_S = 0.5
LENGTH_TOLERANCE_FRACTION = 0.05
#: NMF size: components, multiplicative-update iterations, analysis bands.
N_COMPONENTS = 32
N_ITER = 120
N_BANDS = 160
#: Correlation below LOW gives a component weight 0, above HIGH weight 1 (linear in between).
CORR_LOW, CORR_HIGH = 0.1, 0.6
#: Region activity (mean grey-level change above the rest of the frame) that counts as motion:
#: still regions measure ~0.1-1 from noise and shake, moving objects ~3-12 on the benchmark clips.
STILL_LEVEL = 0.5
#: Largest picture/sound lag (s) searched when correlating.
MAX_LAG_S = 0.1
#: Target mask floor where the region is still (the temporal gate's minimum).
GATE_FLOOR = 0.1
#: Activity (fraction of its 95th percentile) at which the gate is fully open.
GATE_KNEE = 1.0
#: Exponent of the text prompt's mask when combined with the visual one (0 = ignore the text).
TEXT_WEIGHT = 0.25
#: Spans: activity above this fraction of its 95th percentile; gaps shorter than MERGE_S are closed
#: and spans shorter than MIN_SPAN_S dropped.
SPAN_THRESHOLD, MERGE_S, MIN_SPAN_S = 0.2, 0.3, 0.15


def _stft_params(sr: int) -> tuple[int, int]:
    # ~46 ms windows (2048 at 44.1 kHz): fine enough in frequency for harmonic templates.
    n_fft = int(2 ** round(np.log2(0.046 * sr)))
    return n_fft, n_fft // 4


def _stft(x: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    """Hann-window STFT of (..., samples) -> (..., n_fft/2+1, frames), centred frames.

    Plain numpy (strided frames + rfft): as fast as torch here and spares a 2-5 s torch import.
    """
    pad = n_fft // 2
    xp = np.pad(
        np.asarray(x, np.float32), [(0, 0)] * (np.ndim(x) - 1) + [(pad, pad + n_fft)], mode="constant"
    )
    n_frames = 1 + (np.shape(x)[-1]) // hop
    frames = np.lib.stride_tricks.sliding_window_view(xp, n_fft, axis=-1)[..., : n_frames * hop : hop, :]
    win = np.hanning(n_fft + 1)[:-1].astype(np.float32)  # periodic Hann: overlap-adds flat at hop n_fft/4
    return np.swapaxes(np.fft.rfft(frames * win, axis=-1), -1, -2).astype(np.complex64)


def _istft(spec: np.ndarray, n_fft: int, hop: int, length: int) -> np.ndarray:
    """Inverse of ``_stft`` (weighted overlap-add), trimmed to ``length`` samples."""
    win = np.hanning(n_fft + 1)[:-1].astype(np.float32)
    frames = np.fft.irfft(np.swapaxes(spec, -1, -2), n=n_fft, axis=-1).astype(np.float32) * win
    n_frames = frames.shape[-2]
    total = n_fft + hop * (n_frames - 1)
    out = np.zeros(frames.shape[:-2] + (total,), np.float32)
    norm = np.zeros(total, np.float32)
    for i in range(n_frames):
        out[..., i * hop : i * hop + n_fft] += frames[..., i, :]
        norm[i * hop : i * hop + n_fft] += win**2
    out /= np.maximum(norm, 1e-6)
    pad = n_fft // 2
    return out[..., pad : pad + length]


#: Public names of the STFT this module masks on (used by benchmarks/bench_video.py's oracle).
stft_params, stft, istft = _stft_params, _stft, _istft


def _band_matrix(n_bins: int, sr: int, n_bands: int = N_BANDS) -> np.ndarray:
    """(bands, bins) triangular pooling, single bins at the bottom, ~log-spaced above."""
    freqs = np.linspace(0, sr / 2, n_bins)
    centres = np.unique(np.concatenate([freqs[:24], np.geomspace(max(freqs[24], 1.0), sr / 2, n_bands - 24)]))
    fb = np.zeros((len(centres), n_bins), np.float32)
    for i, c in enumerate(centres):
        lo = centres[i - 1] if i > 0 else c - (centres[1] - c)
        hi = centres[i + 1] if i + 1 < len(centres) else c + (c - centres[i - 1])
        fb[i] = np.clip(np.minimum((freqs - lo) / max(c - lo, 1e-9), (hi - freqs) / max(hi - c, 1e-9)), 0, 1)
    fb[:, 0] = np.maximum(fb[:, 0], (np.arange(len(centres)) == 0).astype(np.float32))
    return fb


def nmf(
    v: np.ndarray, k: int = N_COMPONENTS, n_iter: int = N_ITER, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """KL-divergence NMF, V (F, T) ~ W (F, k) @ H (k, T), multiplicative updates."""
    rng = np.random.default_rng(seed)
    f, t = v.shape
    scale = float(v.mean()) + 1e-9
    w = (rng.random((f, k)) + 0.1).astype(np.float32)
    h = (rng.random((k, t)) * scale + 1e-3 * scale).astype(np.float32)
    eps = np.float32(1e-9)
    for _ in range(n_iter):
        ratio = v / (w @ h + eps)
        h *= (w.T @ ratio) / (w.sum(axis=0)[:, None] + eps)
        ratio = v / (w @ h + eps)
        w *= (ratio @ h.T) / (h.sum(axis=1)[None, :] + eps)
        # Unit-sum templates keep the activations comparable across components.
        norm = w.sum(axis=0) + eps
        w /= norm
        h *= norm[:, None]
    return w, h


def _smooth(x: np.ndarray, n: int) -> np.ndarray:
    if n <= 1:
        return x
    kernel = np.ones(n, np.float32) / n
    if x.ndim == 1:
        return np.convolve(x, kernel, mode="same")
    return np.stack([np.convolve(row, kernel, mode="same") for row in x])


def _zscore(x: np.ndarray) -> np.ndarray:
    x = x - x.mean(axis=-1, keepdims=True)
    return x / (np.linalg.norm(x, axis=-1, keepdims=True) + 1e-9)


def component_correlation(h_video: np.ndarray, ref: np.ndarray, max_lag: int) -> np.ndarray:
    """Pearson correlation of each row of ``h_video`` (k, T) with ``ref`` (T,), best lag in ±max_lag."""
    best = np.full(h_video.shape[0], -1.0)
    for lag in range(-max_lag, max_lag + 1):
        a = h_video[:, max(lag, 0) : h_video.shape[1] + min(lag, 0)]
        b = ref[max(-lag, 0) : ref.shape[0] + min(-lag, 0)]
        if b.size < 3 or np.ptp(b) <= 0:
            continue
        best = np.maximum(best, _zscore(a) @ _zscore(b))
    return best


def _reference(vm: VideoMotion, activity: np.ndarray, prompt: Prompt) -> np.ndarray:
    """The envelope the audio should follow: visual activity in [0, 1], spans forced on/off."""
    # Normalised by its 95th percentile, but never by less than STILL_LEVEL: sensor noise in a
    # still region must not be stretched into "full activity".
    scale = max(float(np.percentile(activity, 95)) if activity.size else 0.0, STILL_LEVEL)
    ref = np.clip(activity / scale, 0, 1)
    for a, b in prompt.spans:
        ref[(vm.times >= a) & (vm.times <= b)] = 1.0
    for a, b in prompt.absent:
        ref[(vm.times >= a) & (vm.times <= b)] = 0.0
    return ref.astype(np.float32)


def activity_spans(times: np.ndarray, ref: np.ndarray, duration: float) -> list[Span]:
    """Intervals (s) where the reference envelope is active."""
    if ref.size == 0 or ref.max() <= 0:
        return []
    dt = float(np.median(np.diff(times))) if times.size > 1 else 0.1
    active = _smooth(ref, 3) > SPAN_THRESHOLD
    spans: list[list[float]] = []
    for i in np.flatnonzero(active):
        start, end = times[i] - dt / 2, times[i] + dt / 2
        if spans and start - spans[-1][1] <= MERGE_S:
            spans[-1][1] = end
        else:
            spans.append([start, end])
    return [
        (round(float(max(0.0, a)), 3), round(float(min(duration, b)), 3))
        for a, b in spans
        if b - a >= MIN_SPAN_S and a < duration
    ]


def _target_components(
    pooled: np.ndarray, h_times: np.ndarray, vm: VideoMotion, ref: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """NMF of the pooled spectrogram (bands, frames) sampled at ``h_times`` (s).

    Returns templates W, activations H, a target weight per component and its correlation with
    ``ref`` (the envelope at ``vm.times``).
    """
    w, h = nmf(pooled, N_COMPONENTS, N_ITER)
    video_dt = float(np.median(np.diff(vm.times))) if len(vm.times) > 1 else 0.1
    frame_dt = float(h_times[1] - h_times[0]) if len(h_times) > 1 else video_dt
    # Average each activation over one video frame spacing, then sample it at the video's times.
    h_smooth = _smooth(h, max(1, int(round(video_dt / frame_dt))))
    h_video = np.stack([np.interp(vm.times, h_times, row) for row in h_smooth])
    # Square roots tame the few loud frames that would otherwise decide a Pearson correlation.
    max_lag = max(0, int(round(MAX_LAG_S / video_dt)))
    corr = component_correlation(np.sqrt(h_video), np.sqrt(ref), max_lag)
    comp_w = np.clip((corr - CORR_LOW) / (CORR_HIGH - CORR_LOW), 0, 1).astype(np.float32)
    return w, h, comp_w, corr


def check_lengths(audio: Audio, vm: VideoMotion) -> None:
    """Refuse audio and video whose lengths differ by more than a few frames of padding."""
    tol = max(LENGTH_TOLERANCE_S, LENGTH_TOLERANCE_FRACTION * vm.duration)
    if abs(audio.duration - vm.duration) > tol:
        where = audio.path or "the audio"
        raise PromptError(
            f"{where} lasts {audio.duration:.2f} s but the video {vm.path} lasts {vm.duration:.2f} s; "
            "give audio that belongs to this video (or trim both to the same length)"
        )


def _text_mask(
    audio: Audio, prompt: Prompt, engine: Any, spec_abs, n_fft: int, hop: int
) -> np.ndarray | None:
    """Magnitude ratio mask of the engine's text(+span) separation, or None without an engine."""
    if engine is None or not prompt.text:
        return None
    text_prompt = Prompt(text=prompt.text, spans=prompt.spans, absent=prompt.absent)
    res = engine.separate(audio, text_prompt)
    tgt = np.asarray(res.target, np.float32).mean(axis=0)
    t_abs = np.abs(_stft(tgt, n_fft, hop))
    n = min(t_abs.shape[1], spec_abs.shape[1])
    out = np.zeros_like(spec_abs)
    out[:, :n] = np.clip(t_abs[:, :n] / (spec_abs[:, :n] + 1e-7), 0, 1)
    return out


def separate_masked(
    audio: Audio,
    prompt: Prompt,
    engine: Any = None,
    progress: bool = False,
    video: VideoMotion | None = None,
) -> SeparationResult:
    """Separate the sound of the region named by ``prompt.mask``.

    Parameters
    ----------
    audio : the mixture (any rate, any channel count), normally the video's own sound track
    prompt : a ``Prompt`` whose ``mask`` is set; its text, spans and absent spans are used too
    engine : an engine that can separate by text (the calling engine); used only with text
    progress : log the stages at INFO level
    video : an already analysed video (``analyse_video``), to reuse across several regions

    Returns
    -------
    SeparationResult: target + residual == audio (float precision), input rate and shape;
    ``info`` holds the visual spans, the component correlations and the region's activity.

    Raises
    ------
    PromptError
        No mask, an unreadable video, a region outside the frame or empty, or audio and video
        of different lengths.
    """
    mask = prompt.mask
    if mask is None:
        raise PromptError("separate_masked needs a prompt with a visual mask")
    vm = video if video is not None else analyse_video(mask.video)
    check_lengths(audio, vm)
    weights = region_weights(vm, mask)
    activity = region_activity(vm, weights)
    ref = _reference(vm, activity, prompt)
    if progress:
        log.info(
            "video analysed: %d frames, region covers %.0f%% of the frame",
            len(vm.times),
            100 * weights.mean(),
        )

    x, sr = audio.samples, audio.sample_rate
    n_fft, hop = _stft_params(sr)
    spec = _stft(x, n_fft, hop)  # (channels, bins, frames) complex
    mono_abs = np.abs(_stft(x.mean(axis=0), n_fft, hop))
    fb = _band_matrix(mono_abs.shape[0], sr)
    # NMF at half the STFT frame rate (~23 ms) and on pooled bands: 8x less work, same envelopes.
    pooled = fb @ mono_abs
    n_frames = pooled.shape[1]
    if n_frames % 2:
        pooled = np.pad(pooled, ((0, 0), (0, 1)), mode="edge")
    pooled = pooled.reshape(pooled.shape[0], -1, 2).mean(axis=2)
    frame_dt = 2 * hop / sr
    h_times = (np.arange(pooled.shape[1]) + 0.5) * frame_dt
    w, h, comp_w, corr = _target_components(pooled, h_times, vm, ref)
    if progress:
        log.info("audio factorised into %d components", w.shape[1])
    notes = []
    if comp_w.max() <= 0:
        notes.append("no sound follows the motion in the region; the target is near-silent")
    if activity.size == 0 or np.percentile(activity, 95) < STILL_LEVEL:
        notes.append("hardly anything moves in the region (relative to the rest of the frame)")

    # Soft mask in the pooled domain, back to STFT bins and frames.
    band_mask = ((w * comp_w[None, :]) @ h) / (w @ h + 1e-9)
    back = fb / (fb.sum(axis=0, keepdims=True) + 1e-9)  # each bin interpolates its bands
    bin_mask = back.T @ band_mask
    bin_mask = np.repeat(bin_mask, 2, axis=1)[:, :n_frames]
    # Temporal gate: where the region is still, the target is turned down to GATE_FLOOR.
    stft_times = np.arange(n_frames) * hop / sr
    # One frame of dilation either side: motion and the sound it makes are rarely frame-exact.
    gate_ref = maximum_filter1d(ref, 3, mode="nearest")
    gate = GATE_FLOOR + (1 - GATE_FLOOR) * np.clip(
        np.interp(stft_times, vm.times, gate_ref) / GATE_KNEE, 0, 1
    )
    m = np.clip(bin_mask * gate[None, :], 0, 1).astype(np.float32)

    text_mask = _text_mask(audio, prompt, engine, mono_abs, n_fft, hop)
    if text_mask is not None:
        # Weighted geometric mean: a bin stays in the target only where both prompts agree.
        m = (m ** (1 - TEXT_WEIGHT) * text_mask**TEXT_WEIGHT).astype(np.float32)

    target = _istft(spec * m[None], n_fft, hop, x.shape[1]).astype(np.float32)
    residual = (x - target).astype(np.float32)
    spans = activity_spans(vm.times, ref, audio.duration)
    info = {
        "engine": getattr(engine, "name", "avmask"),
        "method": "audio-visual NMF correlation",
        "visual_spans": [list(s) for s in spans],
        "spans": [list(s) for s in spans],
        "component_correlation": [round(float(c), 3) for c in corr],
        "components_selected": int((comp_w > 0.5).sum()),
        "region_fraction": round(float(weights.mean()), 4),
        "text_combined": text_mask is not None,
        "warnings": notes,
    }
    for note in notes:  # a degraded result, not an error: say so and go on
        warnings.warn(note, stacklevel=2)
    return SeparationResult(target, residual, sr, info)
