"""Pure array helpers for building and scoring the separation dev set.

Everything here works on float arrays shaped (channels, samples) or (samples,) and touches no
files, so the mixing rules (target-to-rest SNR, intermittent placement, exact stem sums after
quantisation, activity spans, the "user-marked" span) and the oracle ideal ratio mask can be
unit-tested on synthetic audio (tests/test_bench_helpers.py). build_devset.py and
bench_separation.py import it.
"""

from __future__ import annotations

import numpy as np

Span = tuple[float, float]

_EPS = 1e-12
#: int16 full scale. Stems are written as 16-bit PCM on this grid so that
#: target + rest == mixture holds exactly after writing and reading back.
PCM16_SCALE = 32768.0


# ----------------------------------------------------------------------------- levels


def energy(x: np.ndarray) -> float:
    return float(np.sum(np.asarray(x, np.float64) ** 2))


def snr_db(target: np.ndarray, rest: np.ndarray) -> float:
    """Energy ratio target/rest in dB over the whole clip."""
    return 10.0 * np.log10((energy(target) + _EPS) / (energy(rest) + _EPS))


def scale_to_snr(target: np.ndarray, rest: np.ndarray, snr: float) -> np.ndarray:
    """Return ``target`` scaled so that its energy over ``rest``'s is ``snr`` dB."""
    gain = np.sqrt(energy(rest) * 10 ** (snr / 10.0) / (energy(target) + _EPS))
    return (target * gain).astype(np.float32)


def quantize_stems(target: np.ndarray, rest: np.ndarray, peak: float = 0.9):
    """Scale both stems by one gain so the mixture peaks at ``peak``, then put them on the int16 grid.

    Returns int16 arrays (target, rest, mixture) with mixture == target + rest exactly, so
    the three written files sum exactly when read back as floats (k / 32768 is exact in
    float32). Rounding error is at -96 dBFS, far below any separation error measured.
    """
    mix = target.astype(np.float64) + rest.astype(np.float64)
    gain = peak / max(float(np.max(np.abs(mix))), _EPS)
    t = np.round(target.astype(np.float64) * gain * PCM16_SCALE)
    r = np.round(rest.astype(np.float64) * gain * PCM16_SCALE)
    m = t + r
    limit = PCM16_SCALE - 1
    if np.max(np.abs(m)) > limit or np.max(np.abs(t)) > limit or np.max(np.abs(r)) > limit:
        raise ValueError("stems overflow int16 after scaling; lower the peak")
    return t.astype(np.int16), r.astype(np.int16), m.astype(np.int16)


# ----------------------------------------------------------------------------- shaping


