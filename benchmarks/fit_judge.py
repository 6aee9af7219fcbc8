"""Fit the built-in judge's calibration (``samaudio_core/judge_data/calibration.json``).

Material: mixtures the project synthesises here (speech-like, instruments, drums, alarms,
animals, noises and textures, each with the prompts a user would type) and, when it exists,
the *fit* half of the real-recording dev set (``data/devset/manifest.json``; the other half is
kept for ``bench_judge.py``). Never the held-out packages of EVALUATION.md.

For each mixture we make outputs of every quality with known ground truth — the mixture
itself, the wrong stem, the target with the rest leaking in at -20..0 dB, ideal and perturbed
ratio masks, binary masks with musical noise, clipped, comb-filtered and low-passed targets,
and the built-in engine's output when it is available — and label them from the clean stems
(SI-SDR, and the target / interference / artefact decomposition behind recall, precision and
faithfulness). Then:

1. a pairwise kind model (which of output and residual is the prompted sound) is fitted on
   the clean stems, cross-fitted so the heads see honest margins;
2. one small MLP head per score maps the judge's evidence onto 1–5.

Run: ``nice python benchmarks/fit_judge.py [--synthetic 40] [--engine builtin|none] [--no-devset]``
(~6-10 min on two busy cores; ``--cache FILE`` keeps the evidence for refits of the heads).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import sys
import time
from pathlib import Path

# Small matrices: BLAS threads only fight over the two shared cores.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
from scipy import signal  # noqa: E402

from samaudio_core import judge as J  # noqa: E402
from samaudio_core.metrics import si_sdr  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

SR = J.ANALYSIS_SR
DEVSET = ROOT / "data" / "devset" / "manifest.json"
OUT = ROOT / "samaudio_core" / "judge_data" / J.CALIBRATION_FILE
LEAK_DB = (-20.0, -10.0, -5.0, 0.0)

# ------------------------------------------------------------------------------------------
# Synthetic sources: crude but physically distinct stand-ins for each ontology category.


def _env_gate(
    n: int, rng: np.random.Generator, on: tuple[float, float], off: tuple[float, float]
) -> np.ndarray:
    """0/1 activity with random on/off durations (s) and 10 ms ramps: intermittent sources."""
    g = np.zeros(n)
    i = int(rng.uniform(0, off[1]) * SR)
    while i < n:
        d = int(rng.uniform(*on) * SR)
        g[i : i + d] = 1.0
        i += d + int(rng.uniform(*off) * SR)
    k = np.hanning(int(0.02 * SR) + 1)
    return np.convolve(g, k / k.sum(), mode="same")


def _harmonic(f0: np.ndarray, n_harm: int, tilt_db: float, rng: np.random.Generator) -> np.ndarray:
    phase = 2 * np.pi * np.cumsum(f0) / SR
    out = np.zeros_like(f0)
    for h in range(1, n_harm + 1):
        amp = 10 ** (-tilt_db * np.log2(h) / 20) * (f0 * h < SR / 2 - 200)
        out += amp * np.sin(h * phase + rng.uniform(0, 2 * np.pi))
    return out


def _resonate(x: np.ndarray, freq: float, bw: float) -> np.ndarray:
    r = np.exp(-np.pi * bw / SR)
    a = [1.0, -2 * r * np.cos(2 * np.pi * freq / SR), r * r]
    return signal.lfilter([1.0 - r], a, x)


def _bandnoise(n: int, lo: float, hi: float, rng: np.random.Generator) -> np.ndarray:
    sos = signal.butter(4, [max(lo, 20.0), min(hi, SR / 2 - 100)], btype="band", fs=SR, output="sos")
    return signal.sosfilt(sos, rng.standard_normal(n))


def synth_speech(n, rng):
    syll = _env_gate(n, rng, (0.12, 0.3), (0.03, 0.12)) * _env_gate(n, rng, (1.0, 3.0), (0.3, 1.0))
    f0 = rng.uniform(90, 230) * (1 + 0.15 * np.sin(2 * np.pi * rng.uniform(0.3, 1.2) * np.arange(n) / SR))
    src = _harmonic(f0, 40, 6.0, rng)
    out = np.zeros(n)
    seg = int(0.15 * SR)
    for i in range(0, n, seg):
        part = src[i : i + seg + 400]
        f1, f2 = rng.uniform(300, 850), rng.uniform(900, 2400)
        y = _resonate(part, f1, 90) + 0.6 * _resonate(part, f2, 120) + 0.3 * _resonate(part, 2800, 200)
        out[i : i + seg] += y[:seg] if y.size >= seg else np.pad(y, (0, seg - y.size))[: n - i]
    fric = _bandnoise(n, 3000, 7000, rng) * _env_gate(n, rng, (0.05, 0.1), (0.3, 0.8)) * 0.3
    return out * syll + fric * syll.max()


def synth_instrument(n, rng):
    out = np.zeros(n)
    t = 0
    bowed = rng.random() < 0.5
    while t < n:
        dur = int(rng.uniform(0.25, 1.0) * SR)
        f = 110 * 2 ** (rng.integers(0, 30) / 12)
        k = np.arange(min(dur, n - t))
        vib = 1 + (0.006 * np.sin(2 * np.pi * 5.5 * k / SR) if bowed else 0)
        note = _harmonic(np.full(k.size, f) * vib, 20, 4.0 if bowed else 8.0, rng)
        env = (1 - np.exp(-k / (0.05 * SR))) if bowed else np.exp(-k / (rng.uniform(0.2, 0.6) * SR))
        out[t : t + k.size] += note * env
        t += int(dur * rng.uniform(0.6, 1.2))
    return out


def synth_drums(n, rng):
    out = np.zeros(n)
    step = int(60 / rng.uniform(80, 140) / 2 * SR)
    for j, t in enumerate(range(0, n, step)):
        k = np.arange(min(int(0.3 * SR), n - t))
        if j % 4 == 0:
            f = 120 * np.exp(-k / (0.03 * SR)) + 45
            out[t : t + k.size] += np.sin(2 * np.pi * np.cumsum(f) / SR) * np.exp(-k / (0.12 * SR))
        if j % 4 == 2:
            out[t : t + k.size] += 0.6 * rng.standard_normal(k.size) * np.exp(-k / (0.06 * SR))
        hat = _bandnoise(k.size, 6000, 7900, rng) * np.exp(-k / (0.02 * SR))
        out[t : t + k.size] += 0.5 * hat
    return out


def synth_siren(n, rng):
    k = np.arange(n)
    if rng.random() < 0.5:
        f = 900 + 500 * np.sin(2 * np.pi * rng.uniform(0.2, 1.5) * k / SR)
        return _harmonic(f, 4, 10.0, rng)
    f = np.full(n, rng.uniform(800, 3200))
    return _harmonic(f, 2, 15.0, rng) * _env_gate(n, rng, (0.1, 0.4), (0.1, 0.4))


def synth_bird(n, rng):
    out = np.zeros(n)
    gate = _env_gate(n, rng, (0.4, 1.5), (0.5, 2.0))
    t = 0
    while t < n:
        d = int(rng.uniform(0.03, 0.12) * SR)
        k = np.arange(min(d, n - t))
        f = rng.uniform(2500, 5500) + rng.uniform(-2000, 2000) * k / max(d, 1)
        out[t : t + k.size] += np.sin(2 * np.pi * np.cumsum(f) / SR) * np.hanning(k.size)
        t += d + int(rng.uniform(0.02, 0.15) * SR)
    return out * gate


def synth_dog(n, rng):
    out = np.zeros(n)
    t = int(rng.uniform(0, 0.5) * SR)
    while t < n:
        k = np.arange(min(int(rng.uniform(0.12, 0.25) * SR), n - t))
        f0 = rng.uniform(350, 650) * (1 - 0.3 * k / SR)
        bark = _harmonic(f0, 12, 5.0, rng) + 0.5 * _bandnoise(k.size, 500, 4000, rng)
        out[t : t + k.size] += bark * np.exp(-k / (0.07 * SR)) * (1 - np.exp(-k / 60))
        t += k.size + int(rng.uniform(0.15, 1.5) * SR)
    return out


def synth_noise(n, rng):
    lo, hi = sorted(rng.uniform([50, 2000], [400, 7900]))
    return _bandnoise(n, lo, hi, rng) * (1 + 0.1 * np.sin(2 * np.pi * 0.3 * np.arange(n) / SR))


def synth_wind(n, rng):
    gust = np.convolve(rng.standard_normal(n // 800 + 2), np.ones(3) / 3, "same")
    env = np.interp(np.arange(n), np.linspace(0, n, gust.size), 1.0 + 0.8 * gust)
    return _bandnoise(n, 20, rng.uniform(250, 600), rng) * np.maximum(env, 0.1)


def synth_hum(n, rng):
    return _harmonic(np.full(n, rng.choice([50.0, 60.0])), 12, 3.0, rng)


def synth_knock(n, rng):
    out = np.zeros(n)
    t = int(rng.uniform(0, 0.4) * SR)
    while t < n:
        k = np.arange(min(int(0.15 * SR), n - t))
        f = rng.uniform(150, 900)
        out[t : t + k.size] += (np.sin(2 * np.pi * f * k / SR) + 0.5 * rng.standard_normal(k.size)) * np.exp(
            -k / (rng.uniform(0.01, 0.04) * SR)
        )
        t += int(rng.uniform(0.2, 1.0) * SR)
    return out


def synth_rain(n, rng):
    clicks = (rng.random(n) < rng.uniform(0.002, 0.01)) * rng.standard_normal(n)
    return _bandnoise(n, 1000, 7500, rng) * 0.05 + signal.lfilter([1], [1, -0.6], clicks)


#: (category, synthesiser, prompts) — prompts a user would type, mapped by the ontology.
SOURCES = (
    ("speech", synth_speech, ("speech", "a man speaking", "voice", "woman talking")),
    ("music", synth_instrument, ("piano", "guitar", "violin", "music")),
    ("music", synth_drums, ("drums", "drum kit", "percussion")),
    ("alarms", synth_siren, ("siren", "alarm beeping", "phone ringing", "beep")),
    ("animals", synth_bird, ("birds chirping", "bird")),
    ("animals", synth_dog, ("dog barking", "dog")),
    ("noise", synth_noise, ("hiss", "fan noise", "background noise")),
    ("noise", synth_wind, ("wind", "wind noise", "rumble")),
    ("noise", synth_hum, ("mains hum", "60 hz hum")),
    ("environment", synth_knock, ("knocking", "footsteps", "door")),
    ("environment", synth_rain, ("rain", "applause")),
)


def _unit(y: np.ndarray) -> np.ndarray:
    return y / (np.sqrt(np.mean(y**2)) + 1e-12)


def synthetic_mixtures(count: int, seed: int = 0, seconds: float = 6.0) -> list[dict]:
    """Mixtures of a target and 1–3 other sources at -5..+10 dB, each with a prompt."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SR)
    out = []
    for i in range(count):
        ti = int(rng.integers(len(SOURCES)))
        cat, fn, prompts = SOURCES[ti]
        target = _unit(fn(n, rng))
        others = [j for j in range(len(SOURCES)) if SOURCES[j][1] is not fn]
        rest = np.zeros(n)
        for j in rng.choice(others, size=int(rng.integers(1, 4)), replace=False):
            rest += _unit(SOURCES[j][1](n, rng)) * 10 ** (rng.uniform(-6, 0) / 20)
        snr = rng.uniform(-5, 10)
        rest *= np.sqrt(np.mean(target**2) / np.mean(rest**2)) * 10 ** (-snr / 20)
        scale = 0.3 / max(np.abs(target + rest).max(), 1e-9)
        out.append(
            {
                "id": f"synth{i:04d}",
                "target": target * scale,
                "rest": rest * scale,
                "text": str(rng.choice(prompts)),
                "category": cat,
                "source": "synthetic",
            }
        )
    return out


