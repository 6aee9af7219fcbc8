"""Tests of the learned activity detector (samaudio_core.activity).

Shapes, ranges and determinism are checked on an untrained network (no weights needed); the
shipped weights, when present, must load offline and find a loud beeping burst in noise.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from samaudio_core.activity import ActivityDetector
from samaudio_core.activity.detector import WEIGHTS_DIR
from samaudio_core.activity.model import ActivityConfig, ActivityNet, FiLM, MelFrontend, mel_filterbank
from samaudio_core.audio import Audio


def _fake_embed(monkeypatch):
    """Deterministic stand-in for MiniLM: tests of plumbing need no language model."""
    from samaudio_core.activity import detector

    def emb(text: str) -> np.ndarray:
        v = np.random.default_rng(abs(hash(text)) % 2**32).standard_normal(384).astype(np.float32)
        return v / np.linalg.norm(v)

    monkeypatch.setattr(detector, "_embed", emb)


@pytest.fixture
def untrained(monkeypatch):
    _fake_embed(monkeypatch)
    torch.manual_seed(0)
    net = ActivityNet(ActivityConfig())
    # FiLM layers start as the identity; give them weights so the prompt matters.
    for m in net.modules():
        if isinstance(m, FiLM):
            torch.nn.init.normal_(m.proj.weight, std=0.2)
    return ActivityDetector(net)


def _beeps_in_noise(sr: int = 22050, seconds: float = 6.0, on=(2.0, 3.5)) -> Audio:
    rng = np.random.default_rng(0)
    t = np.arange(int(sr * seconds)) / sr
    noise = 0.02 * rng.standard_normal(len(t))
    gate = (t >= on[0]) & (t < on[1]) & ((t * 4) % 1 < 0.6)
    beep = 0.5 * np.sin(2 * np.pi * 2000 * t) * gate
    return Audio(np.stack([noise + beep, noise + beep]).astype(np.float32), sr)


def test_mel_filterbank_covers_every_band():
    fb = mel_filterbank(ActivityConfig())
    assert fb.shape == (64, 513)
    assert np.allclose(fb.sum(axis=1), 1.0)
    centres = (fb * np.arange(513)).sum(axis=1)
    assert np.all(np.diff(centres) > 0)  # bands rise in frequency


def test_frontend_puts_a_tone_in_the_right_band():
    cfg = ActivityConfig()
    t = torch.arange(cfg.sample_rate) / cfg.sample_rate
    lo = MelFrontend(cfg)(torch.sin(2 * np.pi * 200 * t)[None])[0].mean(0)
    hi = MelFrontend(cfg)(torch.sin(2 * np.pi * 4000 * t)[None])[0].mean(0)
    assert int(lo.argmax()) < int(hi.argmax())


def test_output_shape_range_and_times(untrained):
    audio = _beeps_in_noise()
    times, probs = untrained.frame_activity(audio, "the beeping")
    assert times.shape == probs.shape
    assert probs.dtype == np.float32
    assert np.all((probs >= 0) & (probs <= 1))
    assert abs(len(times) * 0.032 - audio.duration) < 0.1
    assert np.allclose(np.diff(times), 0.032, atol=1e-5)


def test_deterministic_and_prompt_dependent(untrained):
    audio = _beeps_in_noise()
    _, a = untrained.frame_activity(audio, "the beeping")
    _, b = untrained.frame_activity(audio, "the beeping")
    assert np.array_equal(a, b)
    _, c = untrained.frame_activity(audio, "a dog barking")
    assert not np.allclose(a, c)


def test_long_input_is_processed_in_blocks(untrained):
    sr = 8000
    x = 0.01 * np.random.default_rng(1).standard_normal(int(sr * 61.5)).astype(np.float32)
    times, probs = untrained.frame_activity(Audio(x, sr), "the hiss")
    assert abs(times[-1] - 61.5) < 0.1
    spans = untrained.spans(Audio(x, sr), "the hiss", threshold=0.0)
    assert spans and spans[0][0] == 0.0 and abs(spans[-1][1] - 61.5) < 0.05


def test_missing_weights_raise_a_clean_error(tmp_path):
    from samaudio_core.errors import SamaudioError

    with pytest.raises(SamaudioError):
        ActivityDetector.load(tmp_path)


def test_shipped_weights_load_offline(monkeypatch):
    assert ActivityDetector.available()  # the weights ship inside the package
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    det = ActivityDetector.load_default()
    assert len(det.meta["corpus_manifest_sha256"]) == 64
    assert sum(p.stat().st_size for p in WEIGHTS_DIR.iterdir()) < 30e6


def test_trained_detector_finds_a_beeping_burst():
    det = ActivityDetector.load_default()
    audio = _beeps_in_noise(on=(2.0, 3.5))
    times, probs = det.frame_activity(audio, "the beeping alarm")
    inside = probs[(times > 2.2) & (times < 3.3)].mean()
    outside = probs[(times < 1.5) | (times > 4.2)].mean()
    assert inside > 0.5 > outside


def test_default_threshold_and_preferred_kinds_come_from_the_weights_meta(untrained, monkeypatch):
    det = ActivityDetector(untrained.model, {"threshold": 1.01, "prefer_for_kinds": ["wind", "hum"]})
    monkeypatch.setattr(det, "_prompt", untrained._prompt)
    assert det.spans(_beeps_in_noise(), "the beeping") == []  # nothing reaches p > 1
    assert det.preferred_kinds == {"wind", "hum"}
