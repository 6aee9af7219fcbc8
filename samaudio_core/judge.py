"""The reference-free judge: how good is a separation, given only the mixture, the prompt and the output.

``Judge().score(mixture, separated, text)`` returns a :class:`JudgeScore` on SAM Audio Judge's
1–5 scale: ``recall`` (how much of the prompted sound made it into the output), ``precision``
(how little else leaked in), ``faithfulness`` (how undistorted the output is) and ``overall``.
The built-in judge measures signal evidence on the output ``s``, the mixture ``x`` and the
residual ``r = x - s``: energy balance, how much the output and the residual still share
(leakage shows up as coherent energy in both), consistency with the mixture (a separated
sound never holds more energy than the mixture in a time-frequency bin), artefacts (musical
noise, holes, comb-like ripples, clipping), and which of ``s`` and ``r`` sounds
more like the prompted kind of sound (a small pairwise model over spectral and temporal
descriptors; the prompt is mapped onto the built-in engine's sound-kind ontology). A small
calibration fitted by ``benchmarks/fit_judge.py`` on material the project generates and on
its dev set maps the evidence onto the four scores; it lives in ``judge_data/`` as JSON.
``Judge(engine="sam-audio-judge")`` delegates to SAM Audio Judge through ``samaudio_core.judge_sam``.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from . import judge_sam
from .audio import Audio, load_audio, resample
from .errors import EngineUnavailableError, UnknownEngineError
from .judge_types import SCORES, JudgeScore, SeparationJudge
from .prompts import Prompt

log = logging.getLogger(__name__)

#: Rate (Hz) the judge analyses at: enough bandwidth for every kind in the ontology's bands
#: that matter for telling sounds apart, and cheap enough to judge several candidates.
ANALYSIS_SR = 16_000
_N_FFT = 1024  # 64 ms: resolves harmonics of low voices (f0 >= 70 Hz)
_HOP = 256  # 16 ms frames, 62.5 frames/s: modulations up to 31 Hz
_EPS = 1e-10
#: Output energy this far (dB) below the mixture counts as silence: kind evidence is meaningless.
SILENT_DB = -35.0
#: Outputs quieter than this (dB full scale) are silent whatever the mixture's level.
SILENT_DBFS = -90.0
#: More of the output's energy than this (dB) above the mixture bin by bin: not a separation.
INCONSISTENT_DB = -3.0
#: Name of the packaged calibration, written by benchmarks/fit_judge.py.
CALIBRATION_FILE = "calibration.json"
#: Longer inputs are judged on evenly spaced excerpts of EXCERPT_S seconds, MAX_JUDGED_S in all.
MAX_JUDGED_S, EXCERPT_S = 120, 10
#: Standardised evidence is clipped to +-Z_CLIP: the heads never extrapolate far from what they saw.
Z_CLIP = 3.0
# --------------------------------------------------------------------------------------------
# Input handling


def _as_mono(item: Any, sample_rate: int | None, what: str) -> tuple[np.ndarray, int]:
    """A path, Audio or (channels, samples) array -> mono float64 at its own rate."""
    if isinstance(item, np.ndarray):
        if sample_rate is None:
            raise ValueError(f"Judge.score needs sample_rate when {what} is an array")
        audio = Audio(item, sample_rate)
    else:
        audio = load_audio(item)
    return audio.mono().astype(np.float64), audio.sample_rate


def _prepare(mixture: Any, separated: Any, sample_rate: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Both signals mono at ANALYSIS_SR, the output trimmed or padded to the mixture's length."""
    x, sr_x = _as_mono(mixture, sample_rate, "the mixture")
    s, sr_s = _as_mono(separated, sample_rate, "the separated output")
    x = resample(x[None].astype(np.float32), sr_x, ANALYSIS_SR)[0].astype(np.float64)
    s = resample(s[None].astype(np.float32), sr_s, ANALYSIS_SR)[0].astype(np.float64)
    # Engines such as SAM Audio pad to whole hops: compare over the mixture's length.
    if s.size > x.size:
        s = s[: x.size]
    elif s.size < x.size:
        s = np.pad(s, (0, x.size - s.size))
    if x.size > MAX_JUDGED_S * ANALYSIS_SR:
        # Long inputs: judge evenly spaced excerpts, so time and memory stay bounded.
        win = EXCERPT_S * ANALYSIS_SR
        starts = np.linspace(0, x.size - win, int(MAX_JUDGED_S // EXCERPT_S)).astype(int)
        x = np.concatenate([x[a : a + win] for a in starts])
        s = np.concatenate([s[a : a + win] for a in starts])
    return x, s


# --------------------------------------------------------------------------------------------
# Spectral analysis


def _stft(y: np.ndarray) -> np.ndarray:
    """Complex STFT, shape (frames, bins), Hann window; short inputs are zero-padded."""
    if y.size < _N_FFT:
        y = np.pad(y, (0, _N_FFT - y.size))
    n_frames = 1 + (y.size - _N_FFT) // _HOP
    idx = np.arange(_N_FFT)[None, :] + _HOP * np.arange(n_frames)[:, None]
    return np.fft.rfft(y[idx] * np.hanning(_N_FFT)[None, :], axis=1)


@lru_cache(maxsize=1)
def _bands() -> np.ndarray:
    """(bins, 16) matrix summing power into log-spaced bands from 50 Hz to 8 kHz."""
    freqs = np.fft.rfftfreq(_N_FFT, 1.0 / ANALYSIS_SR)
    edges = np.geomspace(50.0, ANALYSIS_SR / 2, 17)
    mat = np.zeros((freqs.size, 16))
    for i in range(16):
        mat[(freqs >= edges[i]) & (freqs < edges[i + 1]), i] = 1.0
    mat[-1, 15] = 1.0
    return mat


#: Names of the descriptor entries (what a sound is like, independent of its level).
DESCRIPTOR_NAMES = (
    *(f"band{i:02d}" for i in range(16)),
    "flatness",
    "harmonicity",
    "voiced_frac",
    "centroid",
    "centroid_std",
    "active_frac",
    "dyn_range",
    "mod_slow",
    "mod_mid",
    "mod_fast",
    "flux",
    "peakiness",
)


def descriptor(power: np.ndarray) -> np.ndarray | None:
    """Level-independent description of a sound from its power spectrogram (frames, bins).

    Spectral shape (16 log bands), flatness, harmonicity, centroid, activity, envelope
    dynamics and modulation, spectral flux and tonal peakiness, each a scalar. ``None``
    when the sound is silent.
    """
    frame_e = power.sum(axis=1)
    if frame_e.size == 0 or frame_e.max() < _EPS:
        return None
    ref = np.percentile(frame_e, 95) + _EPS
    active = frame_e > ref * 1e-3  # within 30 dB of the loud frames
    p = power[active]
    band_db = 10 * np.log10(p @ _bands() + _EPS)
    shape = band_db.mean(axis=0)
    shape = shape - shape.mean()
    # Flatness over 100 Hz - 8 kHz: noise near 1 (0 in log), tones far below.
    sub = p[:, 6:] + _EPS
    flat = np.mean(np.mean(np.log(sub), axis=1) - np.log(np.mean(sub, axis=1)))
    # Harmonicity: peak of the normalised autocorrelation (from the power spectrum) at pitch lags
    # 70-800 Hz; compressed magnitudes keep loud low partials from dominating.
    ac = np.fft.irfft(np.sqrt(p), axis=1)
    ac = ac / (ac[:, :1] + _EPS)
    lags = slice(ANALYSIS_SR // 800, ANALYSIS_SR // 70)
    harm = ac[:, lags].max(axis=1)
    freqs = np.fft.rfftfreq(_N_FFT, 1.0 / ANALYSIS_SR)
    centroid = np.log2((p @ freqs) / (p.sum(axis=1) + _EPS) + 20.0)
    env_db = 10 * np.log10(frame_e / ref + 1e-8)
    env_db = np.maximum(env_db, -60.0)
    mod = np.abs(np.fft.rfft(env_db - env_db.mean())) ** 2
    mod_f = np.fft.rfftfreq(env_db.size, _HOP / ANALYSIS_SR)
    total = mod[mod_f > 0.25].sum() + _EPS
    mod_bands = [mod[(mod_f > a) & (mod_f <= b)].sum() / total for a, b in ((0.25, 3), (3, 10), (10, 32))]
    flux = np.mean(np.maximum(np.diff(band_db, axis=0), 0.0).mean(axis=1)) if len(band_db) > 1 else 0.0
    top = np.sort(p, axis=1)[:, -3:].sum(axis=1) / (p.sum(axis=1) + _EPS)
    return np.array(
        [
            *shape,
            flat,
            harm.mean(),
            float(np.mean(harm > 0.5)),
            centroid.mean(),
            centroid.std(),
            float(active.mean()),
            float(np.percentile(env_db, 90) - np.percentile(env_db, 10)),
            *mod_bands,
            flux,
            float(top.mean()),
        ]
    )


# --------------------------------------------------------------------------------------------
# Evidence


def _db(num: float, den: float, lo: float = -60.0, hi: float = 40.0) -> float:
    return float(np.clip(10 * np.log10((num + _EPS) / (den + _EPS)), lo, hi))


def _local_leak(S: np.ndarray, R: np.ndarray) -> float:
    """Energy of the output that is coherent with the residual, projected block by block.

    A separation of independent sources leaves the output and the residual uncorrelated; a
    leak of the rest into the output is a scaled copy of what the residual holds, and a soft
    mask shares every bin between both. Blocks of ~0.5 s x one octave keep the estimate
    local, so leakage that comes and goes is still found.
    """
    n_t = max(1, S.shape[0] // 32)
    t_edges = np.linspace(0, S.shape[0], n_t + 1).astype(int)[:-1]
    # Bands of bins: 0, 1, 2-3, 4-7, ... (octaves), the top ones merged.
    f_edges = np.array([0, 1, 2, 4, 8, 16, 32, 64, 128, 256])
    cross = np.real(S * np.conj(R))
    rr = np.abs(R) ** 2
    c = np.add.reduceat(np.add.reduceat(cross, t_edges, axis=0), f_edges, axis=1)
    e = np.add.reduceat(np.add.reduceat(rr, t_edges, axis=0), f_edges, axis=1)
    ok = (c > 0) & (e > _EPS)
    return float(np.sum(np.where(ok, c * c / np.maximum(e, _EPS), 0.0)))


def _ripple(S: np.ndarray, X: np.ndarray, active: np.ndarray) -> float:
    """Comb-like ripple of the output/mixture gain across frequency (hollow, phasey artefacts)."""
    if not active.any():
        return 0.0
    from scipy.ndimage import uniform_filter1d  # ~0.2 s to import: deferred to the first score

    g = np.log(np.abs(S[active, 8:400]) + 1e-6) - np.log(np.abs(X[active, 8:400]) + 1e-6)
    g = g - uniform_filter1d(g, 15, axis=1, mode="nearest")
    g = g - g.mean(axis=1, keepdims=True)
    spec = np.abs(np.fft.rfft(g, axis=1)) ** 2
    # A comb filter (delay of ~0.7-16 ms) makes the gain ripple periodically across frequency:
    # one strong peak in the spectrum of the gain curve, against a flat one for natural masks.
    hi = spec[:, 4:100]
    return float(np.mean(hi.max(axis=1) / (spec[:, 1:].mean(axis=1) + _EPS)))


def evidence(
    x: np.ndarray, s: np.ndarray, ref: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[dict[str, float], np.ndarray | None, np.ndarray | None]:
    """Signal evidence for one (mixture, output) pair at ANALYSIS_SR.

    ``ref`` is the engine's reading of the prompt (:func:`engine_reference`), if any.
    Returns the named level/consistency/artefact/reference features and the descriptors of
    the output and of the residual (``None`` where silent).
    """
    r = x - s
    e_x, e_s, e_r = float(x @ x), float(s @ s), float(r @ r)
    X, S, R = _stft(x), _stft(s), _stft(r)
    ax, as_, ar = np.abs(X), np.abs(S), np.abs(R)
    px, ps = ax**2, as_**2
    f: dict[str, float] = {}
    f["out_db"] = _db(e_s, e_x)
    f["out_dbfs"] = float(10 * np.log10(e_s / max(s.size, 1) + 1e-20))
    f["res_db"] = _db(e_r, e_x)
    # Waveform correlation of output and residual: independent sources give ~0.
    f["corr"] = float(np.dot(s, r) / (np.sqrt(e_s * e_r) + _EPS))
    leak = min(_local_leak(S, R), float(ps.sum()))
    f["sir_local"] = _db(ps.sum() - leak, leak, -10.0, 40.0)
    f["overlap"] = float((as_ * ar).sum() / (np.sqrt(ps.sum() * (ar**2).sum()) + _EPS))
    # Consistency: energy of the output above the mixture, bin by bin (added noise, distortion).
    f["excess_db"] = _db(float((np.maximum(as_ - ax, 0.0) ** 2).sum()), float(ps.sum()), -60.0, 0.0)
    loud = px > px.max() * 1e-6
    m = np.clip(as_ / (ax + _EPS), 0.0, 1.5)
    w = px * loud
    wsum = w.sum() + _EPS
    f["mask_mean"] = float((m * w).sum() / wsum)
    f["mask_soft"] = float((((m > 0.15) & (m < 0.85)) * w).sum() / wsum)
    # Musical noise: a mask that flickers from frame to frame where the mixture is steady.
    f["mask_rough"] = float((np.abs(np.diff(m, axis=0)) * w[1:]).sum() / (w[1:].sum() + _EPS))
    frame_x = px.sum(axis=1)
    act_x = frame_x > np.percentile(frame_x, 95) * 1e-3
    frame_s = ps.sum(axis=1)
    # Holes: frames where the mixture is active but the output dropped 30 dB below it.
    f["gap_frac"] = float(np.mean(frame_s[act_x] < frame_x[act_x] * 1e-3)) if act_x.any() else 1.0
    f["ripple"] = _ripple(S, X, act_x & (frame_s > frame_x * 1e-3))
    peak = np.abs(s).max() if s.size else 0.0
    # Clipping: runs of consecutive samples stuck at the output's peak (flat tops), in percent.
    if peak > 0 and s.size > 1:  # a 1-sample output has no run to measure (mean of nothing: NaN)
        at_peak = np.abs(s) >= 0.999 * peak
        runs = at_peak[1:] & at_peak[:-1]
        f["clip_frac"] = float(np.clip(runs.mean() * 100.0, 0.0, 5.0))
    else:
        f["clip_frac"] = 0.0
    f.update(reference_features(as_, ar, ref))
    silent = e_s < e_x * 10 ** (SILENT_DB / 10)
    d_s = None if silent else descriptor(ps)
    d_r = None if e_r < e_x * 10 ** (SILENT_DB / 10) else descriptor(ar**2)
    return f, d_s, d_r


# --------------------------------------------------------------------------------------------
# Prompt -> kind group, and the pairwise kind model


def kind_group(text: str | None) -> tuple[str, float]:
    """The ontology category a prompt names ("speech", "music", ...) and the match confidence.

    Uses the built-in engine's ontology when it is importable; otherwise every prompt is
    "unknown" and only the shared part of the kind model is used.
    """
    if not text:
        return "unknown", 0.0
    # Deferred: the samaudio_core.builtin package loads torch (~2 s), which judging needs only
    # once there is a prompt to read.
    from .builtin.ontology import match_kind

    use_emb = os.environ.get("SAMAUDIO_JUDGE_EMBEDDINGS", "1") != "0"
    match = match_kind(text, use_embeddings=use_emb)
    if match is None:
        return "unknown", 0.0
    return match.kind.category, float(match.confidence)


@dataclass(frozen=True)
class KindModel:
    """Pairwise logistic model: P(a is the prompted sound rather than b) = sigmoid(margin).

    margin = w_shared . d + w_group . d, with d = (D(a) - D(b)) / scale. Antisymmetric by
    construction (no bias): swapping the output and the residual flips the margin's sign.
    """

    scale: np.ndarray
    shared: np.ndarray
    groups: dict[str, np.ndarray]

    def margin(self, d_a: np.ndarray, d_b: np.ndarray, group: str) -> float:
        d = (d_a - d_b) / self.scale
        w = self.shared + self.groups.get(group, 0.0)
        return float(np.clip(d @ w, -20.0, 20.0))


def kind_features(
    d_s: np.ndarray | None, d_r: np.ndarray | None, group: str, model: KindModel | None
) -> dict:
    """How much more the output than the residual sounds like the prompted kind (0 = no evidence)."""
    if model is None or d_s is None or d_r is None:
        return {"kind_margin": 0.0, "kind_known": 0.0}
    return {"kind_margin": model.margin(d_s, d_r, group), "kind_known": 1.0}


def engine_reference(x: np.ndarray, text: str | None) -> tuple[np.ndarray, np.ndarray] | None:
    """Magnitude spectrograms of the built-in engine's own reading of the prompt (target, rest).

    ``None`` when there is no text or the built-in engine cannot run. Cached per
    (mixture, prompt), since refinement judges many outputs of one mixture.
    """
    if not text:
        return None
    key = (hash(x.tobytes()), x.size, text)
    if key in _REF_CACHE:
        return _REF_CACHE[key]
    try:
        from .builtin.engine import BuiltinEngine  # deferred like match_kind: loads torch

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # low-confidence notes are the engine's business
            # The classic engine, without the learned mask refiner: the judge's calibration
            # (judge_data/calibration.json) was fitted against this reference.
            res = BuiltinEngine(mask_net=False).separate(
                Audio(x[None].astype(np.float32), ANALYSIS_SR), Prompt(text=text)
            )
        ref = (
            np.abs(_stft(res.target.mean(axis=0).astype(np.float64))),
            np.abs(_stft(res.residual.mean(axis=0).astype(np.float64))),
        )
    except Exception as exc:  # no engine, or it failed: the judge scores without this evidence
        log.info("judge: no engine reference (%s)", exc)
        ref = None
    if len(_REF_CACHE) >= 8:
        _REF_CACHE.pop(next(iter(_REF_CACHE)))
    _REF_CACHE[key] = ref
    return ref


_REF_CACHE: dict[tuple, tuple[np.ndarray, np.ndarray] | None] = {}


def reference_features(
    a_s: np.ndarray, a_r: np.ndarray, ref: tuple[np.ndarray, np.ndarray] | None
) -> dict[str, float]:
    """Does the output agree with the engine's reading of the prompt more than the residual does?

    ``a_s``, ``a_r``: magnitude spectrograms of the output and the residual. The margin compares
    spectro-temporal cosine similarities (output vs the engine's target, residual vs the
    engine's rest, minus the crossed pairs). It is squashed with tanh so that it says *which*
    stem is the prompted one without rewarding a copy of the engine's output more than any
    other output that points the same way.
    """
    if ref is None:
        return {"ref_margin": 0.0, "ref_known": 0.0}
    t_hat, r_hat = ref

    def cos(a: np.ndarray, b: np.ndarray) -> float:
        return float((a * b).sum() / (np.sqrt((a * a).sum() * (b * b).sum()) + _EPS))

    m = cos(t_hat, a_s) + cos(r_hat, a_r) - cos(t_hat, a_r) - cos(r_hat, a_s)
    return {"ref_margin": float(np.tanh(m / 0.3)), "ref_known": 1.0}


# --------------------------------------------------------------------------------------------
# Calibration


def feature_vector(f: dict[str, float], names: tuple[str, ...]) -> np.ndarray:
    return np.array([float(f.get(n, 0.0)) for n in names])


def expand(f: dict[str, float]) -> dict[str, float]:
    """Derived features the linear heads need: the kind margin gated by how much is left."""
    g = dict(f)
    km = f.get("kind_margin", 0.0)
    g["kind_sig"] = float(1.0 / (1.0 + np.exp(-km)))
    g["kind_neg"] = float(min(km, 0.0))
    g["res_small"] = float(f.get("res_db", 0.0) < -30.0)
    g["out_small"] = float(f.get("out_db", 0.0) < -25.0)
    g["sir_x_kind"] = f.get("sir_local", 0.0) * g["kind_sig"]
    # Both kinds of direction evidence in one number: > 0 when the output is the prompted stem.
    g["direction"] = float(np.tanh(km / 2.0) + f.get("ref_margin", 0.0))
    return g


@dataclass(frozen=True)
class Member:
    """One ensemble member: standardisation and one small MLP head per score."""

    mean: np.ndarray
    std: np.ndarray
    heads: dict[str, dict[str, np.ndarray]]

    def predict(self, x: np.ndarray) -> dict[str, float]:
        z = np.clip((x - self.mean) / self.std, -Z_CLIP, Z_CLIP)
        out = {}
        for name, h in self.heads.items():
            hidden = np.tanh(z @ h["W1"] + h["b1"]) if "W1" in h else z
            out[name] = float(hidden @ h["w"] + h["b"])
        return out


@dataclass(frozen=True)
class Calibration:
    """An ensemble of small MLP heads (one hidden layer) from evidence to the four 1–5 scores.

    Members differ in their random start and in the cross-fitting folds of the kind margins;
    averaging them steadies scores that any single small net would make jumpy.
    """

    names: tuple[str, ...]
    members: tuple[Member, ...]
    kind: KindModel | None
    meta: dict[str, Any]

    def predict(self, f: dict[str, float]) -> dict[str, float]:
        x = feature_vector(f, self.names)
        preds = [m.predict(x) for m in self.members]
        return {k: float(np.clip(np.mean([p[k] for p in preds]), 1.0, 5.0)) for k in preds[0]}


def _load_calibration_dict(data: dict) -> Calibration:
    def arr(v: Any) -> np.ndarray:
        return np.asarray(v, dtype=np.float64)

    kind = None
    if data.get("kind"):
        k = data["kind"]
        kind = KindModel(arr(k["scale"]), arr(k["shared"]), {g: arr(v) for g, v in k["groups"].items()})
    members = tuple(
        Member(
            arr(m["mean"]),
            arr(m["std"]),
            {n: {key: arr(v) for key, v in h.items()} for n, h in m["heads"].items()},
        )
        for m in data["members"]
    )
    return Calibration(tuple(data["names"]), members, kind, data.get("meta", {}))


@lru_cache(maxsize=4)
def load_calibration(path: str | None = None) -> Calibration | None:
    """The packaged calibration (or one at ``path``); ``None`` with a warning when absent."""
    try:
        if path:
            text = open(path, encoding="utf-8").read()
        else:
            text = resources.files("samaudio_core.judge_data").joinpath(CALIBRATION_FILE).read_text("utf-8")
    except (FileNotFoundError, ModuleNotFoundError, OSError):
        warnings.warn(
            "judge calibration not found (run benchmarks/fit_judge.py); using the uncalibrated fallback",
            stacklevel=2,
        )
        return None
    return _load_calibration_dict(json.loads(text))


def _fallback_scores(f: dict[str, float]) -> dict[str, float]:
    """Hand-set mapping used only when no calibration is packaged: coarse but monotone."""

    def squash(v: float, centre: float, width: float) -> float:
        return float(1.0 + 4.0 / (1.0 + np.exp(-(v - centre) / width)))

    # Direction evidence (kind margin, engine reference): > 0 when the output is the prompted sound.
    direction = np.tanh(f.get("kind_margin", 0.0) / 2.0) + f.get("ref_margin", 0.0)
    right_way = 1.0 / (1.0 + np.exp(-3.0 * direction))
    recall = squash(f["out_db"], -15.0, 4.0) * (0.4 + 0.6 * right_way)
    # Nothing removed: the output is the mixture, whatever the prompt asked for.
    removed = squash(f["res_db"], -12.0, 3.0)
    precision = min(squash(f["sir_local"], 5.0, 5.0), removed) * (0.4 + 0.6 * right_way)
    faith = squash(-f["excess_db"], 20.0, 5.0) - 0.5 * f["clip_frac"]
    scores = {
        "recall": float(np.clip(recall, 1, 5)),
        "precision": float(np.clip(precision, 1, 5)),
        "faithfulness": float(np.clip(faith, 1, 5)),
    }
    scores["overall"] = float(0.6 * min(scores.values()) + 0.4 * np.mean(list(scores.values())))
    return scores


# --------------------------------------------------------------------------------------------
# The judge


def analyse(
    mixture: Any,
    separated: Any,
    text: str | None,
    sample_rate: int | None = None,
    kind: KindModel | None = None,
) -> dict[str, float]:
    """All evidence the built-in judge scores from, as a flat dict of named numbers."""
    x, s = _prepare(mixture, separated, sample_rate)
    f, d_s, d_r = evidence(x, s, engine_reference(x, text))
    group, conf = kind_group(text)
    f.update(kind_features(d_s, d_r, group, kind))
    f["kind_conf"] = conf
    return expand(f)


class Judge:
    """Reference-free quality judge for separations.

    Parameters
    ----------
    engine : "builtin" (signal evidence + packaged calibration, CPU, offline) or
        "sam-audio-judge" (SAM Audio Judge through ``samaudio_core.judge_sam``)
    calibration : path of a calibration JSON to use instead of the packaged one
    """

    def __init__(self, engine: str = "builtin", calibration: str | None = None, **options: Any) -> None:
        self.engine = engine
        self._delegate = None
        if engine == "builtin":
            self._calibration = load_calibration(calibration)
        elif engine == "sam-audio-judge":
            self._delegate = _load_sam_judge(**options)
        else:
            names = ", ".join(row["name"] for row in judge_status())
            raise UnknownEngineError(f"unknown judge '{engine}' (available: {names})")

    def score(
        self, mixture: Any, separated: Any, text: str | None, sample_rate: int | None = None
    ) -> JudgeScore:
        """Score one separation: the :class:`~samaudio_core.judge_types.SeparationJudge` contract
        (built-in judge, or the delegate chosen by ``engine``)."""
        if self._delegate is not None:
            return self._delegate.score(mixture, separated, text, sample_rate=sample_rate)
        return self.evaluate(mixture, separated, text, sample_rate)[0]

    def evaluate(
        self, mixture: Any, separated: Any, text: str | None, sample_rate: int | None = None
    ) -> tuple[JudgeScore, dict[str, float]]:
        """The built-in judge's score together with the evidence behind it (for ``--json``)."""
        if self._delegate is not None:
            return self._delegate.score(mixture, separated, text, sample_rate=sample_rate), {}
        cal = self._calibration
        f = analyse(mixture, separated, text, sample_rate, kind=cal.kind if cal else None)
        scores = cal.predict(f) if cal else _fallback_scores(f)
        # Physical floors the calibration must not talk its way around. A silent output (against
        # the mixture, or in absolute terms) recalls nothing and is at best a poor separation.
        if f["out_db"] < SILENT_DB or f["out_dbfs"] < SILENT_DBFS:
            scores["recall"] = 1.0
            level = max(min(f["out_db"], f["out_dbfs"] - SILENT_DBFS + SILENT_DB), 2 * SILENT_DB)
            scores["overall"] = min(scores["overall"], 1.0 + (level - 2 * SILENT_DB) / -SILENT_DB)
        # Most of the output's energy lies above the mixture, bin by bin: it did not come from it.
        if f["excess_db"] > INCONSISTENT_DB:
            scores["faithfulness"] = min(scores["faithfulness"], 2.0)
            scores["overall"] = min(scores["overall"], 2.0)
        score = JudgeScore(**{k: round(float(np.clip(scores[k], 1.0, 5.0)), 3) for k in SCORES})
        return score, f


def _load_sam_judge(**options: Any) -> SeparationJudge:
    """SAM Audio Judge through ``samaudio_core.judge_sam``, or a clear reason why not."""
    factory = getattr(judge_sam, "SamAudioJudge", None)
    if factory is None:
        raise EngineUnavailableError("judge 'sam-audio-judge' is not usable here: judge_sam exposes no judge")
    judge = factory(**options)
    # The instance knows best (it may have been given its own weights or a stand-in API).
    status = getattr(judge, "status", None)
    reason = status() if callable(status) else _sam_reason(judge_sam)
    if reason is not None:
        raise EngineUnavailableError(f"judge 'sam-audio-judge' is not usable here: {reason}")
    return judge


def _sam_reason(module: Any) -> str | None:
    check = getattr(module, "check", None) or getattr(module, "unavailable_reason", None)
    if check is None:
        return None
    try:
        return check()
    except Exception as exc:  # a broken check must not break the listing
        return f"status check failed: {exc}"


def judge_status() -> list[dict[str, Any]]:
    """For each judge: name, description, usable (bool) and reason (when not usable)."""
    try:
        resources.files("samaudio_core.judge_data").joinpath(CALIBRATION_FILE).read_text("utf-8")
        how = "with the fitted calibration"
    except (FileNotFoundError, ModuleNotFoundError, OSError):
        how = "UNCALIBRATED: run benchmarks/fit_judge.py"
    rows = [
        {
            "name": "builtin",
            "description": f"reference-free signal evidence, {how} (CPU, offline)",
            "usable": True,
            "reason": None,
        }
    ]
    reason = _sam_reason(judge_sam)
    rows.append(
        {
            "name": "sam-audio-judge",
            "description": "Meta's SAM Audio Judge (needs the sam_audio package and local weights)",
            "usable": reason is None,
            "reason": reason,
        }
    )
    return rows