# ------------------------------------------------------------------------------------------
# Dev set


def devset_split(entry: dict) -> str:
    """'fit' for the dev set's "tune" split, 'report' for its "select" and "report" splits.

    build_devset.py splits by source package, so fitted and reported items share no
    recording; the calibration is fitted on "tune" only, so "select" and "report" stay unseen
    (older manifests: "dev" fits, "test" reports). Entries without a split fall back to a
    deterministic half split by id.
    """
    split = entry.get("split")
    if split in ("tune", "dev"):
        return "fit"
    if split in ("select", "report", "test"):
        return "report"
    item_id = str(entry.get("id"))
    return "fit" if int(hashlib.sha1(item_id.encode()).hexdigest(), 16) % 2 == 0 else "report"


def devset_mixtures(split: str, manifest: Path = DEVSET, max_seconds: float = 20.0) -> list[dict]:
    """Dev-set mixtures of one split (``"fit"``, ``"report"`` or ``"all"``), mono at the analysis rate."""
    from samaudio_core.audio import load_audio

    if not manifest.exists():
        return []
    data = json.loads(manifest.read_text())
    entries = data["items"] if isinstance(data, dict) else data
    out = []
    for e in entries:
        if split != "all" and devset_split(e) != split:
            continue
        files = e.get("files") or {k: f"{e['id']}/{k}.wav" for k in ("mixture", "target", "rest")}
        try:
            target, rest = (
                load_audio(manifest.parent / files[k], sample_rate=SR, channels=1)
                .samples[0]
                .astype(np.float64)
                for k in ("target", "rest")
            )
        except Exception as exc:  # a broken entry is reported, not fatal
            print(f"skipping {e.get('id')}: {exc}", file=sys.stderr)
            continue
        n = min(target.size, rest.size, int(max_seconds * SR))
        out.append(
            {
                "id": str(e["id"]),
                "target": target[:n],
                "rest": rest[:n],
                "text": str(e.get("text", "")),
                "category": str(e.get("category", "unknown")),
                "source": "devset",
                "action": e.get("action", "isolate"),
                "spans": [s for s in e.get("given_spans", []) if s[0] < n / SR],
            }
        )
    return out


