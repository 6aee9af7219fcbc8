"""Automatic span prompts: when is the prompted sound audible?

The role of SAM Audio's PEA-Frame, offline: :func:`frame_activity` gives a probability per
frame that the target is active, and :func:`find_spans` turns it into intervals, which
``separate(auto_span=True)`` then uses as "+" anchors. Speech kinds use silero-vad. Other
kinds use the built-in engine's mask for that kind: a frame is active when the masked
(target) energy both stands well above its own quiet level and makes up a fair share of
the frame's energy in the kind's band. Audio is analysed in 60-second blocks, so memory
stays bounded on long inputs.

For the kinds where the learned activity detector (``samaudio_core.activity``, trained here)
beat this classic method on the dev set — the kinds listed in its shipped config
(``prefer_for_kinds``: stationary noise, wind, hum, textures) — :func:`find_spans` uses the
detector instead; everywhere else the classic path stays (benchmarks/bench_activity.py).
When the detector finds nothing, the classic method is asked as well. ``detector="classic"``
or ``"learned"`` forces one of the two (the benchmark compares them side by side).
"""

from __future__ import annotations

import numpy as np

from .audio import Audio, load_audio
from .prompts import activity_to_spans

__all__ = ["activity_to_spans", "find_spans", "frame_activity"]

_BLOCK_S = 60.0


def _sigmoid(x: np.ndarray) -> np.ndarray:
    # scipy's expit saturates to 0/1 without the overflow warning np.exp gives on large logits.
    from scipy.special import expit

    return expit(x)


def frame_activity(audio: Audio | str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Probability that ``text``'s target is active, frame by frame.

    Parameters
    ----------
    audio : an ``Audio`` (any rate and channel count) or a path
    text : the prompt, e.g. "dog barking"

    Returns
    -------
    times : (frames,) frame centres in seconds
    probs : (frames,) float32 in [0, 1]
    """
    # Deferred (here and below): samaudio_core.builtin and .activity load torch (~2 s), which
    # importing samaudio_core, and so every CLI command, would otherwise pay.
    from .builtin import dsp
    from .builtin.methods import METHODS, Block, detect_hum
    from .builtin.ontology import GENERIC, match_kind
    from .builtin.vad import speech_probs

    audio = load_audio(audio)
    sr = audio.sample_rate
    match = match_kind(text)
    kind = match.kind if match is not None else GENERIC
    mono_all = audio.samples.mean(axis=0)
    block = int(_BLOCK_S * sr)
    if kind.method == "speech":
        times, probs = [], []
        for a in range(0, len(mono_all), block):
            t, p = speech_probs(mono_all[a : a + block], sr)
            times.append(t + a / sr)
            probs.append(p)
        return np.concatenate(times), np.concatenate(probs).astype(np.float32)
    cfg = dsp.StftConfig.for_rate(sr)
    if kind.method == "hum":
        _, harmonics = detect_hum(mono_all[: 30 * sr], sr)
        hop_s = cfg.hop / sr
        times = np.arange(0, audio.duration, hop_s, dtype=np.float32)
        return times, np.full(times.shape, 1.0 if harmonics else 0.0, np.float32)
    band = dsp.band_prior(cfg.freqs, *kind.band)[:, None]
    level_db, share = [], []
    for a in range(0, len(mono_all), block):
        x = mono_all[None, a : a + block]
        if x.shape[1] < cfg.n_fft // 2:
            x = np.pad(x, ((0, 0), (0, cfg.n_fft // 2 - x.shape[1])))
        spec = dsp.stft(x, cfg)
        p = dsp.power(spec)
        mask = METHODS[kind.method](Block(x, cfg, spec, p), kind)
        t_energy = (mask * p).sum(axis=0)
        level_db.append(10 * np.log10(t_energy + 1e-12))
        share.append(t_energy / ((band * p).sum(axis=0) + 1e-12))
        # Trim the frames STFT padding adds past the block's end (kept for the last block).
        n_frames = int(np.ceil(min(block, len(mono_all) - a) / cfg.hop))
        level_db[-1], share[-1] = level_db[-1][:n_frames], share[-1][:n_frames]
    lv = np.concatenate(level_db)
    sh = np.concatenate(share)
    quiet = np.percentile(lv, 10)
    loud = np.percentile(lv, 99)
    # Active: >= ~40 % of the way from the quiet level to the loud level, and a real share.
    rel = (lv - quiet) / max(loud - quiet, 6.0)
    probs = _sigmoid((rel - 0.4) * 12.0) * _sigmoid((sh - 0.25) * 12.0)
    win = max(1, int(round(0.1 * sr / cfg.hop)))
    probs = np.convolve(probs, np.ones(win) / win, mode="same")
    times = cfg.frame_times(len(probs))
    return times, probs.astype(np.float32)


def find_spans(
    audio: Audio | str, text: str, *, min_duration: float = 0.1, detector: str = "auto"
) -> list[tuple[float, float]]:
    """Intervals (start_s, end_s) where ``text``'s target is audible, in order.

    Parameters
    ----------
    audio : an ``Audio`` or a path
    text : the prompt
    min_duration : shorter intervals are dropped (s)
    detector : "auto" (the learned detector for the kinds it is preferred for, the classic
        method elsewhere), "classic" (never the learned one) or "learned" (always; an error
        when its weights are not shipped)
    """
    if detector not in ("auto", "classic", "learned"):
        raise ValueError(f"detector must be 'auto', 'classic' or 'learned', not {detector!r}")
    audio = load_audio(audio)
    if detector == "learned":
        from .activity import ActivityDetector

        return ActivityDetector.load_default().spans(audio, text, min_duration=min_duration)
    learned = _learned_detector_for(text) if detector == "auto" else None
    if learned is not None:
        spans = learned.spans(audio, text, min_duration=min_duration)
        # Unsure (nothing reaches its threshold): the classic method gets its say. A wider
        # notion of "unsure" — many frames near 0.5 — did not predict the detector's errors
        # on the dev set (frame F1 stayed ~1 on the most ambiguous clips), so it is not used.
        if spans:
            return spans
    times, probs = frame_activity(audio, text)
    return activity_to_spans(times, probs, min_duration=min_duration, duration=audio.duration)


def _learned_detector_for(text: str):
    """The learned detector when it is shipped and preferred for ``text``'s kind, else None."""
    from .activity import ActivityDetector
    from .builtin.ontology import match_kind

    if not ActivityDetector.available():
        return None
    match = match_kind(text)
    if match is None:
        return None
    detector = ActivityDetector.load_default()
    return detector if match.kind.name in detector.preferred_kinds else None