def fade_edges(x: np.ndarray, n_fade: int) -> np.ndarray:
    """Raised-cosine fade in and out over ``n_fade`` samples (last axis); avoids clicks at cuts."""
    x = np.array(x, np.float32, copy=True)
    n = min(n_fade, x.shape[-1] // 2)
    if n > 0:
        ramp = (0.5 - 0.5 * np.cos(np.linspace(0, np.pi, n))).astype(np.float32)
        x[..., :n] *= ramp
        x[..., -n:] *= ramp[::-1]
    return x


def loop_to_length(x: np.ndarray, n: int, sr: int, crossfade_s: float = 0.05) -> np.ndarray:
    """Repeat (channels, samples) ``x`` with short crossfades until it has ``n`` samples."""
    if x.shape[-1] >= n:
        return x[..., :n].copy()
    xf = min(int(crossfade_s * sr), x.shape[-1] // 4)
    out = x.copy()
    ramp = np.linspace(0.0, 1.0, xf, dtype=np.float32) if xf > 0 else None
    while out.shape[-1] < n:
        if ramp is None:
            out = np.concatenate([out, x], axis=-1)
            continue
        head = out[..., :-xf]
        joint = out[..., -xf:] * (1 - ramp) + x[..., :xf] * ramp
        out = np.concatenate([head, joint, x[..., xf:]], axis=-1)
    return out[..., :n]


def gate(x: np.ndarray, sr: int, rng: np.random.Generator, fade_s: float = 0.1) -> np.ndarray:
    """Keep one or two random regions of ``x`` (30-70 % of its length); silence the rest.

    Makes a continuous recording intermittent, the way a target is switched on and off in a
    real scene (rain starting, a fan running for a while).
    """
    n = x.shape[-1]
    env = np.zeros(n, np.float32)
    regions = int(rng.integers(1, 3))
    share = rng.uniform(0.3, 0.7) / regions
    for k in range(regions):
        length = int(share * n)
        lo = k * n // regions
        hi = (k + 1) * n // regions - length
        start = int(rng.integers(lo, max(lo + 1, hi)))
        env[start : start + length] = 1.0
    # Smooth the on/off edges with a raised-cosine kernel.
    k = max(1, int(fade_s * sr))
    kernel = np.hanning(2 * k + 1).astype(np.float32)
    env = np.convolve(env, kernel / kernel.sum(), mode="same").astype(np.float32)
    return x * env


def place_events(
    clips: list[np.ndarray],
    n: int,
    sr: int,
    rng: np.random.Generator,
    cover: float,
    min_gap_s: float = 0.3,
) -> tuple[np.ndarray, list[tuple[int, float]]]:
    """Place clips (each (channels, samples)) at random non-overlapping times in ``n`` samples.

    Clips are used in order, repeating the list, until about ``cover`` of the length is
    filled or no more fits. Returns the track and [(clip index, onset seconds)].
    """
    ch = clips[0].shape[0]
    out = np.zeros((ch, n), np.float32)
    budget = int(cover * n)
    used = 0
    placed: list[tuple[int, float]] = []
    lengths = [c.shape[-1] for c in clips]
    # Split the timeline into as many slots as clips we expect to fit, then jitter within slots;
    # this spreads events over the whole mixture instead of bunching them.
    mean_len = max(1, int(np.mean(lengths)))
    count = max(1, min(len(clips) * 3, budget // mean_len))
    slot = n // count
    gap = int(min_gap_s * sr)
    for i in range(count):
        idx = i % len(clips)
        clip = clips[idx]
        length = min(clip.shape[-1], slot - gap, n)
        if length <= int(0.1 * sr) or used >= budget:
            continue
        lo = i * slot
        hi = lo + slot - length - gap
        start = int(rng.integers(lo, max(lo + 1, hi)))
        piece = fade_edges(clip[:, :length], int(0.01 * sr))
        out[:, start : start + length] += piece * np.float32(10 ** (rng.uniform(-3, 3) / 20))
        used += length
        placed.append((idx, start / sr))
    return out, placed


def pan_to_stereo(x: np.ndarray, pan: float) -> np.ndarray:
    """Constant-power pan of a mono (1, samples) signal; pan in [-1, 1] (left .. right)."""
    theta = (pan + 1) * np.pi / 4
    return np.concatenate([x * np.cos(theta), x * np.sin(theta)], axis=0).astype(np.float32)


def match_channels(x: np.ndarray, channels: int, rng: np.random.Generator) -> np.ndarray:
    """Downmix to mono, or pan a mono source to a random stereo position."""
    if x.shape[0] == channels:
        return x
    if channels == 1:
        return x.mean(axis=0, keepdims=True)
    return pan_to_stereo(x[:1], float(rng.uniform(-0.7, 0.7)))


# ----------------------------------------------------------------------------- synthetic noise


def synth_noise(kind: str, n: int, sr: int, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """Synthesised noise for the "noise" category where no recording exists (labelled synthetic).

    hum: mains hum, 50 or 60 Hz with decaying odd and even harmonics and slow wobble;
    hiss: white or pink broadband noise; wind: low-passed noise with slow gusts.
    Returns a (1, n) float32 array and the parameters used.
    """
    t = np.arange(n) / sr
    if kind == "hum":
        f0 = float(rng.choice([50.0, 60.0]))
        sig = np.zeros(n)
        for h in range(1, 9):
            amp = rng.uniform(0.3, 1.0) / h
            sig += amp * np.sin(2 * np.pi * f0 * h * t + rng.uniform(0, 2 * np.pi))
        sig *= 1 + 0.05 * np.sin(2 * np.pi * rng.uniform(0.1, 0.5) * t)
        params = {"f0": f0}
    elif kind == "hiss":
        white = rng.standard_normal(n)
        pink = bool(rng.random() < 0.5)
        if pink:
            spec = np.fft.rfft(white)
            freqs = np.fft.rfftfreq(n, 1 / sr)
            spec /= np.sqrt(np.maximum(freqs, 20.0))
            white = np.fft.irfft(spec, n)
        sig = white
        params = {"colour": "pink" if pink else "white"}
    elif kind == "wind":
        from scipy.signal import butter, sosfilt

        cutoff = float(rng.uniform(150, 600))
        sos = butter(2, cutoff, btype="low", fs=sr, output="sos")
        sig = sosfilt(sos, rng.standard_normal(n))
        # Gusts: a slow random envelope (a few per 10 s), always above 0.2.
        knots = rng.uniform(0.2, 1.0, size=max(2, int(n / sr / 1.5) + 2))
        env = np.interp(np.linspace(0, len(knots) - 1, n), np.arange(len(knots)), knots)
        sig = sig * env
        params = {"cutoff_hz": round(cutoff, 1)}
    else:
        raise ValueError(f"unknown synthetic noise kind {kind!r}")
    sig = sig / (np.max(np.abs(sig)) + _EPS)
    return sig[None, :].astype(np.float32), params


# ----------------------------------------------------------------------------- spans


def frame_rms(x: np.ndarray, sr: int, frame_s: float = 0.02) -> np.ndarray:
    """RMS per non-overlapping frame of the channel mean."""
    mono = np.asarray(x, np.float64)
    if mono.ndim == 2:
        mono = mono.mean(axis=0)
    hop = max(1, int(frame_s * sr))
    n = len(mono) // hop
    return np.sqrt(np.mean(mono[: n * hop].reshape(n, hop) ** 2, axis=1) + _EPS)


def active_spans(
    x: np.ndarray,
    sr: int,
    rel_db: float = -35.0,
    frame_s: float = 0.02,
    min_gap_s: float = 0.25,
    min_len_s: float = 0.05,
) -> list[Span]:
    """Intervals (s) where ``x`` is active: frames within ``rel_db`` of the loudest frame.

    Gaps shorter than ``min_gap_s`` are bridged (a word's stop consonant, a dog between two
    barks) and blips shorter than ``min_len_s`` dropped.
    """
    rms = frame_rms(x, sr, frame_s)
    if rms.size == 0 or rms.max() <= 1e-6:
        return []
    on = 20 * np.log10(rms / rms.max()) > rel_db
    spans: list[list[float]] = []
    for i, flag in enumerate(on):
        if not flag:
            continue
        start, end = i * frame_s, (i + 1) * frame_s
        if spans and start - spans[-1][1] < min_gap_s:
            spans[-1][1] = end
        else:
            spans.append([start, end])
    duration = np.asarray(x).shape[-1] / sr
    return [(round(a, 3), round(min(b, duration), 3)) for a, b in spans if b - a >= min_len_s]


def pick_given_spans(
    target: np.ndarray,
    rest: np.ndarray,
    sr: int,
    active: list[Span],
    count: int = 1,
    min_len_s: float = 0.5,
    max_len_s: float = 2.0,
    frame_s: float = 0.05,
) -> list[Span]:
    """The span(s) a user would mark: the 0.5-2 s windows where the target is clearest.

    Inside each active interval, every window of ``max_len_s`` (or the whole interval when
    shorter, but at least ``min_len_s``) is scored by its local target-to-rest ratio; the best
    windows from different intervals are returned, best first, in time order of choice.
    """
    duration = np.asarray(target).shape[-1] / sr
    t_rms = frame_rms(target, sr, frame_s) ** 2
    r_rms = frame_rms(rest, sr, frame_s) ** 2
    candidates: list[tuple[float, Span]] = []
    for a, b in active:
        length = min(max_len_s, max(min_len_s, b - a))
        lo, hi = a, max(a, b - length)
        best: tuple[float, Span] | None = None
        for start in np.arange(lo, hi + 1e-9, frame_s):
            i0, i1 = int(start / frame_s), max(int(start / frame_s) + 1, int((start + length) / frame_s))
            score = 10 * np.log10((t_rms[i0:i1].sum() + _EPS) / (r_rms[i0:i1].sum() + _EPS))
            if best is None or score > best[0]:
                s0 = max(0.0, min(float(start), duration - length))
                best = (score, (round(s0, 3), round(s0 + length, 3)))
        if best is not None:
            candidates.append(best)
    candidates.sort(key=lambda c: -c[0])
    return [span for _, span in candidates[:count]]


# ----------------------------------------------------------------------------- oracle


def stft(x: np.ndarray, n_fft: int = 2048, hop: int = 512) -> np.ndarray:
    from scipy.signal import stft as _stft

    return _stft(x, nperseg=n_fft, noverlap=n_fft - hop, window="hann", boundary="even", padded=True)[2]


def istft(spec: np.ndarray, n: int, n_fft: int = 2048, hop: int = 512) -> np.ndarray:
    from scipy.signal import istft as _istft

    out = _istft(spec, nperseg=n_fft, noverlap=n_fft - hop, window="hann", boundary=True)[1]
    out = out[..., :n]
    if out.shape[-1] < n:
        out = np.pad(out, [(0, 0)] * (out.ndim - 1) + [(0, n - out.shape[-1])])
    return out.astype(np.float32)


def oracle_irm(mixture: np.ndarray, target: np.ndarray, rest: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ideal ratio mask estimates (target, rest) from the true stems.

    Mask = sqrt(|T|^2 / (|T|^2 + |R|^2)) per STFT bin (2048-point Hann, hop 512), applied to the
    mixture's STFT; the ceiling for any mask-based separator working on that STFT.
    """
    n = mixture.shape[-1]
    M, T, R = stft(mixture), stft(target), stft(rest)
    pt, pr = np.abs(T) ** 2, np.abs(R) ** 2
    mask_t = np.sqrt(pt / (pt + pr + _EPS))
    mask_r = np.sqrt(pr / (pt + pr + _EPS))
    return istft(M * mask_t, n), istft(M * mask_r, n)