# ------------------------------------------------------------------------------------------
# Outputs of every quality, and their labels


def _stft_mask_apply(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    f, t, X = signal.stft(x, fs=SR, nperseg=1024, noverlap=768)
    y = signal.istft(X * mask, fs=SR, nperseg=1024, noverlap=768)[1]
    return y[: x.size] if y.size >= x.size else np.pad(y, (0, x.size - y.size))


def _irm(t: np.ndarray, r: np.ndarray) -> np.ndarray:
    T = np.abs(signal.stft(t, fs=SR, nperseg=1024, noverlap=768)[2]) ** 2
    N = np.abs(signal.stft(r, fs=SR, nperseg=1024, noverlap=768)[2]) ** 2
    return T / (T + N + 1e-12)


def outputs(
    item: dict, rng: np.random.Generator, engine=None, kinds: str = "all"
) -> list[tuple[str, np.ndarray]]:
    """(name, output) pairs of every quality for one mixture (target/rest at SR)."""
    t, r = item["target"], item["rest"]
    x = t + r
    e_t, e_r = np.mean(t**2), np.mean(r**2) + 1e-12
    outs: list[tuple[str, np.ndarray]] = [("mixture", x.copy()), ("wrong", r.copy()), ("clean", t.copy())]
    for db in LEAK_DB:
        a = np.sqrt(e_t / e_r * 10 ** (db / 10))
        outs.append((f"leak{int(db)}", t + a * r))
    m = _irm(t, r)
    outs.append(("oracle", _stft_mask_apply(x, m)))
    if kinds == "bench":
        if engine is not None:
            outs.extend(engine_outputs(item, engine))
        return outs
    outs.append(("binary", _stft_mask_apply(x, (m > 0.5).astype(float))))
    # Engine-like masks: blurred, biased and noisy versions of the ideal one.
    for k in range(3):
        noisy = np.clip(m + rng.normal(0, rng.uniform(0.1, 0.4), m.shape), 0, 1)
        outs.append((f"noisymask{k}", _stft_mask_apply(x, noisy)))
    outs.append(("softmask", _stft_mask_apply(x, m ** rng.uniform(0.2, 0.5))))
    outs.append(("wrongmask", _stft_mask_apply(x, 1 - m ** rng.uniform(1.5, 3))))
    blur = signal.convolve2d(m, np.ones((9, 9)) / 81, mode="same")
    outs.append(("blurmask", _stft_mask_apply(x, blur)))
    # Musical noise: the ideal mask with random holes and random isolated openings.
    holes = m * (rng.random(m.shape) > rng.uniform(0.3, 0.6))
    openings = (rng.random(m.shape) < 0.08).astype(float) * rng.uniform(0.3, 1.0)
    outs.append(("musical", _stft_mask_apply(x, np.clip(holes + openings, 0, 1))))
    peak = np.abs(t).max() + 1e-9
    outs.append(("clipped", np.clip(t, -0.3 * peak, 0.3 * peak)))
    outs.append(("tanh", np.tanh(4 * t / peak) * peak / 4))
    d = int(rng.uniform(0.001, 0.006) * SR)
    outs.append(("comb", 0.5 * (t + np.concatenate([np.zeros(d), t[:-d]]))))
    sos = signal.butter(6, rng.uniform(600, 2000), fs=SR, output="sos")
    outs.append(("lowpass", signal.sosfilt(sos, t)))
    outs.append(("leaky_musical", _stft_mask_apply(x, np.clip(holes + openings, 0, 1)) + 0.3 * r))
    if engine is not None:
        outs.extend(engine_outputs(item, engine, variants=True))
    return outs


def engine_outputs(item: dict, engine, variants: bool = False) -> list[tuple[str, np.ndarray]]:
    """The separation engine's output for the item's prompt; with ``variants``, also what
    refinement would try: the engine with the item's marked spans and re-masked results."""
    from samaudio_core.audio import Audio
    from samaudio_core.prompts import Prompt
    from samaudio_core.refine import SHARPEN, SOFTEN, remask

    x = item["target"] + item["rest"]
    audio = Audio(x[None].astype(np.float32), SR)
    prompts = [("engine", Prompt(text=item["text"]))]
    if variants and item.get("spans"):
        prompts.append(("engine_spans", Prompt(text=item["text"], spans=tuple(map(tuple, item["spans"])))))
    outs = []
    for name, prompt in prompts:
        try:
            res = engine.separate(audio, prompt.validated_for(audio.duration))
        except Exception as exc:  # report, keep going: the judge is fitted either way
            print(f"engine failed on {item['id']}: {exc}", file=sys.stderr)
            continue
        outs.append((name, np.asarray(res.target, np.float64).mean(axis=0)[: x.size]))
        if variants and name == "engine":
            for power, label in ((SHARPEN, "engine_sharp"), (SOFTEN, "engine_soft")):
                rm = remask(res, audio.samples, power)
                outs.append((label, np.asarray(rm.target, np.float64).mean(axis=0)[: x.size]))
    return outs


def squash(db: float, centre: float = 4.0, width: float = 5.0) -> float:
    """dB -> 1..5: about 1.2 at -10 dB, 3 at +4 dB, 4.1 at +10 dB, 4.9 at +20 dB."""
    return float(1.0 + 4.0 / (1.0 + np.exp(-(db - centre) / width)))


def labels(s: np.ndarray, t: np.ndarray, r: np.ndarray) -> dict[str, float]:
    """Ground-truth scores from the clean stems: SI-SDR and the BSS-eval style decomposition."""
    s = s - s.mean()
    et = float(t @ t) + 1e-12
    s_t = (s @ t) / et * t
    # Interference: the part of s explained by the rest, orthogonal to the target.
    r_perp = r - (r @ t) / et * t
    s_i = (s @ r_perp) / (r_perp @ r_perp + 1e-12) * r_perp
    e_a = s - s_t - s_i
    db = lambda a, b: 10 * np.log10((a + 1e-12) / (b + 1e-12))  # noqa: E731
    sdr = si_sdr(s, t)
    return {
        "si_sdr": sdr,
        "overall": squash(sdr),
        "recall": 1.0 + 4.0 * float(np.clip((s @ t) / et, 0.0, 1.0)),
        "precision": squash(db(s_t @ s_t, s_i @ s_i), 5.0, 5.0),
        "faithfulness": squash(db((s_t + s_i) @ (s_t + s_i), e_a @ e_a), 8.0, 5.0),
    }


# ------------------------------------------------------------------------------------------
# Fitting


def fit_kind_model(
    pairs: list[tuple[np.ndarray, np.ndarray, str]], l2_shared=1.0, l2_group=4.0
) -> J.KindModel:
    """Pairwise logistic regression on (D(target) - D(rest)), shared + per-category weights."""
    from scipy.optimize import minimize

    diffs = np.array([a - b for a, b, _ in pairs])
    scale = np.sqrt(np.mean(diffs**2, axis=0)) + 1e-6
    d = diffs / scale
    groups = sorted({g for _, _, g in pairs})
    gi = np.array([groups.index(g) for _, _, g in pairs])
    n_f, n_g = d.shape[1], len(groups)

    def loss(w):
        ws, wg = w[:n_f], w[n_f:].reshape(n_g, n_f)
        z = np.einsum("ij,ij->i", d, ws[None] + wg[gi])
        # Both orientations: target first (label 1) and swapped (label 0) give the same loss.
        lz = np.logaddexp(0, -z)
        p = 1 / (1 + np.exp(-z))
        g_z = -(1 - p) / len(z)
        grad_s = d.T @ g_z + l2_shared * ws / len(z)
        grad_g = np.zeros((n_g, n_f))
        np.add.at(grad_g, gi, d * g_z[:, None])
        grad_g += l2_group * wg / len(z)
        val = lz.mean() + 0.5 * (l2_shared * ws @ ws + l2_group * (wg**2).sum()) / len(z)
        return val, np.concatenate([grad_s, grad_g.ravel()])

    res = minimize(loss, np.zeros(n_f * (1 + n_g)), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    w = res.x
    return J.KindModel(
        scale, w[:n_f], {g: w[n_f + k * n_f : n_f + (k + 1) * n_f] for k, g in enumerate(groups)}
    )


def fit_head(z: np.ndarray, y: np.ndarray, hidden: int = 12, l2: float = 1e-4, seed: int = 0) -> dict:
    """One-hidden-layer tanh MLP regressor fitted by L-BFGS on squared error (numpy + scipy)."""
    from scipy.optimize import minimize

    n, d = z.shape
    rng = np.random.default_rng(seed)
    shapes = [(d, hidden), (hidden,), (hidden,), ()]
    sizes = [int(np.prod(s)) for s in shapes]

    def unpack(w):
        out, i = [], 0
        for shp, size in zip(shapes, sizes):
            out.append(w[i : i + size].reshape(shp))
            i += size
        return out

    def loss(w):
        w1, b1, w2, b2 = unpack(w)
        h = np.tanh(z @ w1 + b1)
        err = h @ w2 + b2 - y
        g_out = 2 * err / n
        g_h = np.outer(g_out, w2) * (1 - h**2)
        grads = [z.T @ g_h + 2 * l2 * w1, g_h.sum(0), h.T @ g_out + 2 * l2 * w2, g_out.sum()]
        val = np.mean(err**2) + l2 * ((w1**2).sum() + (w2**2).sum())
        return val, np.concatenate([np.ravel(g) for g in grads])

    w0 = np.concatenate(
        [rng.normal(0, 0.3, sizes[0]), np.zeros(hidden), rng.normal(0, 0.3, hidden), [y.mean()]]
    )
    res = minimize(loss, w0, jac=True, method="L-BFGS-B", options={"maxiter": 2000})
    w1, b1, w2, b2 = unpack(res.x)
    return {"W1": w1, "b1": b1, "w": w2, "b": float(b2)}


#: Evidence the heads read (see samaudio_core.judge.evidence / expand).
HEAD_FEATURES = (
    "out_db",
    "res_db",
    "corr",
    "sir_local",
    "overlap",
    "excess_db",
    "mask_mean",
    "mask_soft",
    "mask_rough",
    "gap_frac",
    "ripple",
    "clip_frac",
    "kind_margin",
    "kind_known",
    "ref_margin",
    "ref_known",
    "kind_sig",
    "kind_neg",
    "res_small",
    "out_small",
    "sir_x_kind",
    "direction",
)


def collect(mixtures: list[dict], rng: np.random.Generator, engine=None, kinds: str = "all") -> list[dict]:
    """Evidence (without kind margins), descriptors and labels for every output of every mixture."""
    rows = []
    for it in mixtures:
        x = it["target"] + it["rest"]
        group, conf = J.kind_group(it["text"])
        ref = J.engine_reference(x, it["text"])
        for name, s in outputs(it, rng, engine, kinds):
            f, d_s, d_r = J.evidence(x, s, ref)
            f["kind_conf"] = conf
            rows.append(
                {
                    "mix": it["id"],
                    "kind": name,
                    "f": f,
                    "d_s": d_s,
                    "d_r": d_r,
                    "group": group,
                    "text": it["text"],
                    "category": it["category"],
                    "source": it["source"],
                    **labels(s, it["target"], it["rest"]),
                }
            )
    return rows


def stem_pairs(mixtures: list[dict]) -> list[tuple[np.ndarray, np.ndarray, str]]:
    pairs = []
    for it in mixtures:
        d_t = J.descriptor(np.abs(J._stft(it["target"])) ** 2)
        d_r = J.descriptor(np.abs(J._stft(it["rest"])) ** 2)
        if d_t is not None and d_r is not None:
            pairs.append((d_t, d_r, J.kind_group(it["text"])[0]))
    return pairs


def finish_features(rows: list[dict], kind: J.KindModel | None) -> None:
    for row in rows:
        f = dict(row["f"])
        f.update(J.kind_features(row["d_s"], row["d_r"], row["group"], kind))
        row["x"] = J.expand(f)


def fit_member(mixtures: list[dict], rows: list[dict], seed: int) -> dict:
    """One ensemble member: kind margins cross-fitted on a seed-dependent 2-fold split (so the
    heads see margins for stems the kind model never saw), then the four heads."""
    ids = sorted({m["id"] for m in mixtures})
    fold = {i: k % 2 for k, i in enumerate(np.random.default_rng(seed).permutation(ids))}
    for k in (0, 1):
        kind_k = fit_kind_model(stem_pairs([m for m in mixtures if fold[m["id"]] != k]))
        finish_features([r for r in rows if fold[r["mix"]] == k], kind_k)
    z = np.array([J.feature_vector(r["x"], HEAD_FEATURES) for r in rows])
    mean, std = z.mean(axis=0), z.std(axis=0) + 1e-6
    zs = np.clip((z - mean) / std, -J.Z_CLIP, J.Z_CLIP)
    heads = {name: fit_head(zs, np.array([r[name] for r in rows]), seed=seed) for name in J.SCORES}
    return {
        "mean": _tolist(mean),
        "std": _tolist(std),
        "heads": {n: {k: _tolist(v) for k, v in h.items()} for n, h in heads.items()},
    }


def _tolist(a) -> list:
    return np.round(np.asarray(a, dtype=float), 6).tolist()


def fit(mixtures: list[dict], rows: list[dict], seed: int = 0, members: int = 4) -> dict:
    """The kind model on every stem pair, and an ensemble of heads; the calibration as a JSON dict."""
    kind = fit_kind_model(stem_pairs(mixtures))
    return {
        "version": 2,
        "names": list(HEAD_FEATURES),
        "members": [fit_member(mixtures, rows, seed + i) for i in range(members)],
        "kind": {
            "scale": _tolist(kind.scale),
            "shared": _tolist(kind.shared),
            "groups": {g: _tolist(v) for g, v in kind.groups.items()},
            "descriptor": list(J.DESCRIPTOR_NAMES),
        },
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--synthetic", type=int, default=40, help="number of synthetic mixtures")
    ap.add_argument("--no-devset", action="store_true", help="fit on synthetic material only")
    ap.add_argument("--engine", default="builtin", help="add this engine's outputs ('none' to skip)")
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--members", type=int, default=4, help="ensemble size")
    ap.add_argument("--cache", default=None, help="pickle of the collected evidence: reused when present")
    args = ap.parse_args(argv)
    t0 = time.time()
    rng = np.random.default_rng(args.seed)
    mixtures = synthetic_mixtures(args.synthetic, seed=args.seed)
    dev = [] if args.no_devset else devset_mixtures("fit")
    mixtures += dev
    engine = None
    if args.engine != "none":
        from samaudio_core.engines import load_engine

        engine = load_engine(args.engine)
    if args.cache and Path(args.cache).exists():
        with open(args.cache, "rb") as fh:
            mixtures, rows = pickle.load(fh)
        dev = [m for m in mixtures if m["source"] == "devset"]
    else:
        rows = collect(mixtures, rng, engine)
        if args.cache:
            with open(args.cache, "wb") as fh:
                pickle.dump((mixtures, rows), fh)
    cal = fit(mixtures, rows, seed=args.seed, members=args.members)
    for r in rows:
        r.pop("d_s", None), r.pop("d_r", None)
    cal["meta"] = {
        "created_by": "benchmarks/fit_judge.py",
        # Where it was written and the evidence cache do not change the fit.
        "args": {k: v for k, v in vars(args).items() if k not in ("out", "cache")},
        "synthetic_mixtures": args.synthetic,
        "devset_fit_mixtures": len(dev),
        "outputs": len(rows),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(cal, separators=(",", ":")))
    print(
        f"fitted on {len(mixtures)} mixtures ({len(dev)} from the dev set), {len(rows)} outputs "
        f"in {time.time() - t0:.0f} s -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
